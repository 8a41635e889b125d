import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { functionKey } from '../../../common/functionIdentity';
import { COLUMN, labelColumn } from '../../../storage/schema';
import { Store } from '../../../storage/store';
import type { StoreSnapshot } from '../../../storage/storeSnapshot';
import { corpusDir } from '../../../test/support/corpus';
import { rowsOf, sqlBlocks, viewsOver, withDuckDb } from '../../../test/support/duckdbDataset';
import { importProfileBytes } from '../../import/importFile';
import { runFunctionCosts } from '../../queries/runs/runFunctionCosts';
import { sourceCosts } from '../../queries/source/sourceCosts';
import { functionCosts } from '../../queries/stacks/functionCosts';
import { exportDataset } from './exportDataset';

const DOC = join(__dirname, '..', '..', '..', 'docs', 'design', 'parquet-dataset.md');
const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';
/** Real profiles of the shared corpus, two runs a branch, and a Go profile of other types without a branch. */
const RUNS: [string, Record<string, string>][] = [
  ['cpuprofile/sucrase.cpuprofile', { branch: 'main' }],
  ['cpuprofile/example.cpuprofile', { branch: 'main' }],
  ['generated/tsc-small.cpuprofile.gz', { branch: 'feature' }],
  ['cpuprofile/simple.cpuprofile', { branch: 'feature' }],
  ['generated/go-workload.allocs.pb.gz', {}],
];

/**
 * The design note's SQL is run as written (only the dataset's folder put in), in DuckDB, over a dataset exported from
 * corpus profiles, and each answer is compared with Icicle's own: its query engine's function, line and per-run costs,
 * and sums over the store's rows. So the note cannot drift from the writer.
 */
