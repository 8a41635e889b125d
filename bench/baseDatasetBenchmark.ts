import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDataset } from '../agent/dataset/openDataset';
import { readDatasetSelection } from '../agent/dataset/readSelection';
import { exportDataset } from '../agent/export/parquetDataset/exportDataset';
import { runsOf } from '../agent/queries/runs/runFunctionCosts';
import type { Selection } from '../storage/query';
import { Store } from '../storage/store';
import type { Benchmark, Fields } from './benchmarkDoc';
import { median, processCpuMs, progress } from './storage/benchTiming';
import { DEFAULT_GENERATOR, generateCatalog, generateSamples } from './storage/generateSamples';
import { directoryBytes, internCatalog } from './storage/storeLoad';

const SAMPLES = Number(process.env['ICICLE_BASE_DATASET_SAMPLES'] ?? 1_000_000);
const RUNS = 20;
const REPEATS = 3;
const WRITE_ROWS = 65_536;

/**
 * `icicle diff --base-dataset`'s read: a store of SAMPLES samples in RUNS recorded runs (the storage benchmark's
 * generated stacks, frames and values), half of them labelled branch=main, exported as a Parquet dataset; then the
 * base selection {branch="main"} read from the dataset (files opened, rows decoded in the worker, frames and stacks
 * interned) and its per-run function costs, beside the same per-run costs from the store itself: what a side of
 * `icicle diff` costs today.
 */
async function runBaseDatasetBenchmark(): Promise<Fields> {
  const dir = mkdtempSync(join(tmpdir(), 'icicle-base-dataset-bench-'));
  try {
    const config = { ...DEFAULT_GENERATOR, samples: SAMPLES };
    const store = await Store.open(join(dir, 'store'));
    internCatalog(store, generateCatalog(config));
    const samples = generateSamples(config);
    progress(`base-dataset: writing ${SAMPLES.toLocaleString('en')} samples in ${RUNS} runs`);
    const perRun = Math.ceil(SAMPLES / RUNS);
    for (let from = 0; from < SAMPLES; ) {
      const run = Math.floor(from / perRun);
      const to = Math.min(SAMPLES, from + WRITE_ROWS, (run + 1) * perRun);
      await store.write({
        profileType: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds',
        labels: { session_id: `run-${run}`, branch: run % 2 === 0 ? 'main' : 'feature' },
        timestamps: samples.timestamps.subarray(from, to),
        values: samples.values.subarray(from, to),
        stackIds: Uint32Array.from(samples.stackIndex.subarray(from, to), s => s + 1),
      });
      from = to;
    }
    await store.flush();
    const snapshot = store.snapshot();
    progress('base-dataset: exporting the store as a Parquet dataset');
    const datasetDir = join(dir, 'dataset');
    await exportDataset(snapshot, { matchers: [] }, '', datasetDir);
    const selection: Selection = { matchers: [{ key: 'branch', op: '=', value: 'main' }] };
    const readMs: number[] = [];
    const readCpuMs: number[] = [];
    const datasetRunsMs: number[] = [];
    const storeRunsMs: number[] = [];
    let selected = 0;
    let filesRead = 0;
    let filesSkipped = 0;
    for (let i = 0; i < REPEATS; i++) {
      progress(`base-dataset: reading {branch="main"}, ${i + 1} of ${REPEATS}`);
      let started = performance.now();
      const { result: read, cpuMs } = await processCpuMs(async () => readDatasetSelection(await openDataset(datasetDir), selection));
      readMs.push(performance.now() - started);
      readCpuMs.push(cpuMs);
      started = performance.now();
      const fromDataset = await runsOf(read.source, selection);
      datasetRunsMs.push(performance.now() - started);
      started = performance.now();
      const fromStore = await runsOf(snapshot, selection);
      storeRunsMs.push(performance.now() - started);
      if (fromDataset.length !== RUNS / 2 || fromStore.length !== RUNS / 2) throw new Error(`${fromDataset.length} runs from the dataset, ${fromStore.length} from the store`);
      ({ filesRead, filesSkipped } = read);
      selected = read.source.rows;
    }
    await store.close();
    const read = median(readMs);
    console.log(`{branch="main"}: ${selected.toLocaleString('en-US')} of ${SAMPLES.toLocaleString('en-US')} samples, ${filesRead} files read, ${filesSkipped} skipped`);
    console.log(`  read from the dataset   ${read.toFixed(0).padStart(7)} ms (${((read * 1e6) / selected).toFixed(0)} ns a sample), CPU ${median(readCpuMs).toFixed(0)} ms`);
    console.log(`  runs' function costs    ${median(datasetRunsMs).toFixed(0).padStart(7)} ms from the dataset, ${median(storeRunsMs).toFixed(0)} ms from the store`);
    return {
      base_dataset_samples: SAMPLES,
      base_dataset_selected_samples: selected,
      base_dataset_files_read: filesRead,
      base_dataset_files_skipped: filesSkipped,
      base_dataset_bytes: await directoryBytes(datasetDir),
      base_dataset_read_ms: read,
      base_dataset_read_ns_per_sample: (read * 1e6) / selected,
      base_dataset_read_cpu_ms: median(readCpuMs),
      base_dataset_runs_ms: median(datasetRunsMs),
      base_dataset_store_runs_ms: median(storeRunsMs),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const baseDatasetBenchmark: Benchmark = {
  run: runBaseDatasetBenchmark,
  // Reading the base from the dataset, and its per-run costs there, against the same costs from the store.
  peersOf: field => (field === 'base_dataset_read_ms' || field === 'base_dataset_runs_ms' ? ['base_dataset_store_runs_ms'] : []),
};
