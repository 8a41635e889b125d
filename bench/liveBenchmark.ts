import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingHub } from '../agent/recording/recordingHub';
import { queryView } from '../agent/queries/view/viewQueries';
import { Store } from '../storage/store';
import { syntheticChunk } from '../test/support/syntheticChunk';
import type { Benchmark } from './benchmarkDoc';
import { median } from './storage/benchTiming';

/**
 * The live-update cost (issue 19): what the agent spends on one refresh of an open view while a run records, for a
 * run of 1, 10 and 60 minutes of 1 ms samples (stored as the probe's 2 s chunks, through the recording hub, then
 * flushed to blocks as a long run's samples are). A refresh is the view's query again: the flame graph's, and while
 * the flame chart is shown the same with the samples in time order: the whole run's (the first answer, or after a
 * chunk landed late) or, once the next chunk landed, only its tail (ViewQuery.timeOrderAfterMs). The panel pauses max(500 ms, 2 × the last query) between refreshes (extension/liveRefresh.ts), so the
 * agent's share of a core is a refresh's CPU over its time plus the pause, printed too. CPU is the agent process's
 * (its block worker thread included), measured in-process around the query.
 */
const RUNS = 3;
const CHUNK_MS = 2000;
const MINUTES = [1, 10, 60] as const;
const MIN_PAUSE_MS = 500;

interface RunFigures {
  samples: number;
  graphMs: number;
  graphCpuMs: number;
  graphBytes: number;
  chartMs: number;
  chartCpuMs: number;
  chartBytes: number;
  tailMs: number;
  tailCpuMs: number;
  tailBytes: number;
}

