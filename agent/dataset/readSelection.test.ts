import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabelMatcher } from '../../common/selector';
import type { ScanSource, Selection } from '../../storage/query';
import { Store } from '../../storage/store';
import { rowsOf as duckRows, withDuckDb } from '../../test/support/duckdbDataset';
import { writeDatasetWithDuckDB } from '../../test/support/duckdbDatasetWriter';
import { readRows } from '../../test/support/sampleData';
import { runsOf } from '../queries/runs/runFunctionCosts';
import { openDataset } from './openDataset';
import { readDatasetSelection } from './readSelection';

const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';
/** A profile type with every character a partition folder must encode: '/', '=', '%', ':', a space, non-ASCII. */
const HOSTILE_TYPE = 'memory:alloc/space=x%41 é:bytes:🧊:bytes';
const HOSTILE_LABEL = 'quote " backslash \\ new\nline ünïcödé 🧊 %2F <b>';
/** Midnight UTC between the two days the samples span. */
const MIDNIGHT = Date.UTC(2026, 0, 2);

/**
 * The dataset reader against an independent writer: a store's samples, written as a dataset by DuckDB
 * (test/support/duckdbDatasetWriter.ts), read back by selection must be the store's rows for that selection — the same
 * values, times, labels and stacks of the same frames — and give the same per-run function costs; files whose
 * partitions or label columns cannot match are not read.
 */
