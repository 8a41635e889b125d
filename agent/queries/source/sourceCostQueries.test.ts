import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../../storage/store';
import { storeRecordedProfile, type RecordedProfile } from '../../recording/storeRecordedProfile';
import { querySourceCosts } from './sourceCostQueries';

/** A V8 profile chunk whose every sample is in `fn` of `url`, `samples` of them, 1 ms apart. */
function chunk(url: string, fn: string, samples: number, session: string): RecordedProfile {
  const profile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, children: [2] },
      { id: 2, callFrame: { functionName: fn, scriptId: '1', url, lineNumber: 4, columnNumber: 0 } },
    ],
    startTime: 0,
    endTime: samples * 1000,
    samples: Array(samples).fill(2),
    timeDeltas: Array(samples).fill(1000),
  };
  return { format: 'v8', profile, startMs: Date.now(), labels: { session_id: session, branch: 'main' }, droppedChunks: 0 };
}

describe('source costs of a selection', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-source-costs-'));
    store = await Store.open(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts, per file, the runs that ran it, so a mean per run leaves out runs of other programs', async () => {
    // Two runs of app.js and one of another program on the same branch.
    await storeRecordedProfile(store, chunk('file:///w/app.js', 'work', 100, 'run-1'));
    await storeRecordedProfile(store, chunk('file:///w/app.js', 'work', 120, 'run-2'));
    await storeRecordedProfile(store, chunk('file:///w/other.js', 'serve', 50, 'run-3'));
    const answer = await querySourceCosts(store, { selection: { kind: 'allRuns', selector: '{branch="main"}' }, runsPerFile: true });
    assert.equal(answer.runs, 3);
    assert.deepEqual(answer.files.map(f => [f.file, f.runs]).sort(), [['file:///w/app.js', 2], ['file:///w/other.js', 1]]);
    const plain = await querySourceCosts(store, { selection: { kind: 'allRuns', selector: '{branch="main"}' } });
    assert.ok(plain.files.every(f => f.runs === undefined), 'counted only when asked');
  });
});
