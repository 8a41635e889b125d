import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from '../test/support/poll';
import { Store } from './store';
import { StoreReader } from './storeReader';
import { StoreLockedError } from './storeLock';
import { readRows, simpleWrite, stackOf, totalValue } from '../test/support/sampleData';

describe('store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a write visible, whole, by the time it is acknowledged, and advances the watermark', async () => {
    const store = await Store.open(dir);
    const stack = stackOf(store, 'main;work');
    const tx = await store.write(simpleWrite(stack, 3, { branch: 'main' }));
    assert.equal(store.watermark, tx);
    const snapshot = store.snapshot();
    assert.equal(snapshot.watermark, tx);
    const rows = await readRows(snapshot, ['stack_id', 'value', 'labels.branch']);
    assert.deepEqual(rows, Array(3).fill({ stack_id: stack, value: 10, 'labels.branch': 'main' }));
    snapshot.release();
    await store.close();
  });

  it('rejects an invalid write with a clear error and makes none of it visible', async () => {
    const store = await Store.open(dir);
    const stack = stackOf(store, 'main');
    const bad = { ...simpleWrite(stack, 3, { branch: 'main' }), stackIds: [stack, 999, stack] };
    await assert.rejects(store.write(bad), /row 1 refers to unknown stack 999/);
    await assert.rejects(store.write(simpleWrite(stack, 1, { 'bad key': 'x' })), /label key "bad key" must match/);
    assert.equal(store.snapshot().rows, 0);
    assert.equal(store.watermark, 0);
    await store.close();
  });

  it('a snapshot does not see writes acknowledged after it was taken', async () => {
    const store = await Store.open(dir);
    const stack = stackOf(store, 'main');
    await store.write(simpleWrite(stack, 2, {}));
    const before = store.snapshot();
    await store.write(simpleWrite(stack, 5, {}));
    assert.equal(before.rows, 2);
    assert.equal(store.snapshot().rows, 7);
    await store.close();
  });

  it('waitForTx resolves once the tx is visible', async () => {
    const store = await Store.open(dir);
    const stack = stackOf(store, 'main');
    let seen = -1;
    const waiting = store.waitForTx(2).then(() => (seen = store.snapshot().rows));
    await store.write(simpleWrite(stack, 1, {}));
    await store.write(simpleWrite(stack, 1, {}));
    await waiting;
    assert.equal(seen, 2);
    await store.close();
  });

  it('replays unflushed writes from the log after a close without flushing', async () => {
    const store = await Store.open(dir);
    const stack = stackOf(store, 'main;hot');
    await store.write(simpleWrite(stack, 4, { branch: 'main' }));
    await store.close({ flush: false });
    const reopened = await Store.open(dir);
    assert.equal(reopened.openReport.replayedTxs, 1);
    const rows = await readRows(reopened.snapshot(), ['stack_id', 'labels.branch']);
    assert.equal(rows.length, 4);
    // Metadata travels in the log with the samples: the stack still names its frames.
    const frames = [...reopened.metadata.stack(rows[0]!['stack_id'] as number)].map(id => reopened.metadata.frame(id).functionName);
    assert.deepEqual(frames, ['hot', 'main']);
    await reopened.close();
  });

  it('flushes to a Parquet block, checkpoints the log, and reads the block after reopening', async () => {
    const store = await Store.open(dir);
    const stack = stackOf(store, 'main');
    await store.write(simpleWrite(stack, 100, { branch: 'main' }));
    await store.flush();
    assert.equal(store.stats().blocks, 1);
    assert.equal(store.stats().activeRows, 0);
    assert.deepEqual(readdirSync(join(dir, 'blocks')), ['0000000001.parquet']);
    await store.write(simpleWrite(stack, 5, { branch: 'dev' }));
    await store.close({ flush: false });
    const reopened = await Store.open(dir);
    assert.equal(reopened.openReport.replayedTxs, 1, 'only the write after the checkpoint is replayed');
    const rows = await readRows(reopened.snapshot(), ['labels.branch', 'value']);
    assert.equal(rows.filter(r => r['labels.branch'] === 'main').length, 100);
    assert.equal(rows.filter(r => r['labels.branch'] === 'dev').length, 5);
    await reopened.close();
  });

  it('gives every label key its own column, null where a write lacks it', async () => {
    const store = await Store.open(dir);
    const stack = stackOf(store, 'main');
    await store.write(simpleWrite(stack, 1, { branch: 'main' }));
    await store.write({ ...simpleWrite(stack, 2, { runtime: 'node' }), rowLabels: { pid: ['1', null] } });
    const check = async (): Promise<void> => {
      const snapshot = store.snapshot();
      assert.deepEqual(snapshot.columnNames().filter(c => c.startsWith('labels.')), ['labels.branch', 'labels.pid', 'labels.runtime']);
      // Blocks are sorted by their labels, so rows are compared in a canonical order.
      const rows = (await readRows(snapshot, ['labels.branch', 'labels.runtime', 'labels.pid'])).map(r => JSON.stringify(r)).sort();
      assert.deepEqual(rows, [
        { 'labels.branch': 'main', 'labels.runtime': null, 'labels.pid': null },
        { 'labels.branch': null, 'labels.runtime': 'node', 'labels.pid': '1' },
        { 'labels.branch': null, 'labels.runtime': 'node', 'labels.pid': null },
      ].map(r => JSON.stringify(r)).sort());
      snapshot.release();
    };
    await check();
    await store.flush();
    await check();
    await store.close();
  });

  it('lets a reader beside the writer see every acknowledged write without taking the lock or changing a file', async () => {
    const store = await Store.open(dir);
    const stack = stackOf(store, 'main;hot');
    await store.write(simpleWrite(stack, 100, { branch: 'main' }));
    await store.flush();
    await store.write(simpleWrite(stack, 5, { branch: 'dev' }));
    const reader = await StoreReader.open(dir);
    const rows = await readRows(reader.snapshot(), ['labels.branch', 'stack_id']);
    assert.equal(rows.length, 105);
    assert.deepEqual([...reader.snapshot().metadata.stack(rows[0]!['stack_id'] as number)].map(f => reader.snapshot().metadata.frame(f).functionName), ['hot', 'main']);
    await reader.close();
    // The writer still holds the store and goes on writing.
    await store.write(simpleWrite(stack, 1, {}));
    await store.close();
    await assert.rejects(StoreReader.open(join(dir, 'blocks')), /is not an Icicle store/);
  });

  it('refuses a second writer and names the holder', async () => {
    const store = await Store.open(dir, { owner: 'agent for workspace demo' });
    await assert.rejects(Store.open(dir), (error: unknown) => error instanceof StoreLockedError && /agent for workspace demo/.test(error.message));
    await store.close();
  });

  it('sorts a block by its low-cardinality labels so that a label filter skips most of its slices', async () => {
    const store = await Store.open(dir);
    const stack = stackOf(store, 'main');
    const n = 300_000;
    // Four values of `mode`, interleaved row by row as a collector would write them.
    await store.write({ ...simpleWrite(stack, n, {}), rowLabels: { mode: Array.from({ length: n }, (_, i) => `m${i % 4}`) } });
    await store.flush();
    const snapshot = store.snapshot();
    const mayMatch = (stats: { columns: Record<string, { distinct?: string[] }> }): boolean =>
      stats.columns['labels.mode']?.distinct?.includes('m2') ?? true;
    let rows = 0;
    for await (const batch of snapshot.scan({ columns: ['value', 'labels.mode'], mayMatch })) {
      const mode = batch.getChild('labels.mode')!;
      for (let i = 0; i < batch.numRows; i++) if (mode.get(i) === 'm2') rows++;
    }
    assert.equal(rows, n / 4);
    // 300,000 rows make 5 slices of 65,536; sorted, m2's 75,000 rows span 2 of them.
    assert.equal(snapshot.slicesSkipped, 3);
    await store.close();
  });

  it('skips blocks whose statistics rule a filter out', async () => {
    const store = await Store.open(dir);
    const stack = stackOf(store, 'main');
    await store.write(simpleWrite(stack, 10, { branch: 'main' }, 1000));
    await store.flush();
    await store.write(simpleWrite(stack, 10, { branch: 'dev' }, 5000));
    await store.flush();
    const snapshot = store.snapshot();
    const mayMatch = (stats: { columns: Record<string, { distinct?: string[] }> }): boolean =>
      stats.columns['labels.branch']?.distinct?.includes('dev') ?? false;
    let rows = 0;
    for await (const batch of snapshot.scan({ columns: ['value'], mayMatch })) rows += batch.numRows;
    assert.equal(rows, 10);
    assert.equal(snapshot.blocksSkipped, 1);
    await store.close();
  });

  it('compacts small blocks into one without changing what queries see, and keeps files a snapshot or another process may still read', async () => {
    const store = await Store.open(dir, { replacedBlockGraceMs: 2_000 });
    const stack = stackOf(store, 'main');
    for (let i = 0; i < 4; i++) {
      await store.write(simpleWrite(stack, 50, { branch: `b${i}` }, 1000 * i, i + 1));
      await store.flush();
    }
    assert.equal(store.stats().blocks, 4);
    const before = store.snapshot();
    assert.equal(await store.compact(), 3);
    assert.equal(store.stats().blocks, 1);
    assert.equal(await totalValue(before), 50 * (1 + 2 + 3 + 4), 'the old snapshot still reads the compacted-away blocks');
    assert.equal(readdirSync(join(dir, 'blocks')).length, 5);
    before.release();
    // A reader in another process (the command line) may have listed them too: they stay for the grace period.
    assert.equal(readdirSync(join(dir, 'blocks')).length, 5, 'the compacted-away files outlive the last snapshot by the grace period');
    await pollUntil(() => readdirSync(join(dir, 'blocks')).length === 1, { timeoutMs: 15_000, what: 'the compacted-away files to be deleted after the grace period' });
    assert.equal(await totalValue(store.snapshot()), 500);
    await store.close();
    const reopened = await Store.open(dir);
    assert.equal(await totalValue(reopened.snapshot()), 500);
    await reopened.close();
  });

  it('flushes by itself when the active part is full, and compacts once small blocks pile up', async () => {
    const store = await Store.open(dir, { activePartBytes: 16 * 1024, autoCompactBlocks: 4 });
    const stack = stackOf(store, 'main');
    for (let i = 0; i < 24; i++) await store.write(simpleWrite(stack, 400, { i: String(i) }, i * 1000));
    await pollUntil(() => store.stats().activeRows < 400 && store.stats().blocks < 4, { timeoutMs: 20_000, what: 'automatic flushes and compactions' });
    assert.equal(await totalValue(store.snapshot()), 24 * 400 * 10);
    await store.close();
  });

  it('flushes a part that is not full once its first row is older than the age limit', async () => {
    const store = await Store.open(dir, { activePartMaxAgeMs: 200 });
    const stack = stackOf(store, 'main');
    const first = Date.now();
    await store.write(simpleWrite(stack, 5, {}));
    // Writes within the age limit stay in memory; the first one after it sends the part to a block.
    await store.write(simpleWrite(stack, 5, {}));
    if (Date.now() - first < 150) assert.equal(store.stats().blocks, 0, 'a young part stays in memory');
    await pollUntil(() => Date.now() - first > 250, { timeoutMs: 5_000, what: 'the age limit to pass' });
    await store.write(simpleWrite(stack, 5, {}));
    await pollUntil(() => store.stats().blocks === 1 && store.stats().activeRows === 0, { timeoutMs: 10_000, what: 'the part flushed by age' });
    assert.equal(await totalValue(store.snapshot()), 15 * 10);
    await store.close();
  });

  it('drops blocks by age and by total size', async () => {
    const store = await Store.open(dir, { retentionMaxAgeMs: 60_000 });
    const stack = stackOf(store, 'main');
    // Ten minutes from now, so that the blocks written below are past the limit unless their samples are newer.
    const now = Date.now() + 600_000;
    await store.write(simpleWrite(stack, 10, {}, now - 120_000));
    await store.flush();
    await store.write(simpleWrite(stack, 10, {}, now - 1_000));
    await store.flush();
    assert.equal(await store.applyRetention(now), 1);
    assert.equal(store.snapshot().rows, 10);
    await store.close();
    const sized = await Store.open(dir, { retentionMaxBytes: 1 });
    assert.equal(await sized.applyRetention(now), 1, 'the only block exceeds one byte');
    assert.equal(sized.snapshot().rows, 0);
    await sized.close();
  });

  it('keeps a block of old samples written just now, and drops it once its writing is past the age limit too', async () => {
    // An imported profile file keeps its own clock: samples from a year ago, stored today.
    const store = await Store.open(dir, { retentionMaxAgeMs: 60_000 });
    const stack = stackOf(store, 'main');
    const yearAgo = Date.now() - 365 * 24 * 3_600_000;
    await store.write(simpleWrite(stack, 10, {}, yearAgo));
    await store.flush();
    assert.equal(await store.applyRetention(), 0, 'a profile opened today stays');
    await store.compact();
    assert.equal(await store.applyRetention(Date.now() + 120_000), 1, 'two minutes later, past the limit');
    assert.equal(store.snapshot().rows, 0);
    await store.close();
  });

  it('holds 1,000 label keys and 100,000 label values with memory that grows with rows, not keys × rows', async () => {
    const store = await Store.open(dir);
    const stack = stackOf(store, 'main');
    for (let k = 0; k < 1000; k++) {
      const values = Array.from({ length: 100 }, (_, i) => `v${k * 100 + i}`);
      await store.write({ ...simpleWrite(stack, 100, {}), rowLabels: { [`key${k}`]: values } });
    }
    const { activeBytes, activeRows } = store.stats();
    assert.equal(activeRows, 100_000);
    // Dense columns for every key would need 1,000 × 100,000 × 4 bytes = 400 MB (4,000 bytes a row); what remains
    // is the static columns and one dictionary entry per distinct value.
    assert.ok(activeBytes < 200 * activeRows, `active part holds ${activeBytes} bytes for ${activeRows} rows`);
    const snapshot = store.snapshot();
    assert.equal(snapshot.columnNames().filter(c => c.startsWith('labels.')).length, 1000);
    await store.flush();
    assert.ok(store.stats().blocks >= 1000 / 64, 'sparse keys are split across blocks of at most 64 label columns');
    const rows = await readRows(store.snapshot(), ['labels.key999']);
    assert.equal(rows.filter(r => r['labels.key999'] === 'v99950').length, 1);
    await store.close();
  });
});
