import * as assert from 'node:assert/strict';
import type { RecordBatch } from 'apache-arrow';
import { random } from '../../test/support/random';
import { ActivePart } from '../part/activePart';
import { encodeWrite, type SampleWrite } from '../write/sampleWrite';
import { fromTransferBatch, toTransferBatch, transferablesOf, type TransferBatch } from './batchTransfer';

type Row = Record<string, unknown>;

function rowsOf(batch: RecordBatch): Row[] {
  const names = batch.schema.fields.map(f => f.name);
  return Array.from({ length: batch.numRows }, (_, i) => Object.fromEntries(names.map(name => [name, batch.getChild(name)!.get(i) as unknown])));
}

/** A part of two label key sets (two batches), with nulls, non-ASCII and lone-surrogate label values. */
function partBatches(): RecordBatch[] {
  const next = random(11);
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
});
