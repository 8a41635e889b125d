import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../storage/store';
import { processCpuMs, progress, rssAfterGc, timeAsync } from './benchTiming';
import { loadEngineMerge } from './engineQueries';
import { runExportPhase, type ExportFigures } from './exportPhase';
import type { GeneratedCatalog, GeneratedSamples } from './generateSamples';
import { fingerprint, type MergeResult, type PerLineResult } from './mergeResult';
import { directoryBytes, ingest, internCatalog, type IngestOptions } from './storeLoad';
import { mergeStacksByScan, metadataStacks, perLineByScan } from './storeQueries';

export interface QueryFigure {
  ms: number;
  result: MergeResult;
}

export interface StoreFigures {
  ingest1mMs: number;
  ingestRestMs: number;
  /** CPU time of the whole process (the block worker included) during both ingests. */
  ingestCpuMs: number;
  blocksAfterIngest: number;
  finalFlushMs: number;
  diskBytes: number;
  blockBytes: number;
  merge1m: QueryFigure;
  merge10mColdMs: number;
  merge10m: QueryFigure;
  engine1m: QueryFigure | undefined;
  engine10m: QueryFigure | undefined;
  engineError: string | undefined;
  perLine10m: { ms: number; result: PerLineResult };
  rss10mMb: number;
  rssNote: string;
  /** The store exported as a Parquet dataset, and the top-functions query over it (after RSS is measured). */
  exported: ExportFigures;
}

export interface Scenario {
  catalog: GeneratedCatalog;
  /** Released by the phase before it measures RSS, so that the generator's arrays are not counted. */
  samples: GeneratedSamples | undefined;
  stackIds: Uint32Array | undefined;
  smallRows: number;
  rows: number;
  labelValue: string;
  file: string;
  runs: number;
  ingest: IngestOptions;
}

/**
 * The store's side: load 1M samples (they stay in the active part, in memory) and query them, load the rest
 * (the active part is flushed to Parquet blocks by itself as it fills, in the block worker, while writes go on),
 * flush what remains, then query 10M samples from the blocks and the block cache.
 */
export async function runStorePhase(scenario: Scenario): Promise<StoreFigures> {
  const directory = await mkdtemp(join(tmpdir(), 'icicle-storage-bench-'));
  const store = await Store.open(directory, { sync: true, owner: 'storage-benchmark' });
  try {
    const { catalog, smallRows, rows, labelValue, runs } = scenario;
    internCatalog(store, catalog);
    const engine = await loadEngineMerge();
    const engineMerge = typeof engine === 'string' ? undefined : engine;
    let engineError = typeof engine === 'string' ? engine : undefined;
    // The engine is work in progress: if it throws, report why and carry on with the scan path.
    const tryEngine = async (): Promise<QueryFigure | undefined> => {
      if (!engineMerge || engineError) return undefined;
      try {
        return await timeSnapshot(store, runs, s => engineMerge(s, 'label_a', labelValue));
      } catch (error) {
        engineError = error instanceof Error ? error.message : String(error);
        return undefined;
      }
    };

    progress(`store: ingesting ${smallRows.toLocaleString('en')} samples (WAL fdatasync on, ${scenario.ingest.inFlight} × ${scenario.ingest.writeRows.toLocaleString('en')} in flight)`);
    const first = await processCpuMs(() => ingest(store, catalog, scenario.samples!, scenario.stackIds!, 0, smallRows, scenario.ingest));
    const ingest1mMs = first.result;
    progress(`store: querying ${smallRows.toLocaleString('en')} samples (active part in memory)`);
    const merge1m = await timeSnapshot(store, runs, s => mergeStacksByScan(s, 'label_a', labelValue));
    const engine1m = await tryEngine();

    progress(`store: ingesting the remaining ${(rows - smallRows).toLocaleString('en')} samples (blocks are flushed in the background meanwhile)`);
    const rest = await processCpuMs(() => ingest(store, catalog, scenario.samples!, scenario.stackIds!, smallRows, rows, scenario.ingest));
    const ingestRestMs = rest.result;
    const ingestCpuMs = first.cpuMs + rest.cpuMs;
    const blocksAfterIngest = store.stats().blocks;
    let started = performance.now();
    await store.flush();
    const finalFlushMs = performance.now() - started;
    const blockBytes = store.stats().blockBytes;
    const diskBytes = await directoryBytes(directory);

    // Free the generator's columns (the benchmark's, not the store's) before measuring memory.
    scenario.samples = undefined;
    scenario.stackIds = undefined;

    progress(`store: querying ${rows.toLocaleString('en')} samples (Parquet blocks; the first query fills the block cache)`);
    started = performance.now();
    await withSnapshot(store, s => mergeStacksByScan(s, 'label_a', labelValue));
    const merge10mColdMs = performance.now() - started;
    const merge10m = await timeSnapshot(store, runs, s => mergeStacksByScan(s, 'label_a', labelValue));
    const engine10m = await tryEngine();
    const stacks = metadataStacks(store.metadata);
    const perLine10m = await timeSnapshot(store, runs, s => perLineByScan(s, stacks, scenario.file));
    progress(`store: ${fingerprint(merge10m.result).groups} groups at 10M; cache ${(store.stats().cacheBytes / 2 ** 20).toFixed(0)} MB`);

    const memory = rssAfterGc();
    const rssNote = `${memory.gcRan ? 'after gc' : 'without gc (run with --expose-gc)'}; heap ${memory.heapMb.toFixed(0)} MB, external ${memory.externalMb.toFixed(0)} MB; block worker included (same process)`;
    const exported = await runExportPhase(store, { key: 'label_a', value: labelValue }, runs);
    return {
      ingest1mMs, ingestRestMs, ingestCpuMs, blocksAfterIngest, finalFlushMs, diskBytes, blockBytes,
      merge1m, merge10mColdMs, merge10m, engine1m, engine10m,
      engineError,
      perLine10m, rss10mMb: memory.rssMb, rssNote, exported,
    };
  } finally {
    await store.close({ flush: false });
    await rm(directory, { recursive: true, force: true });
  }
}

/** Each timed query takes and releases its own snapshot, as a request from the editor would. */
function timeSnapshot<T>(store: Store, runs: number, query: (snapshot: ReturnType<Store['snapshot']>) => Promise<T>): Promise<{ ms: number; result: T }> {
  return timeAsync(runs, () => withSnapshot(store, query));
}

async function withSnapshot<T>(store: Store, query: (snapshot: ReturnType<Store['snapshot']>) => Promise<T>): Promise<T> {
  const snapshot = store.snapshot();
  try {
    return await query(snapshot);
  } finally {
    snapshot.release();
  }
}
