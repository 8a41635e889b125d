import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryView } from '../agent/queries/view/viewQueries';
import { Store } from '../storage/store';
import { SPAN_LABEL_KEYS, type SampleLabelSets } from '../common/protocol/probeProtocol';
import { dictionaryEncode, type EncodedLabelColumn, type SampleWrite } from '../storage/write/sampleWrite';
import type { Benchmark } from './benchmarkDoc';
import { median, processCpuMs, progress } from './storage/benchTiming';
import { DEFAULT_GENERATOR, generateCatalog, generateSamples, type GeneratedCatalog, type GeneratedSamples } from './storage/generateSamples';
import { directoryBytes, internCatalog } from './storage/storeLoad';

/** Samples each request takes, and requests served at once (their samples interleave as on one event loop). */
const SAMPLES_PER_TRACE = 10;
const IN_FLIGHT = 16;
/** A request's samples fall in three spans: the handler's own and two children. */
const SPANS_PER_TRACE = 3;
const ROUTES = ['/users/:id', '/users', '/orders/:id', '/orders', '/search', '/login', '/health', '/static/*'];
const WRITE_ROWS = 65_536;
const QUERY_RUNS = 5;

/** Which request sample `i` belongs to, and which of its spans: 16 requests at a time, their samples interleaved. */
function traceOf(i: number): number {
  const group = Math.floor(i / (IN_FLIGHT * SAMPLES_PER_TRACE));
  return group * IN_FLIGHT + (i % IN_FLIGHT);
}
function spanOf(i: number): number {
  const step = Math.floor((i % (IN_FLIGHT * SAMPLES_PER_TRACE)) / IN_FLIGHT);
  return Math.min(SPANS_PER_TRACE - 1, Math.floor((step * SPANS_PER_TRACE) / SAMPLES_PER_TRACE));
}

/** A 32-bit mix (lowbias32), so that ids look as random as real ones: sequential ids would compress unfairly well. */
function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}
const hex8 = (x: number): string => x.toString(16).padStart(8, '0');
/** W3C trace ids are 16 bytes and span ids 8, written as lowercase hex, as OpenTelemetry's API gives them. */
const traceIdOf = (trace: number): string => hex8(mix(trace)) + hex8(mix(trace ^ 0x9e3779b9)) + hex8(mix(trace + 0x632be5ab)) + hex8(mix(~trace));
const spanIdOf = (trace: number, span: number): string => hex8(mix(trace * SPANS_PER_TRACE + span + 0x51ed27)) + hex8(mix(trace ^ (span << 24) ^ 0x2545f491));

/**
 * The labels of samples [from, to) as the probe sends them with a chunk (SampleLabelSets): the distinct label sets,
 * one per span that ran in the chunk, and per sample the index of its set. With `traced`, each set also carries its
 * request's `trace_id` and `span_id` (what issue 21's span labels add); without, only the low-cardinality route and
 * span name: the floor that trace ids are measured against. Each id string is made once per set, as the probe does.
 */
function labelSetsOf(from: number, to: number, traced: boolean): SampleLabelSets {
  const sets: Record<string, string>[] = [];
  const setOf = new Map<number, number>();
  const ofSample = new Array<number>(to - from);
  for (let i = from; i < to; i++) {
    const trace = traceOf(i);
    const span = spanOf(i);
    const key = trace * SPANS_PER_TRACE + span;
    let set = setOf.get(key);
    if (set === undefined) {
      const route = ROUTES[trace % ROUTES.length]!;
      const labels: Record<string, string> = { [SPAN_LABEL_KEYS.httpRoute]: route, [SPAN_LABEL_KEYS.spanName]: `GET ${route}` };
      if (traced) {
        labels[SPAN_LABEL_KEYS.traceId] = traceIdOf(trace);
        labels[SPAN_LABEL_KEYS.spanId] = spanIdOf(trace, span);
      }
      set = sets.length;
      sets.push(labels);
      setOf.set(key, set);
    }
    ofSample[i - from] = set;
  }
  return { sets, ofSample };
}

/**
 * The write of samples [from, to) as the agent makes it from a probe's chunk (storeRecordedProfile, profileWrites):
 * each label key's column of per-sample values (one string per set, shared by the set's samples), dictionary-encoded
 * once and handed to the store as `{dictionary, codes}`, which the store checks but does not encode again.
 */
