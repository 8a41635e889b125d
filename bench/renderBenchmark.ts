import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCpuProfile } from '../test/support/cpuprofileTree';
import type { PackedCallTree, ProfileSummary } from '../common/callTree';
import { pruneCallTree } from '../common/pruneCallTree';
import { corpusDir } from '../test/support/corpus';
import { viewMeta } from '../test/webview/testProfiles';
import { launchChromium, WebviewHarness } from '../test/webview/webviewHarness';
import { bigCpuProfile } from './bigProfile';
import { median } from './storage/benchTiming';
import type { Benchmark } from './benchmarkDoc';

/**
 * The flame graph on big profiles, in headless Chromium with the built webview bundle: time from the message's
 * arrival to the first painted label (the rows on the screen), to every frame drawn (a deep tree's rows below the
 * screen come a frame after the first paint: webview/flameGraphView.ts), time for a zoom (a click on a mid-sized frame until the next frame is
 * painted: the synchronous layout and redraw, not the 150 ms animation after it), and the bytes of the message.
 * Measured for the tree as the agent sends it (pruned below 0.2% of the total, the default; ICICLE_RENDER_MIN_SHARE
 * sets another share) and, as the peer in
 * the same run, for the whole tree handed to d3-flame-graph as it is.
 */
const RUNS = 3;
const DEFAULT_MIN_SHARE = Number(process.env['ICICLE_RENDER_MIN_SHARE'] ?? 0.002);

/** The page-side APIs the timing reads (this project compiles benchmarks without the DOM library). */
interface PageWindow {
  performance: { now(): number; getEntriesByName(name: string): { startTime: number }[] };
  requestAnimationFrame(callback: () => void): void;
  document: {
    querySelector(selector: string): { getBoundingClientRect(): { width: number } } | null;
    querySelectorAll(selector: string): ArrayLike<{ textContent: string | null; getBoundingClientRect(): { width: number }; dispatchEvent(event: unknown): boolean }>;
  };
  MouseEvent: new (type: string, init: { bubbles: boolean }) => unknown;
}

interface Measured {
  firstPaintMs: number;
  /** Until every frame is drawn: a deep tree's rows below the screen come after the first paint (flameGraphView.ts). */
  completeMs: number;
  zoomMs: number;
  payloadBytes: number;
  nodes: number;
}

async function measure(tree: PackedCallTree, summary: ProfileSummary, title: string): Promise<Measured> {
  const browser = await launchChromium();
  const paints: number[] = [];
  const completes: number[] = [];
  const zooms: number[] = [];
  const message = { type: 'profile', title, summary, tree, settings: { orientation: 'icicle', minFramePixels: 1 }, ...viewMeta() };
  try {
    for (let run = 0; run < RUNS; run++) {
      const harness = await WebviewHarness.open(browser, { viewport: { width: 1400, height: 900 } });
      try {
        await harness.waitForPosted(m => m.type === 'ready', 'ready');
        const painted = harness.page.waitForFunction(
          () => {
            const page = globalThis as unknown as PageWindow;
            const received = page.performance.getEntriesByName('icicle:message-received')[0];
            const label = Array.from(page.document.querySelectorAll('.d3-flame-graph-label')).find(l => (l.textContent ?? '') !== '' && l.getBoundingClientRect().width > 0);
            return received && label ? page.performance.now() - received.startTime : 0;
          },
          undefined,
          { polling: 'raf', timeout: 120_000 },
        );
        await harness.postToWebview(message);
        paints.push(Number(await (await painted).jsonValue()));
        const complete = await harness.page.waitForFunction(
          () => {
            const page = globalThis as unknown as PageWindow;
            const received = page.performance.getEntriesByName('icicle:message-received')[0];
            const drawn = page.performance.getEntriesByName('icicle:graph-complete')[0];
            return received && drawn ? drawn.startTime - received.startTime : 0;
          },
          undefined,
          { polling: 'raf', timeout: 120_000 },
        );
        completes.push(Number(await complete.jsonValue()));
        zooms.push(
          await harness.page.evaluate(async () => {
            const page = globalThis as unknown as PageWindow;
            const svgWidth = page.document.querySelector('.icicle-chart svg')!.getBoundingClientRect().width;
            // A frame between a fifth and a half of the width, deep enough that zooming to it changes the picture.
            const rects = Array.from(page.document.querySelectorAll('.icicle-chart svg g rect'));
            const target = rects.reverse().find(r => {
              const width = r.getBoundingClientRect().width;
              return width > svgWidth / 5 && width < svgWidth / 2;
            });
            if (!target) return -1;
            const started = page.performance.now();
            target.dispatchEvent(new page.MouseEvent('click', { bubbles: true }));
            await new Promise<void>(resolve => page.requestAnimationFrame(() => resolve()));
            return page.performance.now() - started;
          }),
        );
      } finally {
        await harness.close();
      }
    }
  } finally {
    await browser.close();
  }
  return { firstPaintMs: median(paints), completeMs: median(completes), zoomMs: median(zooms), payloadBytes: Buffer.byteLength(JSON.stringify(message)), nodes: tree.parent.length };
}

