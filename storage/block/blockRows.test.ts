import * as assert from 'node:assert/strict';
import type { RecordBatch } from 'apache-arrow';
import { random } from '../../test/support/random';
import { ActivePart } from '../part/activePart';
import { encodeWrite, type SampleWrite } from '../write/sampleWrite';
import { mergeAndSortRows } from './blockRows';
import { ScratchBuffers } from './scratchBuffers';

type Row = Record<string, string | number | null>;

/** Every row of some batches as plain objects, every column named (null where a batch lacks it). */
function rowsOf(batches: RecordBatch[], names: string[]): Row[] {
  return batches.flatMap(batch =>
    Array.from({ length: batch.numRows }, (_, i) => Object.fromEntries(names.map(name => [name, (batch.getChild(name)?.get(i) as string | number | null | undefined) ?? null]))),
  );
}

/**
 * The order a block's rows must have, written the slow and obvious way: a stable sort by every string column with at
 * most 1,024 distinct values, fewest values first, nulls before values, values in code-unit order.
 */
function referenceOrder(rows: Row[], names: string[]): Row[] {
  const stringColumns = names.filter(name => name === 'profile_type' || name.startsWith('labels.'));
  const distinct = new Map(stringColumns.map(name => [name, new Set(rows.map(r => r[name]).filter(v => v !== null))]));
  const keys = stringColumns.filter(name => distinct.get(name)!.size <= 1024).sort((a, b) => distinct.get(a)!.size - distinct.get(b)!.size);
  const compare = (a: Row, b: Row): number => {
    for (const key of keys) {
      const x = a[key] as string | null;
      const y = b[key] as string | null;
      if (x === y) continue;
      if (x === null) return -1;
      if (y === null) return 1;
      return x < y ? -1 : 1;
    }
    return 0;
  };
  return [...rows].sort(compare);
}

/** Writes of random rows through the active part, as a flush hands them to the block worker. */
function partBatches(seed: number, writes: number, labelValues: Record<string, number>): RecordBatch[] {
  const next = random(seed);
  const part = new ActivePart();
  for (let w = 0; w < writes; w++) {
    const n = 1 + Math.floor(next() * 3000);
    const rowLabels: Record<string, (string | null)[]> = {};
    // Some writes lack some labels (another batch of the part), some rows lack them (nulls within a batch).
    for (const [key, values] of Object.entries(labelValues)) {
      if (next() < 0.2) continue;
      // Keys starting with u_ take non-ASCII values (the block's dictionaries are then decoded value by value).
      const prefix = key.startsWith('u_') ? 'é🙂' : '';
      rowLabels[key] = Array.from({ length: n }, () => (next() < 0.1 ? null : `${prefix}${key}-${Math.floor(next() * values)}`));
    }
    const write: SampleWrite = {
      profileType: next() < 0.5 ? 'cpu:samples:count:cpu:nanoseconds' : 'memory:alloc_space:bytes::',
      periodNs: w % 3 === 0 ? 1000 : 10_000_000,
      timestamps: Array.from({ length: n }, (_, i) => 1_700_000_000_000 + w * 10_000 + i),
      values: Array.from({ length: n }, () => Math.floor(next() * 1000)),
      stackIds: Array.from({ length: n }, () => 1 + Math.floor(next() * 50)),
      lines: Array.from({ length: n }, (_, i) => (w % 2 === 0 ? 0 : i % 7)),
      rowLabels,
    };
    part.append(encodeWrite(write, 50), w + 1);
  }
  return part.snapshot().map(s => s.batch);
}

describe('mergeAndSortRows', () => {
  const cases: [string, Record<string, number>][] = [
    // A few values per label: the counting sort.
    ['low-cardinality labels (counting sort)', { region: 4, service: 30, thread: 2000 }],
    // 1,000 × 1,000 keys exceed the counting sort's key space: the comparison sort.
    ['a wide key space (comparison sort)', { a: 1000, b: 1000 }],
    // ASCII and non-ASCII label values side by side: the two ways batch dictionaries are decoded.
    ['non-ASCII label values', { u_region: 4, u_thread: 2000, service: 30 }],
  ];
  for (const [name, labelValues] of cases) {
    it(`holds the same rows as its batches, in the reference order: ${name}`, () => {
      const batches = partBatches(7, 12, labelValues);
      const merged = mergeAndSortRows(batches);
      const names = merged.schema.fields.map(f => f.name);
      const expected = referenceOrder(rowsOf(batches, names), names);
      assert.equal(merged.numRows, expected.length);
      assert.deepEqual(rowsOf([merged], names), expected);
    });
  }

  it('gives the same rows through reused buffers, merging part after part (bigger, then smaller, labels missing)', () => {
    const scratch = new ScratchBuffers(60_000);
    try {
      // Parts of different sizes and label sets, so that each merge finds the last one's values in the buffers.
      const parts: [number, number, Record<string, number>][] = [
        [11, 14, { region: 4, service: 30, thread: 2000 }],
        [12, 3, { region: 4 }],
        [13, 9, { a: 1000, b: 1000, thread: 50 }],
        [14, 2, { service: 3, u_thread: 20 }],
      ];
      for (const [seed, writes, labelValues] of parts) {
        const batches = partBatches(seed, writes, labelValues);
        const expected = mergeAndSortRows(batches);
        const names = expected.schema.fields.map(f => f.name);
        const reused = mergeAndSortRows(batches, scratch);
        assert.deepEqual(reused.schema.fields.map(f => f.name), names);
        assert.deepEqual(rowsOf([reused], names), rowsOf([expected], names), `seed ${seed}`);
      }
      assert.ok(scratch.heldBytes > 0);
    } finally {
      scratch.release();
    }
  });
});