describe('reading a selection from a Parquet dataset written by DuckDB', function () {
  this.timeout(120_000);
  let dir: string;
  let store: Store;
  let dataset: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-dataset-read-'));
    store = await Store.open(join(dir, 'store'));
    const frame = (functionName: string, file: string, line: number, extra: { functionLine?: number; module?: string; address?: number } = {}) =>
      store.internFrame({ functionName, file, line, column: 3, module: extra.module ?? '', address: extra.address ?? 0, ...(extra.functionLine ? { functionLine: extra.functionLine } : {}) });
    const main = frame('main', '/src/dir with space/ü.js', 1);
    const frames = [
      frame('quoted "name"', '/src/q.js', 10),
      frame('new\nline', 'C:\\win\\path.js', 20),
      frame('ünïcödé ☃ 🧊', '/src/ü.js', 30),
      frame('<script>alert(1)</script>', '/src/x.js', 40, { module: 'lib%2F.so', address: 2 ** 40 + 7 }),
      frame('pprofFunction', '/src/p.go', 50, { functionLine: 42 }),
    ];
    const stacks = frames.map(f => store.internStack([f, main]));
    const write = async (profileType: string, labels: Record<string, string>, n: number, startMs: number, pids?: (string | null)[]) => {
      await store.write({
        profileType,
        durationNs: 1_000_000_000,
        periodNs: 10_000_000,
        labels,
        ...(pids ? { rowLabels: { pid: Array.from({ length: n }, (_, i) => pids[i % pids.length]!) } } : {}),
        timestamps: Array.from({ length: n }, (_, i) => startMs + i * 1000),
        values: Array.from({ length: n }, (_, i) => (i + 1) * 10_000_000 + (i % 3)),
        stackIds: Array.from({ length: n }, (_, i) => stacks[i % stacks.length]!),
        lines: Array.from({ length: n }, (_, i) => 100 + (i % 4)),
      });
    };
    // Across midnight, so that each write lands in two date partitions.
    await write(CPU, { session_id: 's1', branch: 'main', hostile: HOSTILE_LABEL }, 40, MIDNIGHT - 20_000, ['7', null, '9']);
    await write(CPU, { session_id: 's2', branch: 'main' }, 30, MIDNIGHT - 10_000);
    await write(CPU, { session_id: 's3', branch: 'feature' }, 25, MIDNIGHT + 5_000);
    await write(HOSTILE_TYPE, { session_id: 's1', branch: 'main' }, 20, MIDNIGHT - 5_000);
    // No branch label at all: its files have no labels.branch column.
    await write(CPU, { profile_id: 'p1' }, 15, MIDNIGHT + 1_000);
    await store.flush();
    dataset = join(dir, 'dataset');
    const written = await writeDatasetWithDuckDB(store.snapshot(), dataset, { duplicateTables: true });
    assert.equal(written.samples, 130);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every selected row in a form both sides share: labels by name, the stack as its frames' fields. */
  async function rowsOf(source: ScanSource, keep: (row: Record<string, unknown>) => boolean): Promise<string[]> {
    const rows = await readRows(source);
    return rows
      .filter(keep)
      .map(row => {
        const labels = Object.entries(row).filter(([k, v]) => k.startsWith('labels.') && v !== null).sort();
        const stack = [...source.metadata.stack(row['stack_id'] as number)].map(id => source.metadata.frame(id));
        return JSON.stringify([row['profile_type'], row['timestamp'], row['value'], row['line'], row['duration_ns'], row['period_ns'], labels, stack]);
      })
      .sort();
  }

  const label = (key: string) => (row: Record<string, unknown>) => row[`labels.${key}`] as string | null;
  const eq = (key: string, value: string): LabelMatcher => ({ key, op: '=', value });
  // The writer makes a file per partition and label key set: s1's rows with a pid (2 dates) and without (2 dates); the
  // rows labelled session_id and branch, of the CPU type (2 dates) and of the hostile one (2 dates); profile_id (1).
  // A file is read only if its label columns hold a value the matchers select: of the nine, branch="feature" is only
  // in the CPU type's second day.
  const cases: { name: string; selection: Selection; keep: (row: Record<string, unknown>) => boolean; skipped: number }[] = [
    { name: 'everything', selection: { matchers: [] }, keep: () => true, skipped: 0 },
    // The profile_id write's files have no branch column: they cannot hold branch="main" and are not read.
    { name: 'branch="main"', selection: { matchers: [eq('branch', 'main')] }, keep: r => label('branch')(r) === 'main', skipped: 1 },
    { name: 'a hostile label value', selection: { matchers: [eq('hostile', HOSTILE_LABEL)] }, keep: r => label('hostile')(r) === HOSTILE_LABEL, skipped: 5 },
    { name: 'the hostile profile type', selection: { matchers: [eq('branch', 'main')], profileType: HOSTILE_TYPE }, keep: r => r['profile_type'] === HOSTILE_TYPE, skipped: 7 },
    { name: 'a regex', selection: { matchers: [{ key: 'branch', op: '=~', value: 'feat.*' }] }, keep: r => label('branch')(r) === 'feature', skipped: 8 },
    {
      name: 'the second day only',
      selection: { matchers: [], timeRange: { startMs: MIDNIGHT, endMs: MIDNIGHT + 86_400_000 } },
      keep: r => (r['timestamp'] as number) >= MIDNIGHT,
      skipped: 4,
    },
    { name: 'pid!="7" (a row label, absent in some rows)', selection: { matchers: [{ key: 'pid', op: '!=', value: '7' }] }, keep: r => label('pid')(r) !== '7', skipped: 0 },
  ];

  for (const { name, selection, keep, skipped } of cases) {
    it(`${name}: the store's rows, the same stacks and the same runs`, async () => {
      const read = await readDatasetSelection(await openDataset(dataset), selection);
      const expected = await rowsOf(store.snapshot(), keep);
      assert.ok(expected.length > 0);
      assert.deepEqual(await rowsOf(read.source, keep), expected);
      assert.equal(read.source.rows, expected.length, 'no row outside the selection is kept');
      assert.equal(read.filesSkipped, skipped, `files skipped (${read.filesRead} read)`);
      assert.deepEqual(await runsOf(read.source, selection), await runsOf(store.snapshot(), selection));
    });
  }

  it('decodes the profile type partitions as DuckDB does, percent-encoded or with ":" written as it is', async () => {
    const samples = join(dataset, 'samples');
    const expected = [CPU, HOSTILE_TYPE].sort();
    const types = async () => [...new Set((await openDataset(dataset)).samples.map(f => f.profileType))].sort();
    assert.deepEqual(await types(), expected);
    assert.deepEqual(await duckTypes(samples), expected);
    // Another writer (Hive, Spark) may leave ':' unencoded; DuckDB reads such a folder back as the same type.
    const encoded = readdirSync(samples).find(f => f.includes('%3A') && f.includes('process_cpu'))!;
    renameSync(join(samples, encoded), join(samples, encoded.replace(/%3A/g, ':')));
    try {
      assert.deepEqual(await types(), expected);
      assert.deepEqual(await duckTypes(samples), expected);
      const read = await readDatasetSelection(await openDataset(dataset), { matchers: [], profileType: CPU });
      assert.equal(read.source.rows, 110);
    } finally {
      renameSync(join(samples, encoded.replace(/%3A/g, ':')), join(samples, encoded));
    }
  });

  it('reads timestamps of another unit (DuckDB TIMESTAMPTZ, microseconds) as the same milliseconds', async () => {
    const micro = join(dir, 'micro');
    await writeDatasetWithDuckDB(store.snapshot(), micro, { timestampUnit: 'us' });
    const read = await readDatasetSelection(await openDataset(micro), { matchers: [] });
    assert.deepEqual(await rowsOf(read.source, () => true), await rowsOf(store.snapshot(), () => true));
  });
});

async function duckTypes(samples: string): Promise<string[]> {
  const rows = await withDuckDb(connection => duckRows(connection, `SELECT DISTINCT profile_type FROM read_parquet('${samples}/**/*.parquet', hive_partitioning = true, union_by_name = true)`));
  return rows.map(r => r['profile_type'] as string).sort();
}
