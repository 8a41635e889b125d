import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALLOCATED_BYTES_PROFILE_TYPE, CPU_TIME_PROFILE_TYPE } from '../../../common/profileTypes';
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

/** The chunk with a heap profile beside it, as the probe sends with allocation sampling: `fn` allocated `bytes`. */
function withAllocations(recorded: RecordedProfile, fn: string, bytes: number): RecordedProfile {
  const callFrame = (functionName: string, scriptId: string, lineNumber: number) => ({ functionName, scriptId, url: '', lineNumber, columnNumber: 0 });
  const heapProfile = { head: { callFrame: callFrame('(root)', '0', -1), selfSize: 0, id: 1, children: [{ callFrame: callFrame(fn, '1', 4), selfSize: bytes, id: 2, children: [] }] }, samples: [] };
  return { ...recorded, heapProfile } as RecordedProfile;
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

  it('shows the chosen profile type, and says so when the latest run lacks it (CPU time instead)', async () => {
    await storeRecordedProfile(store, withAllocations(chunk('file:///w/app.js', 'work', 100, 'run-1'), 'work', 3_000_000));
    const latest = { kind: 'latestRun', selector: '{branch="main"}' } as const;
    const cpu = await querySourceCosts(store, { selection: latest });
    assert.equal(cpu.profileType, CPU_TIME_PROFILE_TYPE);
    assert.deepEqual(cpu.profileTypes.sort(), [ALLOCATED_BYTES_PROFILE_TYPE, CPU_TIME_PROFILE_TYPE].sort());
    const bytes = await querySourceCosts(store, { selection: latest, profileType: ALLOCATED_BYTES_PROFILE_TYPE });
    assert.equal(bytes.profileType, ALLOCATED_BYTES_PROFILE_TYPE);
    assert.equal(bytes.unit, 'bytes');
    assert.equal(bytes.total, 3_000_000);
    assert.match(bytes.description, /, Allocated bytes$/);
    // A newer run recorded without allocations: its CPU time, and the description says why.
    await storeRecordedProfile(store, { ...chunk('file:///w/app.js', 'work', 50, 'run-2'), startMs: Date.now() + 1000 });
    const fallback = await querySourceCosts(store, { selection: latest, profileType: ALLOCATED_BYTES_PROFILE_TYPE });
    assert.equal(fallback.profileType, CPU_TIME_PROFILE_TYPE);
    assert.match(fallback.description, /latest run \(run-2.*; no Allocated bytes recorded, so CPU time$/);
  });
});