describe('docs/design/parquet-dataset.md: its SQL over an exported corpus gives Icicle’s answers', function () {
  this.timeout(120_000);
  let dir: string;
  let store: Store;
  let snapshot: StoreSnapshot;
  const blocks = sqlBlocks(DOC);
  const query = async (example: number): Promise<Record<string, unknown>[]> =>
    withDuckDb(async connection => {
      await connection.run(viewsOver(blocks[0]!, [join(dir, 'dataset')]));
      return rowsOf(connection, blocks[example]!);
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-dataset-doc-'));
    store = await Store.open(join(dir, 'store'));
    for (const [file, labels] of RUNS) await importProfileBytes(store, readFileSync(join(corpusDir(), file)), file, labels);
    await store.flush();
    snapshot = store.snapshot();
    const summary = await exportDataset(snapshot, { matchers: [] }, '', join(dir, 'dataset'));
    assert.equal(summary.samplesWritten, snapshot.rows);
  });
  after(async () => {
    snapshot.release();
    await store.close({ flush: false });
    rmSync(dir, { recursive: true, force: true });
  });

  it('has the views and the five examples', () => {
    assert.equal(blocks.length, 6);
    assert.match(blocks[0]!, /CREATE OR REPLACE VIEW stacks AS\s+SELECT DISTINCT/);
    assert.match(blocks[0]!, /CREATE OR REPLACE VIEW frames AS\s+SELECT DISTINCT/);
  });

  it('1: the top functions by self time of a label selection are icicle top’s', async () => {
    const rows = await query(1);
    const icicle = (await functionCosts(snapshot, { profileType: CPU, matchers: [{ key: 'branch', op: '=', value: 'main' }] })).filter(f => f.self !== 0);
    const byKey = new Map(icicle.map(f => [functionKey({ name: f.functionName, file: f.file, line: f.line, column: f.column }), f]));
    assert.equal(rows.length, 20);
    for (const row of rows) {
      const key = functionKey({ name: row['function_name'] as string, file: row['file'] as string, line: row['function_line'] as number, column: row['function_column'] as number });
      assert.equal(row['self_ns'], byKey.get(key)?.self, key);
      assert.equal(row['samples'], byKey.get(key)?.selfSamples, key);
    }
    const top = icicle.map(f => f.self).sort((a, b) => b - a).slice(0, 20);
    assert.deepEqual(rows.map(r => r['self_ns']), top);
  });

  it('2: the per-line cost of one file is the language server’s', async () => {
    const rows = await query(2);
    const file = /file = '([^']+)'/.exec(blocks[2]!)![1]!;
    const costs = (await sourceCosts(snapshot, { profileType: CPU, matchers: [] })).files.find(f => f.file === file);
    assert.ok(costs, `${file} is in the corpus profiles`);
    const expected = costs.lines.filter(l => l.selfSamples > 0).map(l => ({ line: l.line, self_ns: l.self, samples: l.selfSamples })).sort((a, b) => a.line - b.line);
    assert.ok(expected.length > 3);
    assert.deepEqual(rows, expected);
  });

  it('3: the totals per branch are the sums of the store’s rows', async () => {
    const rows = await query(3);
    const totals = new Map<string, { profile_type: string; branch: string | null; samples: number; total: number }>();
    await eachRow(snapshot, [COLUMN.profileType, labelColumn('branch'), COLUMN.value], ([type, branch, value]) => {
      const key = JSON.stringify([type, branch]);
      const entry = totals.get(key) ?? { profile_type: type as string, branch: branch as string | null, samples: 0, total: 0 };
      entry.samples++;
      entry.total += value as number;
      totals.set(key, entry);
    });
    const expected = [...totals.values()].sort((a, b) => cmp(a.profile_type, b.profile_type) || cmp(a.branch ?? '\uffff', b.branch ?? '\uffff'));
    assert.ok(expected.length >= 4);
    assert.deepEqual(rows, expected);
  });

  it('4: the per-minute time series is the sum of the store’s rows per minute', async () => {
    const rows = await query(4);
    const minutes = new Map<number, { cpu_ns: number; samples: number }>();
    await eachRow(snapshot, [COLUMN.profileType, COLUMN.timestamp, COLUMN.value], ([type, timestamp, value]) => {
      if (type !== CPU) return;
      const minute = Math.floor((timestamp as number) / 60_000) * 60_000;
      const entry = minutes.get(minute) ?? { cpu_ns: 0, samples: 0 };
      entry.cpu_ns += value as number;
      entry.samples++;
      minutes.set(minute, entry);
    });
    const expected = [...minutes].sort(([a], [b]) => a - b).map(([minute, e]) => ({ minute, ...e }));
    assert.deepEqual(
      rows.map(r => ({ ...r, minute: (r['minute'] as Date).getTime() })),
      expected,
    );
  });

  it('5: the regression query’s means per run are those of Icicle’s per-run costs (what icicle diff compares)', async () => {
    const rows = await query(5);
    const means = async (branch: string): Promise<Map<string, number>> => {
      const runs = await runFunctionCosts(snapshot, { profileType: CPU, matchers: [{ key: 'branch', op: '=', value: branch }] }, 'profile_id');
      assert.equal(runs.length, 2);
      const sums = new Map<string, number>();
      for (const run of runs) for (const f of run.functions) sums.set(functionKey({ name: f.functionName, file: f.file, line: f.line, column: f.column }), (sums.get(functionKey({ name: f.functionName, file: f.file, line: f.line, column: f.column })) ?? 0) + f.self);
      return new Map([...sums].map(([k, v]) => [k, v / runs.length]));
    };
    const [main, feature] = [await means('main'), await means('feature')];
    assert.equal(rows.length, 20);
    for (const row of rows) {
      const key = functionKey({ name: row['function_name'] as string, file: row['file'] as string, line: row['function_line'] as number, column: row['function_column'] as number });
      assertClose(row['main_ns'] as number, main.get(key) ?? 0, key);
      assertClose(row['feature_ns'] as number, feature.get(key) ?? 0, key);
      assertClose(row['change_ns'] as number, (feature.get(key) ?? 0) - (main.get(key) ?? 0), key);
    }
    const changes = [...new Set([...main.keys(), ...feature.keys()])].map(k => Math.abs((feature.get(k) ?? 0) - (main.get(k) ?? 0))).sort((a, b) => b - a);
    rows.forEach((row, i) => assertClose(Math.abs(row['change_ns'] as number), changes[i]!, `rank ${i}`));
  });
});

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} ≠ ${expected}`);
}

/** Every stored row's values of `columns` (null where a batch lacks a label), independently of the query engine. */
async function eachRow(snapshot: StoreSnapshot, columns: string[], visit: (values: unknown[]) => void): Promise<void> {
  for await (const batch of snapshot.scan({ columns })) {
    const vectors = columns.map(c => batch.getChild(c));
    for (let i = 0; i < batch.numRows; i++) visit(vectors.map(v => v?.get(i) ?? null));
  }
}
