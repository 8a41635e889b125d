import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from '../test/support/poll';
import { readRows, simpleWrite, stackOf } from '../test/support/sampleData';
import { BlockWorkerClient } from './block/blockWorkerClient';
import { readManifest } from './manifest';
import { MANIFEST_FILE, Store } from './store';

/** Every row's label and time, sorted: what must be stored exactly once whatever blocks hold the rows. */
async function storedRows(store: Store): Promise<string[]> {
  const snapshot = store.snapshot();
  try {
    const rows = await readRows(snapshot, ['timestamp', 'labels.a', 'labels.b']);
    return rows.map(r => `${String(r['labels.a'] ?? r['labels.b'])}@${Number(r['timestamp'])}`).sort();
  } finally {
    snapshot.release();
  }
}

/** Writes of `rows` rows each, alternating their label key so that each write fills a batch of its own in the part. */
function alternatingWrites(stack: number, writes: number, rows: number): ReturnType<typeof simpleWrite>[] {
  return Array.from({ length: writes }, (_, w) => simpleWrite(stack, rows, w % 2 === 0 ? { a: `w${w}` } : { b: `w${w}` }, 1_700_000_000_000 + w * rows));
}

describe('store: a part encoded in halves by two block workers', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-halves-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a part that a flush waits for as two blocks, each row once, before and after reopening', async () => {
    const store = await Store.open(dir, { compactBelowRows: 50, autoCompactBlocks: 0 });
    const stack = stackOf(store, 'main;work');
    for (const write of alternatingWrites(stack, 2, 120)) await store.write(write);
    const before = await storedRows(store);
    await store.flush();
    assert.equal(store.stats().blocks, 2, 'the flush wrote the part as two blocks');
    assert.deepEqual(readdirSync(join(dir, 'blocks')).sort(), ['0000000001.parquet', '0000000002.parquet']);
    const manifest = (await readManifest(join(dir, MANIFEST_FILE)))!;
    assert.deepEqual(manifest.blocks.map(b => b.stats.rows), [120, 120]);
    assert.equal(before.length, 240);
    assert.equal(new Set(before).size, 240);
    assert.deepEqual(await storedRows(store), before);
    await store.close();
    const reopened = await Store.open(dir);
    assert.equal(reopened.openReport.replayedTxs, 0, 'both blocks are behind the checkpoint');
    assert.deepEqual(await storedRows(reopened), before);
    await reopened.close();
  });

  it('keeps a part in one block when a half would be smaller than a block compaction leaves alone', async () => {
    const store = await Store.open(dir, { compactBelowRows: 121, autoCompactBlocks: 0 });
    const stack = stackOf(store, 'main');
    for (const write of alternatingWrites(stack, 2, 120)) await store.write(write);
    await store.flush();
    assert.equal(store.stats().blocks, 1);
    assert.equal((await storedRows(store)).length, 240);
    await store.close();
  });

  it('writes a part filled in a burst as two blocks without a flush being asked for', async () => {
    // Four writes of 600 rows pass the 16 KB part at once: the part filled faster than one worker encodes it.
    const store = await Store.open(dir, { activePartBytes: 16 * 1024, compactBelowRows: 100, autoCompactBlocks: 0 });
    const stack = stackOf(store, 'main');
    const writes = alternatingWrites(stack, 4, 600);
    await store.writeTransaction(writes);
    await pollUntil(() => store.stats().blocks >= 2 && store.stats().activeRows === 0, { timeoutMs: 20_000, what: 'the part written as blocks by itself' });
    assert.equal(store.stats().blocks, 2);
    const rows = await storedRows(store);
    assert.equal(rows.length, 2400);
    assert.equal(new Set(rows).size, 2400);
    await store.close({ flush: false });
    const reopened = await Store.open(dir);
    assert.deepEqual(await storedRows(reopened), rows);
    await reopened.close();
  });

  it('ends an idle block worker after idleMs or when asked, never with a request in flight, and starts one again for the next request', async () => {
    const store = await Store.open(dir);
    await store.write(simpleWrite(stackOf(store, 'main'), 10, { a: 'x' }));
    await store.close();
    const block = (await readManifest(join(dir, MANIFEST_FILE)))!.blocks[0]!;
    const client = new BlockWorkerClient({ idleMs: 50 });
    try {
      const path = join(dir, 'blocks', block.file);
      assert.equal((await client.readBlock(path, block.crc32, undefined)).reduce((sum, b) => sum + b.numRows, 0), 10);
      assert.equal(client.running, true);
      await pollUntil(() => !client.running, { timeoutMs: 10_000, what: 'the idle worker ending' });
      // Asked to end with a request in flight (another writer's flush), it keeps the worker for that request.
      const reading = client.readBlock(path, block.crc32, undefined);
      client.endIfIdle();
      assert.equal(client.running, true);
      assert.equal((await reading).reduce((sum, b) => sum + b.numRows, 0), 10);
      client.endIfIdle();
      assert.equal(client.running, false);
    } finally {
      await client.close();
    }
  });
});