async function measureRun(minutes: number): Promise<RunFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'icicle-bench-live-'));
  const store = await Store.open(dir);
  try {
    const hub = new RecordingHub(store);
    const session = `live-${minutes}`;
    const chunks = (minutes * 60_000) / CHUNK_MS;
    const start = Date.UTC(2026, 11, 3, 12, 0, 0);
    const ingest = (i: number) =>
      hub.ingest({
        format: 'v8',
        profile: syntheticChunk(i, CHUNK_MS, 40),
        startMs: start + i * CHUNK_MS,
        labels: { session_id: session, pid: '4242', runtime: 'node' },
        droppedChunks: 0,
        chunkKey: `${session}:${i}`,
      });
    for (let i = 0; i < chunks; i++) await ingest(i);
    await store.flush();
    const query = { selector: `{session_id="${session}"}` };
    const time = async (timeOrder: boolean, timeOrderAfterMs?: number) => {
      const wall: number[] = [];
      const cpu: number[] = [];
      let bytes = 0;
      let samples = 0;
      const asked = { ...query, ...(timeOrder ? { timeOrder } : {}), ...(timeOrderAfterMs !== undefined ? { timeOrderAfterMs } : {}) };
      // One untimed query first: a view refreshed live has its blocks cached already.
      await queryView(store, asked, 0.002);
      for (let run = 0; run < RUNS; run++) {
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        const view = await queryView(store, asked, 0.002);
        // The answer crosses the socket as JSON: stringifying it is part of the agent's cost.
        bytes = Buffer.byteLength(JSON.stringify(view));
        wall.push(performance.now() - started);
        const used = process.cpuUsage(cpuBefore);
        cpu.push((used.user + used.system) / 1000);
        samples = view.summary.sampleCount;
      }
      return { ms: median(wall), cpuMs: median(cpu), bytes, samples };
    };
    const graph = await time(false);
    const chart = await time(true);
    // The chart's refresh once the next chunk landed: only the samples after those it holds (a tail).
    const through = (await queryView(store, { ...query, timeOrder: true }, 0.002)).timeOrder!.throughMs;
    await ingest(chunks);
    const tail = await time(true, through);
    return {
      samples: graph.samples,
      graphMs: graph.ms,
      graphCpuMs: graph.cpuMs,
      graphBytes: graph.bytes,
      chartMs: chart.ms,
      chartCpuMs: chart.cpuMs,
      chartBytes: chart.bytes,
      tailMs: tail.ms,
      tailCpuMs: tail.cpuMs,
      tailBytes: tail.bytes,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The share of one core the agent spends on a view's refreshes while they follow each other with the panel's pause:
 * a refresh's CPU over its wall time plus the pause after it (the panel paces by wall time, which the load stretches).
 */
function share(cpuMs: number, wallMs: number): number {
  return cpuMs / (wallMs + Math.max(MIN_PAUSE_MS, 2 * wallMs));
}

export async function runLiveBenchmark(): Promise<Record<string, number>> {
  const fields: Record<string, number> = {};
  console.log(`Live update: one refresh of an open view of a recording run (median of ${RUNS}; the panel pauses max(${MIN_PAUSE_MS} ms, 2 × the query) between refreshes)`);
  for (const minutes of MINUTES) {
    const run = await measureRun(minutes);
    const name = `live_${minutes}min`;
    console.log(
      `  ${minutes} min (${run.samples.toLocaleString('en-US')} samples): flame graph ${run.graphMs.toFixed(0)} ms, CPU ${run.graphCpuMs.toFixed(0)} ms, ` +
        `${(run.graphBytes / 1e3).toFixed(0)} kB, agent CPU ${(100 * share(run.graphCpuMs, run.graphMs)).toFixed(0)}% of a core while it records; ` +
        `with the flame chart's whole run ${run.chartMs.toFixed(0)} ms, CPU ${run.chartCpuMs.toFixed(0)} ms, ${(run.chartBytes / 1e6).toFixed(1)} MB, CPU ${(100 * share(run.chartCpuMs, run.chartMs)).toFixed(0)}%; ` +
        `with its tail (the next 2 s chunk) ${run.tailMs.toFixed(0)} ms, CPU ${run.tailCpuMs.toFixed(0)} ms, ${(run.tailBytes / 1e6).toFixed(2)} MB, CPU ${(100 * share(run.tailCpuMs, run.tailMs)).toFixed(0)}%`,
    );
    Object.assign(fields, {
      [`${name}_samples`]: run.samples,
      [`${name}_reload_ms`]: Math.round(run.graphMs),
      [`${name}_reload_cpu_ms`]: Math.round(run.graphCpuMs),
      [`${name}_reload_bytes`]: run.graphBytes,
      [`${name}_cpu_share_pct`]: Math.round(100 * share(run.graphCpuMs, run.graphMs)),
      [`${name}_chart_reload_ms`]: Math.round(run.chartMs),
      [`${name}_chart_reload_cpu_ms`]: Math.round(run.chartCpuMs),
      [`${name}_chart_reload_bytes`]: run.chartBytes,
      [`${name}_chart_cpu_share_pct`]: Math.round(100 * share(run.chartCpuMs, run.chartMs)),
      [`${name}_chart_tail_ms`]: Math.round(run.tailMs),
      [`${name}_chart_tail_cpu_ms`]: Math.round(run.tailCpuMs),
      [`${name}_chart_tail_bytes`]: run.tailBytes,
      [`${name}_chart_tail_cpu_share_pct`]: Math.round(100 * share(run.tailCpuMs, run.tailMs)),
    });
  }
  return fields;
}

/**
 * A refresh with the chart's whole run against the same refresh without it (what every refresh costs anyway), and
 * the chart's tail against its whole run.
 */
export const liveBenchmark: Benchmark = {
  run: runLiveBenchmark,
  peersOf: field => {
    const chart = /^(live_\d+min)_chart_reload_(ms|cpu_ms)$/.exec(field);
    if (chart) return [`${chart[1]}_reload_${chart[2]}`];
    const tail = /^(live_\d+min)_chart_tail_(ms|cpu_ms|bytes)$/.exec(field);
    return tail ? [`${tail[1]}_chart_reload_${tail[2]}`] : [];
  },
};
