import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALLOCATED_BYTES_PROFILE_TYPE, CPU_TIME_PROFILE_TYPE } from '../../common/profileTypes';
import { Store } from '../../storage/store';
import { storeRecordedProfile, type RecordedProfile } from '../recording/storeRecordedProfile';
import { compareSelections } from './compareSelections';

/** A probe chunk of one run: `work` takes `samples` ms of CPU time and, when given, allocates `bytes`. */
function chunk(session: string, branch: string, samples: number, bytes?: number): RecordedProfile {
  const frame = (functionName: string, scriptId: string, url: string, lineNumber: number) => ({ functionName, scriptId, url, lineNumber, columnNumber: 0 });
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', '0', '', -1), children: [2] },
      { id: 2, callFrame: frame('work', '1', 'file:///w/app.js', 4) },
    ],
    startTime: 0,
    endTime: samples * 1000,
    samples: Array(samples).fill(2),
    timeDeltas: Array(samples).fill(1000),
  };
  const heapProfile =
    bytes === undefined ? undefined : { head: { callFrame: frame('(root)', '0', '', -1), selfSize: 0, id: 1, children: [{ callFrame: frame('work', '1', '', -1), selfSize: bytes, id: 2, children: [] }] }, samples: [] };
  return { format: 'v8', profile, ...(heapProfile ? { heapProfile } : {}), startMs: Date.now(), labels: { session_id: session, branch }, droppedChunks: 0 } as RecordedProfile;
}

describe('comparing two selections in a profile type', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-compare-types-'));
    store = await Store.open(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('offers the types both sides hold, and compares allocated bytes when asked', async () => {
    // Two runs a side; the head allocates three times as much in the same CPU time.
    for (const [session, branch, bytes] of [['b1', 'main', 1_000_000], ['b2', 'main', 1_100_000], ['h1', 'feature', 3_000_000], ['h2', 'feature', 3_300_000]] as const) {
      await storeRecordedProfile(store, chunk(session, branch, 100 + session.length + Number(session[1]), bytes));
    }
    const cpu = await compareSelections(store, '{branch="main"}', '{branch="feature"}');
    assert.equal(cpu.profileType, CPU_TIME_PROFILE_TYPE);
    assert.deepEqual(cpu.profileTypes, [ALLOCATED_BYTES_PROFILE_TYPE, CPU_TIME_PROFILE_TYPE]);
    const bytes = await compareSelections(store, '{branch="main"}', '{branch="feature"}', ALLOCATED_BYTES_PROFILE_TYPE);
    assert.equal(bytes.unit, 'bytes');
    const work = bytes.changes.find(c => c.name === 'work')!;
    assert.equal(work.a.mean, 1_050_000);
    assert.equal(work.b.mean, 3_150_000);
    // A side without allocations: only CPU time is offered.
    await storeRecordedProfile(store, chunk('o1', 'other', 90));
    assert.deepEqual((await compareSelections(store, '{branch="main"}', '{branch="other"}')).profileTypes, [CPU_TIME_PROFILE_TYPE]);
  });
});
