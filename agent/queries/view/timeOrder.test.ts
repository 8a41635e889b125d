import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTimeOrderProblem } from '../../../common/timeOrder';
import { viewResultSchema } from '../../../common/viewQuery';
import { Store } from '../../../storage/store';
import { corpusDir } from '../../../test/support/corpus';
import { syntheticChunk } from '../../../test/support/syntheticChunk';
import { openProfileThroughStore } from '../../profileLibrary';
import { RecordingHub } from '../../recording/recordingHub';
import { queryView } from './viewQueries';

interface RawProfile {
  nodes: { id: number; callFrame: { functionName: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/** The flame chart's samples from a real profile in a real store, against the profile's own sample order. */
describe('time-ordered samples of a real profile', () => {
  let dir: string;
  let store: Store;
  const text = readFileSync(join(corpusDir(), 'cpuprofile', 'sucrase.cpuprofile'), 'utf8');
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-time-order-'));
    store = await Store.open(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every sample once, in the order V8 took them, laid out over the profile\'s time', async () => {
    const opened = await openProfileThroughStore(store, text, 'sucrase.cpuprofile');
    assert.equal(opened.timeOrder, undefined, 'only asked for');
    const view = await queryView(store, { selector: opened.query.selector, timeOrder: true });
    const samples = view.timeOrder!;
    assert.equal(findTimeOrderProblem(samples), undefined);
    assert.equal(samples.tracks.length, 1);
    assert.equal(samples.node.length, view.summary.sampleCount);

    // The leaves, in order, are V8's samples' (its idle samples are their own profile type).
    const raw = JSON.parse(text) as RawProfile;
    const nameOf = new Map(raw.nodes.map(n => [n.id, n.callFrame.functionName]));
    const expected = raw.samples.map(id => nameOf.get(id)!).filter(name => name !== '(idle)');
    const { tree } = samples;
    const actual = samples.node.map(node => tree.strings[tree.name[node]!]!);
    assert.equal(actual.length, expected.length);
    const firstDifference = actual.findIndex((name, i) => name !== expected[i]);
    assert.equal(firstDifference, -1, `sample ${firstDifference}: ${actual[firstDifference]} against V8's ${expected[firstDifference]}`);

    // Laid end to end, the samples cover the profile's CPU time (durations are its values) within its wall time.
    const durations = samples.durationMicros.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(durations - view.tree.totalValue[0]!) <= samples.node.length, `${durations} µs against the tree's ${view.tree.totalValue[0]} µs`);
    const end = samples.gapMicros.reduce((a, b) => a + b, 0) + durations;
    const wall = raw.timeDeltas.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(end - wall) < 0.02 * wall + 2000, `the last sample ends at ${end} µs, V8's at ${wall} µs`);

    // It crosses the boundary as the extension checks it.
    assert.ok(viewResultSchema.safeParse(JSON.parse(JSON.stringify(view))).success);
  });

  it('gives each thread of a Chrome trace its own track, ordered by first sample', async () => {
    const trace = readFileSync(join(corpusDir(), 'chrome-trace', 'sample_profiles_Chrome_70_worker.json'));
    const opened = await openProfileThroughStore(store, trace, 'worker.json');
    const view = await queryView(store, { selector: opened.query.selector, timeOrder: true });
    const samples = view.timeOrder!;
    assert.equal(findTimeOrderProblem(samples), undefined);
    assert.ok(samples.tracks.length >= 2, `${samples.tracks.length} tracks`);
    assert.ok(samples.tracks.every(t => t.labels['tid'] !== undefined || t.labels['thread'] !== undefined), JSON.stringify(samples.tracks.map(t => t.labels)));
    assert.equal(new Set(samples.tracks.map(t => JSON.stringify(t.labels))).size, samples.tracks.length, 'one track per thread');
    assert.equal(samples.tracks.reduce((sum, t) => sum + t.sampleCount, 0), view.summary.sampleCount);
    // Each track's first sample starts no earlier than the previous track's: tracks come by first sample.
    let k = 0;
    let previousFirst = -1;
    for (const track of samples.tracks) {
      const first = samples.gapMicros[k]!;
      assert.ok(first >= previousFirst, `track ${JSON.stringify(track.labels)} starts at ${first} µs, before ${previousFirst}`);
      previousFirst = first;
      k += track.sampleCount;
    }
  });

  it('gives a recorded run one track, not one per chunk (each chunk has its own profile_id), and each run its own', async () => {
    const hub = new RecordingHub(store);
    const start = Date.UTC(2026, 11, 3, 12, 0, 0);
    for (const [session, offset] of [['run-a', 0], ['run-b', 100]] as const) {
      for (let i = 0; i < 3; i++) {
        await hub.ingest({ format: 'v8', profile: syntheticChunk(i, 200), startMs: start + offset + i * 200, labels: { session_id: session, pid: '7' }, droppedChunks: 0, chunkKey: `${session}:${i}` });
      }
    }
    const one = (await queryView(store, { selector: '{session_id="run-a"}', timeOrder: true })).timeOrder!;
    assert.deepEqual(one.tracks, [{ labels: {}, sampleCount: 600 }]);
    const both = (await queryView(store, { selector: '{pid="7"}', timeOrder: true })).timeOrder!;
    assert.deepEqual(both.tracks, [{ labels: { session_id: 'run-a' }, sampleCount: 600 }, { labels: { session_id: 'run-b' }, sampleCount: 600 }]);
    assert.equal(findTimeOrderProblem(both), undefined);
  });

  it('refuses a sample that refers to a node the tree lacks', async () => {
    const opened = await openProfileThroughStore(store, text, 'sucrase.cpuprofile');
    const samples = (await queryView(store, { selector: opened.query.selector, timeOrder: true })).timeOrder!;
    samples.node[5] = samples.tree.parent.length;
    assert.match(findTimeOrderProblem(samples) ?? '', /node that does not exist/);
  });
});
