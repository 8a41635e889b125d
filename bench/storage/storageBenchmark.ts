import { cpus, loadavg } from 'node:os';
import { progress } from './benchTiming';
import { DEFAULT_GENERATOR, generateCatalog, generateSamples, type GeneratorConfig } from './generateSamples';
import { fingerprint, sameResult, type MergeResult, type PerLineResult } from './mergeResult';
import { runDuckDbPhase, runFloorPhase } from './peerPhase';
import { ms, perSecond, printReport, times, type ReportLine } from './storageReport';
import { runStorePhase, type Scenario } from './storePhase';
import { floorColumns } from './typedArrayFloor';
import type { Benchmark } from '../benchmarkDoc';

/** Targets from the storage issue; each is compared with a figure measured in the same run. */
const TARGET = { ingestPerS: 2_000_000, mergeSpeedupVsDuckDb: 3, mergeVsFloor: 2.5, bytesPerSample: 8, rssMb: 1024 };

/**
 * The storage benchmark: the same generated profile samples loaded into the store, into DuckDB and into plain
 * typed arrays (the floor), and the same queries asked of each. Phases run one after the other so that they do
 * not compete for the two cores; the store goes first and frees the generator's arrays before measuring RSS.
 */
export async function runStorageBenchmark(config: GeneratorConfig = DEFAULT_GENERATOR): Promise<Record<string, number | string>> {
  const smallRows = Math.min(1_000_000, config.samples);
  const loadBefore = loadavg()[0]!;
  progress(`generating ${config.samples.toLocaleString('en')} samples over ${config.stacks.toLocaleString('en')} stacks`);
  const catalog = generateCatalog(config);
  const common = { smallRows, rows: config.samples, labelValue: catalog.labelA[7]!, file: '/src/module7.ts', runs: 5 };
  // The scenario holds the only references to the generated columns, so that the store phase can free them.
  const scenario: Scenario = { ...common, catalog, samples: generateSamples(config), stackIds: undefined, ingest: { writeRows: 50_000, inFlight: 4 } };
  scenario.stackIds = floorColumns(scenario.samples!, catalog.stacks.length, config.samples).stackIds;
  const store = await runStorePhase(scenario);

  // The store phase freed the generator's columns to measure its own memory: generate them again (deterministic).
  const samples = generateSamples(config);
  const floor = await runFloorPhase({ ...common, catalog, samples });
  const duck = await runDuckDbPhase({ ...common, catalog, samples });

  const checks = [
    agree('merge 1M', store.merge1m.result, duck.merge1m.result, floor.merge1m.result),
    agree('merge 10M', store.merge10m.result, duck.merge10m.result, floor.merge10m.result),
    agree('per-line 10M', store.perLine10m.result, duck.perLine10m.result, floor.perLine10m.result),
    ...(store.engine1m ? [agree('engine merge 1M', store.engine1m.result, floor.merge1m.result)] : []),
    ...(store.engine10m ? [agree('engine merge 10M', store.engine10m.result, floor.merge10m.result)] : []),
  ];

  const rows = config.samples;
  const big = count(rows);
  const small = count(smallRows);
  const ingestPerS = rows / ((store.ingest1mMs + store.ingestRestMs) / 1000);
  const ingest1mPerS = smallRows / (store.ingest1mMs / 1000);
  const duckIngestPerS = rows / ((duck.ingest1mMs + duck.ingestRestMs) / 1000);
  const duckIngest1mPerS = smallRows / (duck.ingest1mMs / 1000);
  const cpuNsPerSample = (store.ingestCpuMs * 1e6) / rows;
  const duckCpuNsPerSample = (duck.ingestCpuMs * 1e6) / rows;
  const loadAfter = loadavg()[0]!;
  const bytesPerSample = store.diskBytes / rows;
  const duckBytesPerSample = duck.parquetBytes / rows;
  const mergeLine = (name: string, ours: number, duckMs: number, floorMs: number, withTargets: boolean): ReportLine[] => [
    { name, figure: ms(ours), peer: `DuckDB ${ms(duckMs)}`, ratio: `${times(duckMs / ours)} faster`, target: withTargets ? `≥ ${TARGET.mergeSpeedupVsDuckDb}× faster` : '', pass: withTargets ? duckMs / ours >= TARGET.mergeSpeedupVsDuckDb : undefined },
    { name: '', figure: '', peer: `floor ${ms(floorMs)}`, ratio: `${times(ours / floorMs)} floor`, target: withTargets ? `≤ ${TARGET.mergeVsFloor}× floor` : '', pass: withTargets ? ours / floorMs <= TARGET.mergeVsFloor : undefined },
  ];
  const lines: ReportLine[] = [
    { name: `ingest, ${big}, WAL fdatasync, block flushes included`, figure: perSecond(ingestPerS), peer: `DuckDB appender ${perSecond(duckIngestPerS)}`, ratio: times(ingestPerS / duckIngestPerS), target: `≥ ${perSecond(TARGET.ingestPerS)}`, pass: ingestPerS >= TARGET.ingestPerS },
    { name: `ingest, first ${small}, WAL fdatasync, no block flush`, figure: perSecond(ingest1mPerS), peer: `DuckDB appender ${perSecond(duckIngest1mPerS)}`, ratio: times(ingest1mPerS / duckIngest1mPerS), target: `≥ ${perSecond(TARGET.ingestPerS)}`, pass: ingest1mPerS >= TARGET.ingestPerS },
    { name: `ingest CPU time per sample, ${big}, all threads`, figure: `${cpuNsPerSample.toFixed(0)} ns`, peer: `DuckDB appender ${duckCpuNsPerSample.toFixed(0)} ns`, ratio: times(cpuNsPerSample / duckCpuNsPerSample), target: '', pass: undefined },
    ...mergeLine(`merge stacks, label_a filter, ${small} (active part)`, store.merge1m.ms, duck.merge1m.ms, floor.merge1m.ms, false),
    ...mergeLine(`merge stacks, label_a filter, ${big} (blocks, warm)`, store.merge10m.ms, duck.merge10m.ms, floor.merge10m.ms, true),
    ...(store.engine1m ? mergeLine(`  same via query engine, ${small}`, store.engine1m.ms, duck.merge1m.ms, floor.merge1m.ms, false) : []),
    ...(store.engine10m ? mergeLine(`  same via query engine, ${big}`, store.engine10m.ms, duck.merge10m.ms, floor.merge10m.ms, true) : []),
    { name: `merge stacks, ${big}, first query (fills cache)`, figure: ms(store.merge10mColdMs), peer: '', ratio: '', target: '', pass: undefined },
    ...mergeLine(`per-line, one file, ${big} (no filter)`, store.perLine10m.ms, duck.perLine10m.ms, floor.perLine10m.ms, false),
    { name: 'bytes on disk per sample (store directory)', figure: bytesPerSample.toFixed(2), peer: `DuckDB Parquet ZSTD ${duckBytesPerSample.toFixed(2)}`, ratio: times(bytesPerSample / duckBytesPerSample), target: `≤ ${TARGET.bytesPerSample}`, pass: bytesPerSample <= TARGET.bytesPerSample },
    { name: `export --format parquet, ${big}, into a new folder`, figure: perSecond(store.exported.samples / (store.exported.exportMs / 1000)), peer: `again (nothing new) ${ms(store.exported.reexportMs)}`, ratio: '', target: '', pass: undefined },
    { name: 'Parquet dataset bytes per sample (samples files; whole dataset)', figure: (store.exported.samplesBytes / rows).toFixed(2), peer: `whole ${(store.exported.datasetBytes / rows).toFixed(2)}`, ratio: '', target: '', pass: undefined },
    { name: `top functions, label_a filter, ${big}: Icicle over the store`, figure: ms(store.exported.icicleTopMs), peer: `DuckDB over the dataset ${ms(store.exported.duckdbTopMs)}`, ratio: `${times(store.exported.duckdbTopMs / store.exported.icicleTopMs)} faster`, target: 'same answer', pass: store.exported.topAgrees },
    { name: `RSS with ${big} samples loaded and cached`, figure: `${store.rss10mMb.toFixed(0)} MB`, peer: `DuckDB buffers ${duck.memoryMb.toFixed(0)} MB`, ratio: '', target: `≤ ${TARGET.rssMb} MB`, pass: store.rss10mMb <= TARGET.rssMb },
  ];
  const notes = [
    `Data: ${rows.toLocaleString('en')} samples, ${catalog.stacks.length.toLocaleString('en')} stacks of depth ${config.minDepth}–${config.maxDepth} over ${catalog.frames.length.toLocaleString('en')} frames in ${config.files} files, Zipf s=${config.zipfExponent}; label_a ${config.labelAValues} values, label_b ${config.labelBValues.toLocaleString('en')} values (per row); timestamps over ${config.spanMs / 60_000} min; values 1..1000. Filter label_a = ${common.labelValue} (${fingerprint(floor.merge10m.result).groups.toLocaleString('en')} groups at ${big}, ${fingerprint(floor.merge1m.result).groups.toLocaleString('en')} at ${small}).`,
    `Store ingest: writes of ${scenario.ingest.writeRows.toLocaleString('en')} samples, ${scenario.ingest.inFlight} in flight, timed until all acknowledged; ${store.blocksAfterIngest} blocks were flushed during the ${big} run (in the block worker, counted), the final flush of the remainder took ${ms(store.finalFlushMs)} (not counted). DuckDB: Appender row by row (appendUInteger/BigInt/Varchar), flushSync counted.`,
    `Merge: store = mergeStacksByScan (snapshot.scan of stack_id, value, labels.label_a; per batch the wanted dictionary code, a selection pass, then a dense-array accumulation), each run takes and releases a snapshot; DuckDB = prepared SELECT stack_id, sum(value) … GROUP BY stack_id, every row fetched and converted; floor = typed arrays, two passes per 64K rows (select, then accumulate; the single fused loop took ${ms(floor.fusedMerge10m.ms)} at ${big}, V8 compiles it worse). Median of ${common.runs} after a warm-up.`,
    `Per-line (${common.file}): every side totals value per stack over all samples, then expands stacks to frames and adds each stack's total once per distinct line of the file (DuckDB: CTE per stack, DISTINCT stack/line join on stack_frames + frames tables).`,
    `DuckDB runs in this process with ${duck.threads} threads on ${cpus().length} cores; the store's queries run on the main thread. Bytes: store directory ${(store.diskBytes / 2 ** 20).toFixed(1)} MB (blocks ${(store.blockBytes / 2 ** 20).toFixed(1)} MB); DuckDB COPY TO parquet ${(duck.parquetBytes / 2 ** 20).toFixed(1)} MB in ${ms(duck.parquetWriteMs)}.`,
    `RSS: ${store.rssNote}.`,
    `Parquet dataset (docs/design/parquet-dataset.md): exportDataset of the whole store into a new folder, ${ms(store.exported.exportMs)} (${ms(store.exported.exportCpuMs)} CPU), ${(store.exported.datasetBytes / 2 ** 20).toFixed(1)} MB; top functions = functionCosts (what icicle top runs) against the design note's views and its first query's shape in DuckDB (leaf frame via stacks and frames, DISTINCT views), median of ${common.runs} after a warm-up. DuckDB's top 20 functions and self values equal Icicle's: ${store.exported.topAgrees ? 'yes' : 'NO'}.`,
    `Load average (1 min) ${loadBefore.toFixed(2)} at the start, ${loadAfter.toFixed(2)} at the end, on ${cpus().length} cores: wall-clock rates fall with other jobs' load; CPU time per sample (every thread of the process, the block worker or DuckDB's) much less. At ${cpuNsPerSample.toFixed(0)} ns a sample, two idle cores could ingest at most ${perSecond((2 * 1e9) / cpuNsPerSample)}.`,
    store.engine10m ? 'Query engine (storage/query executePlan, PlanBuilder scan → filter → aggregate) measured too.' : `Query engine not measured: ${store.engineError ?? 'not present'}.`,
    `Results agree across sides: ${checks.every(c => c.ok) ? 'yes' : checks.filter(c => !c.ok).map(c => c.name).join(', ') + ' DIFFER'}.`,
  ];
  printReport('Storage: the store against DuckDB (in memory, same process) and the typed-array floor', lines, notes);

  const fields: Record<string, number | string> = {
    samples: rows,
    ingest_per_s: Math.round(ingestPerS),
    ingest1m_per_s: Math.round(ingest1mPerS),
    duckdb_ingest_per_s: Math.round(duckIngestPerS),
    duckdb_ingest1m_per_s: Math.round(duckIngest1mPerS),
    ingest_cpu_ns_per_sample: Math.round(cpuNsPerSample),
    duckdb_ingest_cpu_ns_per_sample: Math.round(duckCpuNsPerSample),
    load_average_start: round(loadBefore, 2),
    load_average_end: round(loadAfter, 2),
    final_flush_ms: round(store.finalFlushMs),
    merge1m_ms: round(store.merge1m.ms),
    duckdb_merge1m_ms: round(duck.merge1m.ms),
    floor_merge1m_ms: round(floor.merge1m.ms),
    merge10m_ms: round(store.merge10m.ms),
    merge10m_cold_ms: round(store.merge10mColdMs),
    duckdb_merge10m_ms: round(duck.merge10m.ms),
    floor_merge10m_ms: round(floor.merge10m.ms),
    floor_fused_merge10m_ms: round(floor.fusedMerge10m.ms),
    perline10m_ms: round(store.perLine10m.ms),
    duckdb_perline10m_ms: round(duck.perLine10m.ms),
    floor_perline10m_ms: round(floor.perLine10m.ms),
    bytes_per_sample: round(bytesPerSample, 3),
    block_bytes_per_sample: round(store.blockBytes / rows, 3),
    duckdb_bytes_per_sample: round(duckBytesPerSample, 3),
    rss10m_mb: Math.round(store.rss10mMb),
    duckdb_memory10m_mb: Math.round(duck.memoryMb),
    duckdb_threads: duck.threads,
    ingest_vs_duckdb: round(ingestPerS / duckIngestPerS, 3),
    merge10m_speedup_vs_duckdb: round(duck.merge10m.ms / store.merge10m.ms, 3),
    merge10m_vs_floor: round(store.merge10m.ms / floor.merge10m.ms, 3),
    merge1m_speedup_vs_duckdb: round(duck.merge1m.ms / store.merge1m.ms, 3),
    merge1m_vs_floor: round(store.merge1m.ms / floor.merge1m.ms, 3),
    perline10m_speedup_vs_duckdb: round(duck.perLine10m.ms / store.perLine10m.ms, 3),
    bytes_vs_duckdb: round(bytesPerSample / duckBytesPerSample, 3),
    results_agree: checks.every(c => c.ok) ? 'yes' : 'no',
    export_samples_per_s: Math.round(store.exported.samples / (store.exported.exportMs / 1000)),
    export_cpu_ns_per_sample: Math.round((store.exported.exportCpuMs * 1e6) / rows),
    reexport_ms: round(store.exported.reexportMs),
    dataset_bytes_per_sample: round(store.exported.datasetBytes / rows, 3),
    dataset_samples_bytes_per_sample: round(store.exported.samplesBytes / rows, 3),
    dataset_top_ms: round(store.exported.icicleTopMs),
    duckdb_dataset_top_ms: round(store.exported.duckdbTopMs),
    dataset_top_agrees: store.exported.topAgrees ? 'yes' : 'no',
  };
  if (store.engine1m) fields['engine_merge1m_ms'] = round(store.engine1m.ms);
  if (store.engine10m) {
    fields['engine_merge10m_ms'] = round(store.engine10m.ms);
    fields['engine_merge10m_speedup_vs_duckdb'] = round(duck.merge10m.ms / store.engine10m.ms, 3);
    fields['engine_merge10m_vs_floor'] = round(store.engine10m.ms / floor.merge10m.ms, 3);
  }
  if (store.engineError) fields['engine_error'] = store.engineError;
  return fields;
}

function agree(name: string, reference: MergeResult | PerLineResult, ...others: (MergeResult | PerLineResult)[]): { name: string; ok: boolean } {
  return { name, ok: others.every(other => sameResult(reference, other)) };
}

/** 10,000,000 → "10M", for row labels that follow the configured sizes. */
function count(rows: number): string {
  return rows % 1_000_000 === 0 ? `${rows / 1_000_000}M` : rows.toLocaleString('en');
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** The store's figures (and the query engine's) against DuckDB's and the typed-array floor's of the same name. */
export const storageBenchmark: Benchmark = {
  run: runStorageBenchmark,
  peersOf: field => {
    const side = field.replace(/^engine_/, '');
    return [`duckdb_${side}`, `floor_${side}`];
  },
};
