import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processCpuMs, progress, timeAsync } from './benchTiming';
import { DuckDbPeer } from './duckdbPeer';
import type { GeneratedCatalog, GeneratedSamples } from './generateSamples';
import type { MergeResult, PerLineResult } from './mergeResult';
import type { QueryFigure } from './storePhase';
import { catalogStacks, floorColumns, floorMergeStacks, floorMergeStacksFused, floorPerLine } from './typedArrayFloor';

export interface FloorFigures {
  merge1m: QueryFigure;
  merge10m: QueryFigure;
  /** The single fused loop, for reference (slower than the two-pass floor under V8). */
  fusedMerge10m: QueryFigure;
  perLine10m: { ms: number; result: PerLineResult };
}

export interface DuckDbFigures {
  threads: number;
  ingest1mMs: number;
  ingestRestMs: number;
  /** CPU time of the whole process (DuckDB's threads included) during both ingests. */
  ingestCpuMs: number;
  merge1m: QueryFigure;
  merge10m: QueryFigure;
  perLine10m: { ms: number; result: PerLineResult };
  parquetBytes: number;
  parquetWriteMs: number;
  memoryMb: number;
}

interface PeerInput {
  catalog: GeneratedCatalog;
  samples: GeneratedSamples;
  smallRows: number;
  rows: number;
  labelValue: string;
  file: string;
  runs: number;
}

/** The floor over the first 1M rows and over all 10M: the same loop, typed arrays already in memory. */
export async function runFloorPhase(input: PeerInput): Promise<FloorFigures> {
  const { catalog, samples, runs } = input;
  const code = catalog.labelA.indexOf(input.labelValue);
  const all = floorColumns(samples, catalog.stacks.length, input.rows);
  const small = { ...all, stackIds: all.stackIds.subarray(0, input.smallRows), values: all.values.subarray(0, input.smallRows), labelA: all.labelA.subarray(0, input.smallRows) };
  const stacks = catalogStacks(catalog);
  progress('floor: typed-array loops');
  const merge1m = await timeAsync<MergeResult>(runs, () => floorMergeStacks(small, code));
  const merge10m = await timeAsync<MergeResult>(runs, () => floorMergeStacks(all, code));
  const fusedMerge10m = await timeAsync<MergeResult>(runs, () => floorMergeStacksFused(all, code));
  const perLine10m = await timeAsync<PerLineResult>(runs, () => floorPerLine(all, stacks, input.file));
  return { merge1m, merge10m, fusedMerge10m, perLine10m };
}

/**
 * DuckDB: appender ingest of 1M rows (timed, then committed and queried), the remaining rows (timed), then the
 * 10M queries, DuckDB's own Parquet file of the table, and its memory.
 */
export async function runDuckDbPhase(input: PeerInput): Promise<DuckDbFigures> {
  const { catalog, samples, runs } = input;
  const duck = await DuckDbPeer.open();
  const directory = await mkdtemp(join(tmpdir(), 'icicle-duckdb-bench-'));
  try {
    const threads = await duck.threads();
    await duck.loadStacks(catalog);
    progress(`duckdb: appending ${input.smallRows.toLocaleString('en')} rows (${threads} threads)`);
    let started = performance.now();
    const first = await processCpuMs(async () => {
      await duck.append(catalog, samples, 0, input.smallRows);
      duck.commit();
    });
    const ingest1mMs = performance.now() - started;
    const merge1m = await timeAsync(runs, () => duck.mergeStacks(input.labelValue));
    progress(`duckdb: appending the remaining ${(input.rows - input.smallRows).toLocaleString('en')} rows`);
    started = performance.now();
    const rest = await processCpuMs(async () => {
      await duck.append(catalog, samples, input.smallRows, input.rows);
      duck.commit();
    });
    const ingestRestMs = performance.now() - started;
    const ingestCpuMs = first.cpuMs + rest.cpuMs;
    progress('duckdb: queries over 10M rows');
    const merge10m = await timeAsync(runs, () => duck.mergeStacks(input.labelValue));
    const perLine10m = await timeAsync(runs, () => duck.perLine(input.file));
    const memoryMb = (await duck.memoryBytes()) / 2 ** 20;
    progress('duckdb: COPY TO parquet (ZSTD)');
    const path = join(directory, 'samples.parquet');
    const parquetWriteMs = await duck.copyToParquet(path);
    const parquetBytes = (await stat(path)).size;
    return { threads, ingest1mMs, ingestRestMs, ingestCpuMs, merge1m, merge10m, perLine10m, parquetBytes, parquetWriteMs, memoryMb };
  } finally {
    duck.close();
    await rm(directory, { recursive: true, force: true });
  }
}
