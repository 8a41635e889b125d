import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from './store';
import { StoreReader } from './storeReader';
import { simpleWrite, stackOf, totalValue } from '../test/support/sampleData';
import { WriteKeys } from './writeKeys';

describe('store transactions and idempotency keys', function () {
  // Flushes write Parquet blocks through a worker, which a loaded machine slows.
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-store-tx-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores a key once when two writers send it at the same moment (the check and the write are one step)', async () => {
    const store = await Store.open(dir);
    const stack = stackOf(store, 'main;work');
    const results = await Promise.all(Array.from({ length: 5 }, () => store.writeTransaction([simpleWrite(stack, 100, {})], { idempotencyKey: 'run-1:1' })));
    assert.equal(results.filter(r => !r.alreadyStored).length, 1);
    assert.equal(new Set(results.map(r => r.txId)).size, 1, 'every writer is told the one tx id');
    assert.equal(await totalValue(store.snapshot()), 100 * 10);
    await store.close();
  });

  it('lets the next writer store a key whose first write failed', async () => {
    const store = await Store.open(dir);
    const stack = stackOf(store, 'main');
    const bad = { ...simpleWrite(stack, 3, {}), stackIds: [stack, 999, stack] };
    const [first, second] = await Promise.allSettled([
      store.writeTransaction([bad], { idempotencyKey: 'k' }),
      store.writeTransaction([simpleWrite(stack, 3, {})], { idempotencyKey: 'k' }),
    ]);
    assert.equal(first.status, 'rejected');
    assert.deepEqual(second.status === 'fulfilled' && second.value.alreadyStored, false);
    assert.equal(await totalValue(store.snapshot()), 30);
    await store.close();
  });

  it('remembers keys across a restart from the log, after a checkpoint, and after many checkpoints', async () => {
    let store = await Store.open(dir);
    const stack = stackOf(store, 'main');
    await store.writeTransaction([simpleWrite(stack, 2, {})], { idempotencyKey: 'in-log' });
    await store.close({ flush: false });
    store = await Store.open(dir);
    assert.equal((await store.writeTransaction([simpleWrite(stack, 2, {})], { idempotencyKey: 'in-log' })).alreadyStored, true, 'replayed from the log');
    await store.writeTransaction([simpleWrite(stack, 2, {})], { idempotencyKey: 'checkpointed' });
    await store.flush();
    assert.deepEqual(readdirSync(join(dir, 'wal')).length <= 1, true);
    await store.close({ flush: false });
    store = await Store.open(dir);
    assert.equal((await store.writeTransaction([simpleWrite(stack, 2, {})], { idempotencyKey: 'checkpointed' })).alreadyStored, true, 'kept by the manifest');
    assert.equal((await store.writeTransaction([simpleWrite(stack, 2, {})], { idempotencyKey: 'in-log' })).alreadyStored, true);
    for (let i = 0; i < 3; i++) {
      await store.writeTransaction([simpleWrite(stack, 1, {})], { idempotencyKey: `later-${i}` });
      await store.flush();
    }
    await store.close();
    store = await Store.open(dir);
    for (const key of ['in-log', 'checkpointed', 'later-2']) {
      assert.equal((await store.writeTransaction([simpleWrite(stack, 1, {})], { idempotencyKey: key })).alreadyStored, true, key);
    }
    assert.equal(await totalValue(store.snapshot()), (2 + 2 + 3) * 10);
    await store.close();
  });

  it('keeps only the newest keys in the manifest', async () => {
    const keys = new WriteKeys([]);
    for (let i = 1; i <= WriteKeys.KEPT + 5; i++) keys.stored(`k${i}`, i);
    const kept = keys.keptThrough(WriteKeys.KEPT + 3);
    assert.equal(kept.length, WriteKeys.KEPT);
    assert.deepEqual(kept[0], ['k4', 4]);
    keys.forgetBeyondKept(WriteKeys.KEPT + 3);
    assert.equal(keys.txOf('k3'), undefined);
    assert.equal(keys.txOf('k4'), 4);
    assert.equal(keys.txOf(`k${WriteKeys.KEPT + 5}`), WriteKeys.KEPT + 5, 'keys after the checkpoint stay');
  });

  it('makes a transaction of several writes visible whole, and replays it whole or not at all', async () => {
    const store = await Store.open(dir);
    const stack = stackOf(store, 'main');
    await store.write(simpleWrite(stack, 1, {}, 0, 1));
    const before = store.snapshot();
    const { txId } = await store.writeTransaction([simpleWrite(stack, 5, {}, 0, 100), simpleWrite(stack, 5, {}, 10, 1000)]);
    assert.equal(await totalValue(before), 1, 'a snapshot taken before sees none of it');
    assert.equal(await totalValue(store.snapshot()), 1 + 500 + 5000);
    assert.equal(store.watermark, txId);
    await store.close({ flush: false });
    const reader = await StoreReader.open(dir);
    assert.equal(await totalValue(reader.snapshot()), 1 + 500 + 5000, 'the command line reads transactions');
    await reader.close();
    // A kill while the record was being written leaves its tail cut off: none of the transaction is served.
    const segment = join(dir, 'wal', readdirSync(join(dir, 'wal'))[0]!);
    const size = statSync(segment).size;
    truncateSync(segment, size - 9);
    const cutReader = await StoreReader.open(dir);
    assert.equal(await totalValue(cutReader.snapshot()), 1);
    await cutReader.close();
    const reopened = await Store.open(dir);
    assert.equal(await totalValue(reopened.snapshot()), 1);
    await reopened.close();
  });

  it('refuses an empty or overlong key', async () => {
    const store = await Store.open(dir);
    const stack = stackOf(store, 'main');
    await assert.rejects(store.writeTransaction([simpleWrite(stack, 1, {})], { idempotencyKey: '' }), /idempotency key is 1 to 256 characters/);
    await assert.rejects(store.writeTransaction([simpleWrite(stack, 1, {})], { idempotencyKey: 'x'.repeat(257) }), /idempotency key/);
    assert.equal(store.snapshot().rows, 0);
    await store.close();
  });
});