function line(name: string, ours: Measured, peer: Measured): void {
  console.log(`${name}`);
  console.log(`  pruned (${ours.nodes.toLocaleString('en-US')} nodes)   first paint ${ours.firstPaintMs.toFixed(0).padStart(5)} ms (every frame ${ours.completeMs.toFixed(0)} ms)   zoom ${ours.zoomMs.toFixed(0).padStart(5)} ms   ${(ours.payloadBytes / 1e6).toFixed(2)} MB`);
  console.log(`  whole  (${peer.nodes.toLocaleString('en-US')} nodes)   first paint ${peer.firstPaintMs.toFixed(0).padStart(5)} ms (every frame ${peer.completeMs.toFixed(0)} ms)   zoom ${peer.zoomMs.toFixed(0).padStart(5)} ms   ${(peer.payloadBytes / 1e6).toFixed(2)} MB`);
  console.log(`  ratio to the whole tree: first paint ${(ours.firstPaintMs / peer.firstPaintMs).toFixed(2)}×, zoom ${(ours.zoomMs / peer.zoomMs).toFixed(2)}×; targets first paint ≤ 400 ms ${ours.firstPaintMs <= 400 ? 'PASS' : 'MISS'}, zoom ≤ 100 ms ${ours.zoomMs <= 100 ? 'PASS' : 'MISS'}`);
}

export async function runRenderBenchmark(): Promise<Record<string, number>> {
  const big = bigCpuProfile('render');
  console.log(`Flame graph rendering in headless Chromium (median of ${RUNS}; the whole tree is the peer)`);
  const fields: Record<string, number> = {};
  for (const [name, file, key] of [
    ['tsc-big.cpuprofile', big, ''],
    ['sucrase.cpuprofile', join(corpusDir(), 'cpuprofile', 'sucrase.cpuprofile'), 'sucrase_'],
  ] as const) {
    const { summary, tree } = parseCpuProfile(readFileSync(file, 'utf8'), name);
    const ours = await measure(pruneCallTree(tree, DEFAULT_MIN_SHARE), summary, name);
    const peer = await measure(tree, summary, name);
    line(`${name} (${tree.parent.length.toLocaleString('en-US')} nodes)`, ours, peer);
    fields[`${key}first_paint_ms`] = Math.round(ours.firstPaintMs);
    fields[`${key}zoom_ms`] = Math.round(ours.zoomMs);
    fields[`${key}complete_ms`] = Math.round(ours.completeMs);
    fields[`${key}payload_bytes`] = ours.payloadBytes;
    fields[`${key}whole_first_paint_ms`] = Math.round(peer.firstPaintMs);
    fields[`${key}whole_zoom_ms`] = Math.round(peer.zoomMs);
    fields[`${key}whole_complete_ms`] = Math.round(peer.completeMs);
  }
  return fields;
}

/** The pruned tree's paint and zoom against the whole tree's. */
export const renderBenchmark: Benchmark = { run: runRenderBenchmark, peersOf: field => [field.replace(/(first_paint|zoom|complete)_ms$/, 'whole_$1_ms')] };
