import * as assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertGolden } from '../test/support/golden';
import { readRows } from '../test/support/sampleData';
import { Store } from './store';

/**
 * A store written by an earlier version of the store (testdata/storeV3: write-ahead-log payloads of version 3, one
 * Parquet block, a metadata log, a manifest) must open and read exactly as that version read it. The directory was
 * written by storage/ as it was at commit 1c1753c; the golden is what that commit read back from it.
 */
/** The columns the fixture's writer knew: a column added since reads as its default and is tested elsewhere. */
const V3_STORE_COLUMNS = ['duration_ns', 'labels.branch', 'labels.profile_id', 'labels.thread', 'line', 'period_ns', 'profile_type', 'stack_id', 'timestamp', 'value'];

describe('store compatibility', function () {
  // The first block read starts the block worker, which takes seconds on a loaded machine.
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-store-v3-'));
    // Opening a store takes its lock and may rewrite its log's tail: work on a copy.
    cpSync(join(__dirname, 'testdata', 'storeV3'), dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens a store whose log holds version 3 payloads and reads every row, frame, stack and key as written', async () => {
    const store = await Store.open(dir, { autoCompactBlocks: 0 });
    assert.equal(store.openReport.replayedTxs, 2);
    assert.equal(store.openReport.walCorruption, undefined);
    const snapshot = store.snapshot();
    const rows = byTime(await readRows(snapshot, V3_STORE_COLUMNS));
    snapshot.release();
    const frames = Array.from({ length: store.metadata.frameCount }, (_, i) => store.metadata.frame(i + 1));
    const stacks = Array.from({ length: store.metadata.stackCount }, (_, i) => [...store.metadata.stack(i + 1)]);
    const again = await store.writeTransaction([], { idempotencyKey: 'chunk:fixture-1' });
    assert.deepEqual(again, { txId: 3, alreadyStored: true });
    // Flushing what the log held writes it to a block (sorted anew): the rows read from blocks only are the same.
    await store.flush();
    const flushed = store.snapshot();
    const rowsFromBlocks = byTime(await readRows(flushed, V3_STORE_COLUMNS));
    flushed.release();
    await store.close();
    assert.deepEqual(rowsFromBlocks, rows);
    assertGolden(join(__dirname, 'testdata', 'storeV3.golden.json'), `${JSON.stringify({ rows, frames, stacks }, null, 1)}\n`);
  });
});

/** Rows in time order (every fixture row has its own timestamp): a flush sorts a block's rows by their labels. */
function byTime(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.sort((a, b) => (a['timestamp'] as number) - (b['timestamp'] as number));
}
