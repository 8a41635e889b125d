import * as assert from 'node:assert/strict';
import type { RecordBatch } from 'apache-arrow';
import { random } from '../../test/support/random';
import { ActivePart } from '../part/activePart';
import { encodeWrite, type SampleWrite } from '../write/sampleWrite';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { fromTransferBatch, rowBuffersOf, toTransferBatch, transferablesOf, type TransferBatch } from './batchTransfer';
import { BlockWorkerClient } from './blockWorkerClient';
import { TransferPool } from './transferPool';

type Row = Record<string, unknown>;

function rowsOf(batch: RecordBatch): Row[] {
  const names = batch.schema.fields.map(f => f.name);
  return Array.from({ length: batch.numRows }, (_, i) => Object.fromEntries(names.map(name => [name, batch.getChild(name)!.get(i) as unknown])));
}

/** A part of two label key sets (two batches), with nulls, non-ASCII and lone-surrogate label values. */
function partBatches(seed = 11): RecordBatch[] {
  const next = random(seed);
  const part = new ActivePart();
  const odd = ['naïve', '東京', '🙂', '\ud800', 'x\udc00y', ''];
  for (let w = 0; w < 6; w++) {
    const n = 2_000 + Math.floor(next() * 3_000);
    const write: SampleWrite = {
      profileType: 'cpu:samples:count:cpu:nanoseconds',
      periodNs: 10_000_000,
      labels: w % 2 === 0 ? { host: `h${w}` } : {},
      timestamps: Array.from({ length: n }, (_, i) => 1_700_000_000_000 + w * 100_000 + i),
      values: Array.from({ length: n }, () => Math.floor(next() * 1000)),
      stackIds: Array.from({ length: n }, () => 1 + Math.floor(next() * 50)),
      lines: Array.from({ length: n }, (_, i) => i % 7),
      rowLabels: {
        thread: Array.from({ length: n }, () => (next() < 0.1 ? null : odd[Math.floor(next() * odd.length)]!)),
        request: Array.from({ length: n }, () => `r${Math.floor(next() * 5000)}`),
      },
    };
    part.append(encodeWrite(write, 50), w + 1);
  }
  return part.snapshot().map(s => s.batch);
}

describe('batches handed to the block worker as typed arrays', () => {
  it('arrive with every row and column as sent, through a transferring message, and leave the part readable', () => {
    const batches = partBatches();
    assert.equal(batches.length, 2, 'batches of two label key sets');
    const before = batches.map(rowsOf);
    const sent = batches.map(batch => toTransferBatch(batch)!);
    assert.ok(sent.every(Boolean), 'every batch of the active part fits');
    const received = structuredClone(sent, { transfer: sent.flatMap(transferablesOf) }) as TransferBatch[];
    assert.ok(sent.every(batch => transferablesOf(batch).every(buffer => buffer.byteLength === 0)), 'the copies were transferred, not cloned');
    received.forEach((batch, i) => {
      const rebuilt = fromTransferBatch(batch);
      assert.deepEqual(rebuilt.schema.fields.map(f => f.name), batches[i]!.schema.fields.map(f => f.name));
      assert.deepEqual(rowsOf(rebuilt), before[i]);
    });
    assert.deepEqual(batches.map(rowsOf), before, 'the part keeps its own arrays');
  });

  it('declines a batch whose columns are offset views (the caller sends Arrow IPC instead)', () => {
    const batch = partBatches()[0]!;
    assert.equal(toTransferBatch(batch.slice(10, 100)), undefined);
  });

  it('copies into buffers the pool holds, of the right size, and gives every row as sent', () => {
    const batches = partBatches();
    const pool = new TransferPool(64 * 2 ** 20, 60_000);
    const first = batches.map(batch => toTransferBatch(batch, pool)!);
    const given = first.flatMap(rowBuffersOf);
    pool.give(given);
    assert.equal(pool.heldBytes, given.reduce((sum, b) => sum + b.byteLength, 0));
    // Another part with the same batch sizes: its copies land in the given buffers, over the first part's rows.
    const again = batches.map(batch => toTransferBatch(batch, pool)!);
    assert.ok(again.flatMap(rowBuffersOf).every(buffer => given.includes(buffer)), 'every row column reused a given buffer');
    assert.equal(pool.heldBytes, 0);
    again.forEach((batch, i) => assert.deepEqual(rowsOf(fromTransferBatch(batch)), rowsOf(batches[i]!)));
    pool.give([new ArrayBuffer(60 * 2 ** 20), new ArrayBuffer(8 * 2 ** 20)]);
    assert.equal(pool.heldBytes, 60 * 2 ** 20, 'buffers past the bound are let go');
    pool.release();
  });

  it('through the block worker: the buffers come back after each write and the next blocks hold their own rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'icicle-transfer-'));
    const client = new BlockWorkerClient();
    try {
      for (const seed of [21, 22, 23]) {
        const batches = partBatches(seed);
        const path = join(dir, `${seed}.parquet`);
        await client.writeBlock(path, batches, 1 << 20);
        assert.ok(client.pooledBytes > 0, `seed ${seed}: the worker gave the batches' buffers back`);
        const back = await client.readBlock(path, crc32(readFileSync(path)), undefined);
        const key = (row: Row): string => JSON.stringify([row['timestamp'], row['value'], row['stack_id'], row['line'], row['labels.thread'], row['labels.request'], row['labels.host']]);
        const expected = batches.flatMap(rowsOf).map(key).sort();
        assert.deepEqual(back.flatMap(rowsOf).map(key).sort(), expected, `seed ${seed}`);
      }
      // A writer that is done (Store.flush) lets go of both sides' buffers at once; the next write allocates afresh.
      const pooled = client.pooledBytes;
      const freed = await client.releaseBuffers();
      assert.ok(freed > pooled, `the worker's reused encoding buffers were let go too (${freed} bytes, ${pooled} of them pooled)`);
      assert.equal(client.pooledBytes, 0);
      assert.equal(await client.releaseBuffers(), 0, 'nothing is held after a release');
      const path = join(dir, 'after-release.parquet');
      const batches = partBatches(24);
      await client.writeBlock(path, batches, 1 << 20);
      assert.equal((await client.readBlock(path, crc32(readFileSync(path)), undefined)).reduce((sum, b) => sum + b.numRows, 0), batches.reduce((sum, b) => sum + b.numRows, 0));
    } finally {
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
