import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRows, stackOf } from '../test/support/sampleData';
import { SAMPLE_COLUMNS, STATIC_COLUMNS, type ColumnDescriptor } from './schema';
import { Store } from './store';
import type { SampleWrite } from './write/sampleWrite';

/**
 * Every static column declared in the schema (SAMPLE_COLUMNS) reaches the store whole by every path: visible at
 * once (the active part), replayed from the write-ahead log, and read from a Parquet block. The write is made from
 * the declarations alone, so a column added to the schema is covered here without editing this test.
 */
describe('the schema’s sample columns', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-columns-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps each column’s values through the active part, a log replay and a block', async () => {
    const store = await Store.open(dir, { autoCompactBlocks: 0 });
    const stacks = [stackOf(store, 'main;a'), stackOf(store, 'main;b'), stackOf(store, 'main;c')];
    const n = 5;
    const write: Record<string, unknown> = { labels: { run: 'r1' }, rowLabels: { thread: ['t0', null, 't1', 't0', 't2'] } };
    const expected: Record<string, unknown>[] = Array.from({ length: n }, () => ({ 'labels.run': 'r1' }));
    const descriptors: readonly ColumnDescriptor[] = SAMPLE_COLUMNS;
    descriptors.forEach((column, c) => {
      if (column.per === 'write') {
        const value = column.type === 'string' ? `type-${c}` : 1000 + c;
        write[column.field] = value;
        for (const row of expected) row[column.name] = value;
      } else {
        // Distinct per column and row; stack ids must name stacks the store holds.
        const values = Array.from({ length: n }, (_, i) => (column.check === 'stackId' ? stacks[i % stacks.length]! : 1_700_000_000_000 * Number(column.disk === 'timestamp') + 10 * c + i));
        write[column.field] = values;
        values.forEach((value, i) => (expected[i]![column.name] = value));
      }
    });
    ['t0', null, 't1', 't0', 't2'].forEach((thread, i) => (expected[i]!['labels.thread'] = thread));
    await store.write(write as SampleWrite);
    const columns = [...STATIC_COLUMNS, 'labels.run', 'labels.thread'];
    const read = async (s: Store): Promise<Record<string, unknown>[]> => {
      const snapshot = s.snapshot();
      try {
        return inOrder(await readRows(snapshot, columns));
      } finally {
        snapshot.release();
      }
    };
    const want = inOrder(expected);
    assert.deepEqual(await read(store), want, 'the active part');
    await store.close({ flush: false });
    const replayed = await Store.open(dir, { autoCompactBlocks: 0 });
    assert.deepEqual(await read(replayed), want, 'a replay of the log');
    await replayed.flush();
    assert.deepEqual(await read(replayed), want, 'a block');
    await replayed.close();
  });

  it('gives a column left out of a write its default, and refuses a write without a required one', async () => {
    const store = await Store.open(dir, { autoCompactBlocks: 0 });
    const stack = stackOf(store, 'main');
    const required = { profileType: 'cpu:samples:count:cpu:nanoseconds', timestamps: [1_700_000_000_000], values: [1], stackIds: [stack] };
    await store.write(required);
    const snapshot = store.snapshot();
    const [row] = await readRows(snapshot, [...STATIC_COLUMNS]);
    snapshot.release();
    for (const column of SAMPLE_COLUMNS) if ('default' in column) assert.equal(row![column.name], column.default, column.name);
    for (const column of SAMPLE_COLUMNS) {
      if ('default' in column) continue;
      const { [column.field]: _left, ...without } = required as Record<string, unknown>;
      await assert.rejects(store.write(without as SampleWrite), /a write needs/, column.field);
    }
    await store.close();
  });
});

/** Rows in one order, whatever order a path keeps them in (a flush sorts a block's rows by their labels). */
function inOrder(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
