import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { functionKey } from '../../common/functionIdentity';
import { exportDataset } from '../../agent/export/parquetDataset/exportDataset';
import { functionCosts } from '../../agent/queries/stacks/functionCosts';
import type { Store } from '../../storage/store';
import { processCpuMs, progress, timeAsync } from './benchTiming';
import { directoryBytes } from './storeLoad';

export interface ExportFigures {
  samples: number;
  /** The first export of the whole store into a new folder, and the same export again (which writes nothing). */
  exportMs: number;
  exportCpuMs: number;
  reexportMs: number;
  /** Every file of the dataset, and its samples files alone. */
  datasetBytes: number;
  samplesBytes: number;
  /** The top-functions query (the design note's first example) over the dataset in DuckDB, and Icicle's over the store. */
  duckdbTopMs: number;
  icicleTopMs: number;
  /** Whether DuckDB's top 20 functions and their self values are Icicle's. */
  topAgrees: boolean;
}

const DOC = join(__dirname, '..', '..', 'docs', 'design', 'parquet-dataset.md');

/**
 * `icicle export --format parquet` of the benchmark's store: how fast it writes and how large the dataset is, then the
 * design note's top-functions query (a label filter, the leaf's function, self time) in DuckDB over the dataset against
 * Icicle's engine over the store, same data, and whether their answers agree.
 */
export async function runExportPhase(store: Store, label: { key: string; value: string }, runs: number): Promise<ExportFigures> {
  const directory = await mkdtemp(join(tmpdir(), 'icicle-export-bench-'));
  const snapshot = store.snapshot();
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    progress(`export: ${snapshot.rows.toLocaleString('en')} samples as a Parquet dataset`);
    let started = performance.now();
    const { result: summary, cpuMs: exportCpuMs } = await processCpuMs(() => exportDataset(snapshot, { matchers: [] }, '', directory));
    const exportMs = performance.now() - started;
    progress('export: the same again (writes nothing)');
    started = performance.now();
    const again = await exportDataset(snapshot, { matchers: [] }, '', directory);
    const reexportMs = performance.now() - started;
    if (again.filesWritten !== 0) throw new Error(`exporting the same store again wrote ${again.filesWritten} files`);

    progress('export: top functions, Icicle over the store, DuckDB over the dataset');
    const selection = { matchers: [{ key: label.key, op: '=' as const, value: label.value }] };
    const icicle = await timeAsync(runs, async () => topOf(await functionCosts(snapshot, selection)));
    const views = /```sql\n([\s\S]*?)```/.exec(readFileSync(DOC, 'utf8'))![1]!.replaceAll("'icicle-dataset/", `'${directory}/`);
    await connection.run(views);
    const sql = `SELECT function_name, file, function_line, function_column, sum(value) AS self_ns FROM leaf_samples
      WHERE "labels.${label.key}" = '${label.value.replaceAll("'", "''")}' GROUP BY ALL ORDER BY self_ns DESC LIMIT 20`;
    const duck = await timeAsync(runs, async () =>
      (await connection.runAndReadAll(sql)).getRowObjectsJS().map(r => ({
        key: functionKey({ name: r['function_name'] as string, file: r['file'] as string, line: Number(r['function_line']), column: Number(r['function_column']) }),
        self: Number(r['self_ns']),
      })),
    );
    const expected = new Map(icicle.result.map(f => [f.key, f.self]));
    const topAgrees =
      duck.result.length === icicle.result.length && duck.result.every(row => expected.get(row.key) === row.self) && duck.result.map(r => r.self).join() === icicle.result.map(r => r.self).join();
    return {
      samples: summary.samples,
      exportMs,
      exportCpuMs,
      reexportMs,
      datasetBytes: await directoryBytes(directory),
      samplesBytes: summary.samplesBytes,
      duckdbTopMs: duck.ms,
      icicleTopMs: icicle.ms,
      topAgrees,
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
    snapshot.release();
    await rm(directory, { recursive: true, force: true });
  }
}

/** The 20 functions with the most self value, as function key and self value. */
function topOf(costs: Awaited<ReturnType<typeof functionCosts>>): { key: string; self: number }[] {
  return costs
    .filter(f => f.self !== 0)
    .sort((a, b) => b.self - a.self)
    .slice(0, 20)
    .map(f => ({ key: functionKey({ name: f.functionName, file: f.file, line: f.line, column: f.column }), self: f.self }));
}