function writeOf(samples: GeneratedSamples, stackIds: Uint32Array, from: number, to: number, traced: boolean): SampleWrite {
  const given = labelSetsOf(from, to, traced);
  const keys = new Set(given.sets.flatMap(set => Object.keys(set)));
  const rowLabels: Record<string, EncodedLabelColumn> = {};
  for (const key of keys) {
    const values = given.sets.map(set => set[key] ?? null);
    rowLabels[key] = dictionaryEncode(
      given.ofSample.map(set => (set >= 0 ? (values[set] ?? null) : null)),
      key,
    );
  }
  return {
    profileType: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds',
    periodNs: 10_000_000,
    labels: { service: 'api' },
    rowLabels,
    timestamps: samples.timestamps.subarray(from, to),
    values: samples.values.subarray(from, to),
    stackIds: stackIds.subarray(from, to),
  };
}

/**
 * A digest of every stored row's values in scan order (ICICLE_TRACE_IDS_DIGEST=1): a change to how blocks are
 * written must leave it as it was, whatever the bytes on disk.
 */
async function rowsDigest(store: Store): Promise<string> {
  const hash = createHash('sha256');
  const source = store.snapshot();
  const columns = source.columnNames().sort();
  try {
    for await (const batch of source.scan({ columns })) {
      for (const name of columns) {
        const vector = batch.getChild(name);
        const values = vector ? Array.from({ length: batch.numRows }, (_, i) => String(vector.get(i) ?? '')) : [];
        hash.update(`${name}:${batch.numRows}:${values.join('\n')}\n`);
      }
    }
  } finally {
    source.release();
  }
  return hash.digest('hex').slice(0, 16);
}

interface StoreFigures {
  ingestPerS: number;
  cpuNsPerSample: number;
  bytesPerSample: number;
  routeMs: number;
  traceMs?: number;
}

