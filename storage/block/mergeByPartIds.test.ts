import * as assert from 'node:assert/strict';
import { Table, tableFromIPC, tableToIPC, type RecordBatch } from 'apache-arrow';
import { random } from '../../test/support/random';
import { ActivePart } from '../part/activePart';
import { labelColumn } from '../schema';
import { dictionaryEncode, encodeWrite, type SampleWrite } from '../write/sampleWrite';
import { fromTransferBatch, toTransferBatch } from './batchTransfer';
import { mergeAndSortRows } from './blockRows';
import { concatByPartIds } from './mergeByPartIds';

type Row = Record<string, unknown>;

function rowsOf(batch: RecordBatch): Row[] {
  const names = batch.schema.fields.map(f => f.name);
  return Array.from({ length: batch.numRows }, (_, i) => Object.fromEntries(names.map(name => [name, batch.getChild(name)!.get(i) as unknown])));
}

/** Each string column's dictionary as the block stores it, entry by entry. */
function dictionariesOf(batch: RecordBatch): Record<string, unknown[]> {
  return Object.fromEntries(batch.schema.fields.flatMap(f => {
    const dictionary = batch.getChild(f.name)!.data[0]!.dictionary;
    return dictionary ? [[f.name, [...dictionary]]] : [];
  }));
}

/**
 * A part of two label key sets (two batches sharing their row labels' ids), with nulls, non-ASCII and
 * lone-surrogate values, per-request ids shared across batches, and writes both as strings and in dictionary form.
 */
function partBatches(): RecordBatch[] {
  const next = random(21);
  const part = new ActivePart();
  const odd = ['naïve', '東京', '🙂', '\ud800', 'x\udc00y', ''];
  for (let w = 0; w < 8; w++) {
    const n = 5_000 + Math.floor(next() * 3_000);
    const request = Array.from({ length: n }, () => (next() < 0.05 ? null : `trace-${Math.floor(next() * 20_000).toString(16)}`));
    const write: SampleWrite = {
      profileType: w % 3 === 0 ? 'cpu:samples:count:cpu:nanoseconds' : 'alloc:bytes:bytes:space:bytes',
      periodNs: 10_000_000,
      labels: w % 2 === 0 ? { host: `h${w % 4}` } : {},
      timestamps: Array.from({ length: n }, (_, i) => 1_700_000_000_000 + w * 100_000 + i),
      values: Array.from({ length: n }, () => Math.floor(next() * 1000)),
      stackIds: Array.from({ length: n }, () => 1 + Math.floor(next() * 50)),
      rowLabels: {
        thread: Array.from({ length: n }, () => (next() < 0.1 ? null : odd[Math.floor(next() * odd.length)]!)),
        request: w % 2 === 0 ? dictionaryEncode(request, 'request') : request,
      },
    };
    part.append(encodeWrite(write, 50, part.labels), w + 1);
  }
  return part.snapshot().map(s => s.batch);
}

describe("a flush's batches merged by their entries' part-wide ids", () => {
  it('give the same block, rows and dictionaries, as merging by string', () => {
    const batches = partBatches();
    assert.equal(batches.length, 2, 'batches of two label key sets');
    const received = batches.map(batch => fromTransferBatch(toTransferBatch(batch)!));
    const withoutIds = batches.map(batch => tableFromIPC(tableToIPC(new Table([batch]), 'stream')).batches[0]!);
    const rows = batches.reduce((sum, b) => sum + b.numRows, 0);
    for (const key of ['thread', 'request', 'host']) {
      assert.ok(concatByPartIds(received, labelColumn(key), rows), `${key} merges by id`);
      assert.equal(concatByPartIds(withoutIds, labelColumn(key), rows), undefined, `${key} without ids merges by string`);
    }
    const byId = mergeAndSortRows(received);
    const byString = mergeAndSortRows(withoutIds);
    assert.deepEqual(dictionariesOf(byId), dictionariesOf(byString));
    assert.deepEqual(rowsOf(byId), rowsOf(byString));
    assert.equal(byId.numRows, rows);
  });
});
