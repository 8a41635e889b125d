import { DuckDBInstance } from '@duckdb/node-api';
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from './store';
import { stackOf } from '../test/support/sampleData';

/**
 * The interop promise: a store's blocks are plain Parquet that another engine reads with the same meaning.
 * DuckDB reads every block directly (union_by_name, since blocks have different label columns) and must find
 * the same rows, values, timestamps, label values and nulls as the store itself.
 */
describe('store blocks read by DuckDB', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-duckdb-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same totals per label, the same timestamps and the same nulls', async () => {
    const store = await Store.open(dir);
    const stacks = ['main;a', 'main;b', 'main;b;c'].map(path => stackOf(store, path));
    const start = Date.UTC(2026, 10, 24, 12, 0, 0);
    for (let w = 0; w < 6; w++) {
      const n = 1000 + w * 10;
      await store.write({
        profileType: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds',
        durationNs: 10_000_000_000,
        periodNs: 10_000_000,
        labels: w % 2 === 0 ? { branch: 'main', hostile: 'quote " and \\n and ünïcode' } : { runtime: 'node' },
        rowLabels: { pid: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : String(100 + (i % 7)))) },
        timestamps: Array.from({ length: n }, (_, i) => start + w * 60_000 + i),
        values: Array.from({ length: n }, (_, i) => (i % 5 === 0 ? -(i + 1) : (i + 1) * 1000)),
        stackIds: Array.from({ length: n }, (_, i) => stacks[i % 3]!),
      });
      if (w % 2 === 1) await store.flush();
    }
    await store.flush();
    const expected = await summarise(store);
    await store.close();

    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const glob = join(dir, 'blocks', '*.parquet');
      const source = `read_parquet('${glob}', union_by_name = true)`;
      const byBranch = await connection.runAndReadAll(
        `SELECT coalesce("labels.branch", '<null>') AS branch, count(*)::INTEGER AS n, sum(value)::DOUBLE AS total
         FROM ${source} GROUP BY 1 ORDER BY 1`,
      );
      assert.deepEqual(byBranch.getRowObjectsJS(), expected.byBranch);
      const nulls = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${source} WHERE "labels.pid" IS NULL`);
      assert.deepEqual(nulls.getRowObjectsJS(), [{ n: expected.nullPids }]);
      const time = await connection.runAndReadAll(
        `SELECT min(timestamp)::VARCHAR AS first, max(epoch_ms(timestamp))::DOUBLE AS last, min(value)::DOUBLE AS min_value,
                any_value(profile_type) AS type, max(duration_ns)::DOUBLE AS duration, max(stack_id)::INTEGER AS max_stack
         FROM ${source}`,
      );
      assert.deepEqual(time.getRowObjectsJS(), [
        { first: '2026-11-24 12:00:00', last: expected.lastTimestamp, min_value: expected.minValue, type: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', duration: 10_000_000_000, max_stack: 3 },
      ]);
      const hostile = await connection.runAndReadAll(`SELECT DISTINCT "labels.hostile" AS v FROM ${source} WHERE "labels.hostile" IS NOT NULL`);
      assert.deepEqual(hostile.getRowObjectsJS(), [{ v: 'quote " and \\n and ünïcode' }]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});

async function summarise(store: Store): Promise<{ byBranch: { branch: string; n: number; total: number }[]; nullPids: number; lastTimestamp: number; minValue: number }> {
  const snapshot = store.snapshot();
  const totals = new Map<string, { n: number; total: number }>();
  let nullPids = 0;
  let lastTimestamp = -Infinity;
  let minValue = Infinity;
  for await (const batch of snapshot.scan({ columns: ['labels.branch', 'labels.pid', 'value', 'timestamp'] })) {
    const branch = batch.getChild('labels.branch');
    const pid = batch.getChild('labels.pid');
    const value = batch.getChild('value')!;
    const timestamp = batch.getChild('timestamp')!;
    for (let i = 0; i < batch.numRows; i++) {
      const key = (branch?.get(i) as string | null) ?? '<null>';
      const entry = totals.get(key) ?? { n: 0, total: 0 };
      entry.n++;
      entry.total += value.get(i) as number;
      totals.set(key, entry);
      if ((pid?.get(i) ?? null) === null) nullPids++;
      lastTimestamp = Math.max(lastTimestamp, timestamp.get(i) as number);
      minValue = Math.min(minValue, value.get(i) as number);
    }
  }
  snapshot.release();
  const byBranch = [...totals].map(([branch, t]) => ({ branch, ...t })).sort((a, b) => (a.branch < b.branch ? -1 : 1));
  return { byBranch, nullPids, lastTimestamp, minValue };
}
