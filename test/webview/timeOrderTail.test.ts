// The flame chart's live refresh end to end without a browser: the agent's answer for a run, then its tail after
// more chunks landed (ViewQuery.timeOrderAfterMs), appended by the page's appendTimeOrder, must equal the agent's
// whole answer for the grown run, sample for sample; a chunk stored late (before the watermark) must be noticed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingHub } from '../../agent/recording/recordingHub';
import { queryView } from '../../agent/queries/view/viewQueries';
import type { TimeOrderedSamples } from '../../common/timeOrder';
import { Store } from '../../storage/store';
import { appendTimeOrder } from '../../webview/appendTimeOrder';
import { syntheticChunk } from '../support/syntheticChunk';

const START = Date.UTC(2026, 11, 3, 12, 0, 0);

/** Each sample as `track start+duration stack`, for comparing answers whose trees number nodes differently. */
function render(samples: TimeOrderedSamples): string[] {
  const { tree } = samples;
  const stack = (node: number) => {
    const names: string[] = [];
    for (let at = node; at > 0; at = tree.parent[at]!) names.unshift(tree.strings[tree.name[at]!]!);
    return names.join(';');
  };
  const out: string[] = [];
  let k = 0;
  for (const track of samples.tracks) {
    let end = 0;
    for (let i = 0; i < track.sampleCount; i++, k++) {
      const start = end + samples.gapMicros[k]!;
      end = start + samples.durationMicros[k]!;
      out.push(`${JSON.stringify(track.labels)} ${start + Math.round((samples.startMs - START) * 1000)}+${samples.durationMicros[k]} ${stack(samples.node[k]!)}`);
    }
  }
  return out;
}

describe('the flame chart\'s tail of a recording run, appended', function () {
  this.timeout(120_000);
  let dir: string;
  let store: Store;
  let hub: RecordingHub;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-tail-'));
    store = await Store.open(dir);
    hub = new RecordingHub(store);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A 200 ms chunk of thread `thread` starting `at` ms into the run; chunks differ in their stacks. */
  const chunk = (i: number, at: number, thread?: string, pid = '7') =>
    hub.ingest({
      format: 'v8',
      profile: syntheticChunk(i, 200, 3 + (i % 4)),
      startMs: START + at,
      labels: { session_id: 'run', pid, ...(thread ? { thread } : {}) },
      droppedChunks: 0,
      chunkKey: `run:${thread ?? 'main'}:${i}`,
    });
  const query = (after?: number) => queryView(store, { selector: '{session_id="run"}', timeOrder: true, ...(after !== undefined ? { timeOrderAfterMs: after } : {}) });

  it('equals the whole answer of the grown run, with new stacks, a new thread and the tree renumbered', async () => {
    for (let i = 0; i < 3; i++) await chunk(i, i * 200);
    const first = (await query()).timeOrder!;
    assert.equal(first.totalSamples, 600);
    // More chunks: deeper stacks (new nodes in the tree), and a worker thread that starts now.
    for (let i = 3; i < 6; i++) await chunk(i, i * 200);
    await chunk(10, 700, 'worker 1');
    const tail = (await query(first.throughMs)).timeOrder!;
    assert.equal(tail.afterMs, first.throughMs);
    assert.equal(tail.node.length, 800, 'only the new samples');
    const whole = (await query()).timeOrder!;
    const joined = appendTimeOrder(first, tail);
    assert.ok(joined, 'the tail joins');
    assert.deepEqual(render(joined), render(whole));
    assert.deepEqual(joined.tracks, whole.tracks);
    assert.equal(joined.throughMs, whole.throughMs);
  });

  it('does not join when a chunk landed before the watermark: the page asks for the whole run', async () => {
    for (let i = 0; i < 3; i++) await chunk(i, i * 200);
    const first = (await query()).timeOrder!;
    // A worker's chunk for the first 200 ms, stored after the page's answer (as the spool can deliver it).
    await chunk(20, 0, 'worker 1');
    await chunk(3, 600);
    const tail = (await query(first.throughMs)).timeOrder!;
    assert.equal(appendTimeOrder(first, tail), undefined);
  });

  it('does not join when the tracks are told apart by other labels now (a child process started)', async () => {
    for (let i = 0; i < 3; i++) await chunk(i, i * 200);
    const first = (await query()).timeOrder!;
    assert.deepEqual(first.tracks.map(t => t.labels), [{}]);
    await chunk(3, 600, undefined, '8');
    const tail = (await query(first.throughMs)).timeOrder!;
    assert.deepEqual(tail.tracks.map(t => t.labels), [{ pid: '7' }, { pid: '8' }], 'the tail names every track, the main one without new samples too');
    assert.equal(appendTimeOrder(first, tail), undefined);
  });
});
