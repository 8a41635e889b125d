import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { framePathOf } from '../common/framePath';
import type { ViewQuery } from '../common/viewQuery';
import { openProfileThroughStore } from '../agent/profileLibrary';
import { queryView } from '../agent/queries/view/viewQueries';
import { Store } from '../storage/store';
import { bigCpuProfile } from './bigProfile';
import { median } from './storage/benchTiming';
import type { Benchmark } from './benchmarkDoc';

/** Ranges (and a zoom in each) per figure; each range is another one, as a user dragging the timeline's brush. */
const RUNS = 7;
/** The flame graph's default pruning (extension/flameGraphPanel.ts asks for it). */
const MIN_SHARE = 0.002;

/**
 * `npm run bench -- requery`: a view of tsc-big.cpuprofile (the pinned input of bigProfile.ts, about 185,000 nodes) opened through the store, then
 * what a user does next: another time range, and a zoom into a frame of it (zoom detail re-queries). Each is timed
 * as the agent answers it (queryView: the call tree, its pruning, types, timeline) with the view cache and, as the
 * peer in the same run, computed from the store without it (`cache: false`, what every re-query cost before).
 * `requery_ms` is the slower of the two with the cache; `requery_first_range_ms` the first range after opening
 * (the code's first run, without JIT warm-up); `requery_json_ms` what encoding a range's answer as JSON for the
 * socket adds.
 */
export async function runRequeryBenchmark(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'icicle-bench-requery-'));
  const store = await Store.open(dir);
  try {
    const opened = await openProfileThroughStore(store, readFileSync(bigCpuProfile('requery')), 'tsc-big.cpuprofile', MIN_SHARE);
    const { selector } = opened.query;
    const span = opened.timeline!.span;
    const at = (share: number): number => Math.round(span.startMs + share * (span.endMs - span.startMs));
    // A frame a user would zoom into: the first one between 5% and 20% of the total.
    const { tree } = opened;
    const target = tree.parent.findIndex((_, i) => i > 0 && tree.totalValue[i]! > 0.05 * tree.totalValue[0]! && tree.totalValue[i]! < 0.2 * tree.totalValue[0]!);
    const focus = framePathOf(tree, Math.max(1, target));
    const timed = async (query: ViewQuery, cache: boolean): Promise<number> => {
      const started = performance.now();
      await queryView(store, query, MIN_SHARE, { cache });
      return performance.now() - started;
    };
    const first = await timed({ selector, timeRange: { startMs: at(0.05), endMs: at(0.55) } }, true);
    const times = { range: [] as number[], zoom: [] as number[], rangeUncached: [] as number[], zoomUncached: [] as number[], json: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      const timeRange = { startMs: at(0.1 + run * 0.04), endMs: at(0.6 + run * 0.04) };
      times.range.push(await timed({ selector, timeRange }, true));
      times.zoom.push(await timed({ selector, timeRange, focus }, true));
      times.rangeUncached.push(await timed({ selector, timeRange }, false));
      times.zoomUncached.push(await timed({ selector, timeRange, focus }, false));
      const answer = await queryView(store, { selector, timeRange }, MIN_SHARE);
      const started = performance.now();
      JSON.stringify(answer);
      times.json.push(performance.now() - started);
    }
    const [range, zoom, rangeUncached, zoomUncached, json] = [times.range, times.zoom, times.rangeUncached, times.zoomUncached, times.json].map(median) as [number, number, number, number, number];
    console.log(`Re-query of tsc-big.cpuprofile's view (${opened.summary.nodeCount.toLocaleString('en-US')} nodes; median of ${RUNS} ranges), with the view cache against without it (same run)`);
    console.log(`  another time range   ${range.toFixed(1).padStart(7)} ms   without the cache ${rangeUncached.toFixed(1).padStart(7)} ms   ${(rangeUncached / range).toFixed(1)}× faster`);
    console.log(`  zoom detail in it    ${zoom.toFixed(1).padStart(7)} ms   without the cache ${zoomUncached.toFixed(1).padStart(7)} ms   ${(zoomUncached / zoom).toFixed(1)}× faster`);
    console.log(`  first range after opening ${first.toFixed(1)} ms; the answer's JSON ${json.toFixed(1)} ms; target ≤ 50 ms ${Math.max(range, zoom) <= 50 ? 'PASS' : 'MISS'}`);
    const round = (ms: number): number => Math.round(ms * 10) / 10;
    return {
      requery_ms: round(Math.max(range, zoom)),
      requery_uncached_ms: round(Math.max(rangeUncached, zoomUncached)),
      requery_range_ms: round(range),
      requery_range_uncached_ms: round(rangeUncached),
      requery_zoom_ms: round(zoom),
      requery_zoom_uncached_ms: round(zoomUncached),
      requery_first_range_ms: round(first),
      requery_json_ms: round(json),
    };
  } finally {
    await store.close({ flush: false });
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each cached figure against the same query computed from the store, in the same run. */
export const requeryBenchmark: Benchmark = {
  run: runRequeryBenchmark,
  peersOf: field => (field.endsWith('_uncached_ms') ? [] : [field.replace(/_ms$/, '_uncached_ms').replace('first_range_uncached', 'range_uncached')]),
};