async function measureStore(catalog: GeneratedCatalog, samples: GeneratedSamples, traced: boolean, checks: { route: string; routeSamples: number; trace: number }): Promise<StoreFigures> {
  const dir = mkdtempSync(join(tmpdir(), `icicle-bench-traceids-${traced ? 'traced' : 'floor'}-`));
  try {
    const store = await Store.open(dir);
    const n = samples.timestamps.length;
    let wallMs = 0;
    let cpuMs = 0;
    try {
      internCatalog(store, catalog);
      const stackIds = Uint32Array.from(samples.stackIndex, s => s + 1);
      const started = performance.now();
      ({ cpuMs } = await processCpuMs(async () => {
        const pending = new Set<Promise<void>>();
        for (let from = 0; from < n; from += WRITE_ROWS) {
          const write = store.write(writeOf(samples, stackIds, from, Math.min(n, from + WRITE_ROWS), traced)).then(() => void pending.delete(write));
          pending.add(write);
          if (pending.size >= 4) await Promise.race(pending);
        }
        await Promise.all(pending);
        await store.flush();
      }));
      wallMs = performance.now() - started;
    } finally {
      await store.close();
    }
    const bytes = await directoryBytes(dir);
    // Queried as a user opens it again: a fresh agent's store, blocks read from disk.
    const reopened = await Store.open(dir);
    try {
      const timeView = async (selector: string, expected: number): Promise<number> => {
        const times: number[] = [];
        for (let run = 0; run < QUERY_RUNS; run++) {
          const started = performance.now();
          const view = await queryView(reopened, { selector }, 0, { cache: false });
          times.push(performance.now() - started);
          if (view.summary.sampleCount !== expected) throw new Error(`${selector} found ${view.summary.sampleCount} samples where ${expected} were written`);
        }
        return median(times);
      };
      const routeMs = await timeView(`{http_route="${checks.route}"}`, checks.routeSamples);
      const traceMs = traced ? await timeView(`{trace_id="${traceIdOf(checks.trace)}"}`, SAMPLES_PER_TRACE) : undefined;
      if (process.env.ICICLE_TRACE_IDS_DIGEST) progress(`rows digest (${traced ? 'with' : 'without'} ids): ${await rowsDigest(reopened)}`);
      return { ingestPerS: n / (wallMs / 1000), cpuNsPerSample: (cpuMs * 1e6) / n, bytesPerSample: bytes / n, routeMs, traceMs };
    } finally {
      await reopened.close({ flush: false });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `npm run bench -- trace-ids`: what a label per request costs. 10M samples (ICICLE_TRACE_IDS_SAMPLES) of one
 * million requests, 16 in flight with their samples interleaved, each sample labelled with its request's route and
 * span name and, in the traced store, its 32-hex-digit trace id and 16-hex-digit span id (three spans a request: three
 * million span ids). The same rows are written to two fresh stores, with and without the two ids, so that the cost of
 * the ids is the difference, measured in the same run: bytes on disk per sample, ingest rate and CPU per sample, and
 * a route's flame graph in each. One request's flame graph (found among 10M samples by its trace id) is timed too.
 * Each query's sample count is checked against what was written.
 */
export async function runTraceIdsBenchmark(): Promise<Record<string, number>> {
  const samplesN = Number(process.env.ICICLE_TRACE_IDS_SAMPLES ?? 10_000_000);
  const config = { ...DEFAULT_GENERATOR, samples: samplesN };
  const catalog = generateCatalog(config);
  const samples = generateSamples(config);
  const traces = traceOf(samplesN - 1) + 1;
  const route = ROUTES[0]!;
  let routeSamples = 0;
  for (let i = 0; i < samplesN; i++) if (traceOf(i) % ROUTES.length === 0) routeSamples++;
  // A request in the middle of the recording, whose samples are spread among 15 others'.
  const checks = { route, routeSamples, trace: Math.floor(traces / 2) + 7 };
  progress(`trace ids: ${samplesN.toLocaleString('en-US')} samples of ${traces.toLocaleString('en-US')} requests, without their ids`);
  const floor = await measureStore(catalog, samples, false, checks);
  progress('trace ids: the same samples with their trace and span ids');
  const traced = await measureStore(catalog, samples, true, checks);
  const extraBytes = traced.bytesPerSample - floor.bytesPerSample;
  // What the ids hold, each written once: 16 bytes a trace and 8 a span, spread over the samples.
  const idBytes = (traces * 16 + traces * SPANS_PER_TRACE * 8) / samplesN;
  console.log(`One label per request: ${samplesN.toLocaleString('en-US')} samples, ${traces.toLocaleString('en-US')} distinct trace ids, ${(traces * SPANS_PER_TRACE).toLocaleString('en-US')} span ids (same rows, same run)`);
  console.log(`  bytes per sample       ${traced.bytesPerSample.toFixed(2).padStart(7)}   without the ids ${floor.bytesPerSample.toFixed(2).padStart(7)}   the ids add ${extraBytes.toFixed(2)} (their own bytes, each id once: ${idBytes.toFixed(2)} a sample)`);
  console.log(`  ingest                 ${(traced.ingestPerS / 1e6).toFixed(2).padStart(7)} M/s without the ids ${(floor.ingestPerS / 1e6).toFixed(2).padStart(7)} M/s  CPU ${traced.cpuNsPerSample.toFixed(0)} / ${floor.cpuNsPerSample.toFixed(0)} ns a sample`);
  console.log(`  a route's flame graph  ${traced.routeMs.toFixed(1).padStart(7)} ms  without the ids ${floor.routeMs.toFixed(1).padStart(7)} ms   (${routeSamples.toLocaleString('en-US')} samples)`);
  console.log(`  one request's flame graph by its trace id ${traced.traceMs!.toFixed(1)} ms (${SAMPLES_PER_TRACE} samples among ${samplesN.toLocaleString('en-US')})`);
  const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;
  return {
    trace_ids_samples: samplesN,
    trace_ids_distinct: traces,
    trace_ids_bytes_per_sample: round(traced.bytesPerSample, 2),
    trace_ids_floor_bytes_per_sample: round(floor.bytesPerSample, 2),
    trace_ids_own_bytes_per_sample: round(idBytes, 2),
    trace_ids_ingest_per_s: Math.round(traced.ingestPerS),
    trace_ids_floor_ingest_per_s: Math.round(floor.ingestPerS),
    trace_ids_cpu_ns_per_sample: Math.round(traced.cpuNsPerSample),
    trace_ids_floor_cpu_ns_per_sample: Math.round(floor.cpuNsPerSample),
    trace_ids_route_flame_graph_ms: round(traced.routeMs),
    trace_ids_floor_route_flame_graph_ms: round(floor.routeMs),
    trace_ids_one_trace_flame_graph_ms: round(traced.traceMs!),
  };
}

/** Each figure with trace ids against the same rows without them, in the same run. */
export const traceIdsBenchmark: Benchmark = {
  run: runTraceIdsBenchmark,
  peersOf: field => (field.startsWith('trace_ids_floor_') || !field.match(/bytes_per_sample|ingest_per_s|cpu_ns|route_flame/) ? [] : [field.replace('trace_ids_', 'trace_ids_floor_')]),
};
