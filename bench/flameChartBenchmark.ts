import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProfileThroughStore } from '../agent/profileLibrary';
import { queryView } from '../agent/queries/view/viewQueries';
import { FRAME_KINDS, type PackedCallTree } from '../common/callTree';
import type { TimeOrderedSamples } from '../common/timeOrder';
import { Store } from '../storage/store';
import { profileMessage } from '../test/webview/testProfiles';
import { launchChromium, WebviewHarness } from '../test/webview/webviewHarness';
import { corpusDir } from '../test/support/corpus';
import { bigCpuProfile } from './bigProfile';
import type { Benchmark } from './benchmarkDoc';
import { median } from './storage/benchTiming';

/**
 * The flame chart (issue 19): the agent's answer of a real profile's samples in time order against the same view
 * without them (the peer: what every view query costs anyway), and, in headless Chromium with the built bundle, a
 * million samples: from the message's arrival to the first drawn chart, and a redraw on a wheel zoom, against the
 * floor of filling one canvas rectangle per sample on a canvas of the same size (what any per-sample drawing costs).
 */
const RUNS = 3;
const SAMPLES = 1_000_000;

/** The page-side APIs the timing reads (benchmarks compile without the DOM library). */
interface PageWindow {
  performance: { now(): number; getEntriesByName(name: string): { startTime: number; duration: number }[] };
  requestAnimationFrame(callback: () => void): void;
  document: {
    querySelector(selector: string): PageCanvas | null;
    createElement(tag: 'canvas'): PageCanvas;
  };
  WheelEvent: new (type: string, init: { bubbles: boolean; cancelable: boolean; deltaY: number; clientX: number; clientY: number }) => unknown;
}

interface PageCanvas {
  width: number;
  height: number;
  getBoundingClientRect(): { left: number; top: number; width: number };
  dispatchEvent(event: unknown): boolean;
  getContext(kind: '2d'): { fillStyle: string; clearRect(x: number, y: number, w: number, h: number): void; fillRect(x: number, y: number, w: number, h: number): void };
}

/** A call tree of `width` functions nested `depth` deep under a few roots, as the agent packs it. */
function syntheticTree(depth: number, fanout: number): PackedCallTree {
  const tree: PackedCallTree = { strings: [''], parent: [-1], name: [0], url: [0], line: [0], column: [0], kind: [0], selfSamples: [0], totalSamples: [0], selfValue: [0], totalValue: [0] };
  const add = (parent: number, level: number): void => {
    for (let c = 0; c < fanout; c++) {
      const index = tree.parent.length;
      tree.parent.push(parent);
      tree.name.push(tree.strings.push(`function${index}`) - 1);
      tree.url.push(0);
      tree.line.push(level);
      tree.column.push(0);
      tree.kind.push(1 + (index % (FRAME_KINDS.length - 1)));
      tree.selfSamples.push(1);
      tree.totalSamples.push(1);
      tree.selfValue.push(1);
      tree.totalValue.push(1);
      if (level < depth) add(index, level + 1);
    }
  };
  add(0, 1);
  return tree;
}

/** A million samples walking the tree: mostly the same stack as the previous one, as real profiles are. */
function syntheticSamples(): TimeOrderedSamples {
  const tree = syntheticTree(9, 3);
  let seed = 42;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const node = new Array<number>(SAMPLES);
  let leaf = 1;
  for (let i = 0; i < SAMPLES; i++) {
    if (random() < 0.3) leaf = 1 + Math.floor(random() * (tree.parent.length - 1));
    node[i] = leaf;
  }
  return {
    tree,
    startMs: Date.UTC(2026, 11, 3),
    tracks: [{ labels: { thread: 'main' }, sampleCount: SAMPLES }],
    node,
    gapMicros: node.map(() => 0),
    durationMicros: node.map(() => 100),
    throughMs: Date.UTC(2026, 11, 3) + SAMPLES / 10,
    totalSamples: SAMPLES,
  };
}

interface PageFigures {
  firstDrawMs: number;
  layoutMs: number;
  drawMs: number;
  zoomRedrawMs: number;
  floorMs: number;
}

async function measurePage(): Promise<PageFigures & { payloadBytes: number }> {
  const samples = syntheticSamples();
  const message = profileMessage('a million samples', samples.tree, undefined, { timeOrder: samples });
  const payloadBytes = Buffer.byteLength(JSON.stringify(samples));
  const browser = await launchChromium();
  const runs: PageFigures[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const harness = await WebviewHarness.open(browser, { viewport: { width: 1400, height: 900 } });
      try {
        await harness.postToWebview(profileMessage('a million samples', samples.tree));
        await harness.page.getByRole('tab', { name: 'Flame Chart' }).click();
        await harness.waitForPosted(m => m.type === 'query', 'the chart asking for its samples');
        await harness.postToWebview(message);
        const first = await harness.page.waitForFunction(
          () => {
            const page = globalThis as unknown as PageWindow;
            const received = page.performance.getEntriesByName('icicle:message-received')[0];
            const draw = page.performance.getEntriesByName('icicle:flamechart-draw')[0];
            const layout = page.performance.getEntriesByName('icicle:flamechart-layout')[0];
            if (!received || !draw || !layout || draw.startTime < received.startTime) return undefined;
            return { firstDrawMs: draw.startTime + draw.duration - received.startTime, layoutMs: layout.duration, drawMs: draw.duration };
          },
          undefined,
          { polling: 'raf', timeout: 120_000 },
        );
        const firsts = (await first.jsonValue())!;
        const rest = await harness.page.evaluate(async count => {
          const page = globalThis as unknown as PageWindow;
          const canvas = page.document.querySelector('.icicle-flamechart-canvas')!;
          const box = canvas.getBoundingClientRect();
          const zooms: number[] = [];
          for (let i = 0; i < 5; i++) {
            canvas.dispatchEvent(new page.WheelEvent('wheel', { bubbles: true, cancelable: true, deltaY: -300, clientX: box.left + box.width / 3, clientY: box.top + 30 }));
            // No named helper here: tsx would wrap it in a __name call the page does not have.
            await new Promise<void>(resolve => page.requestAnimationFrame(() => resolve()));
            zooms.push(page.performance.getEntriesByName('icicle:flamechart-draw')[0]!.duration);
          }
          // The floor: one rectangle per sample on a canvas of the chart's size.
          const floor = page.document.createElement('canvas');
          floor.width = canvas.width;
          floor.height = canvas.height;
          const context = floor.getContext('2d');
          const started = page.performance.now();
          context.clearRect(0, 0, floor.width, floor.height);
          for (let i = 0; i < count; i++) {
            context.fillStyle = i % 2 === 0 ? '#d18616' : '#3794ff';
            context.fillRect((i * floor.width) / count, (i % 10) * 18, 1, 17);
          }
          return { zoomRedrawMs: zooms.sort((a, b) => a - b)[2]!, floorMs: page.performance.now() - started };
        }, SAMPLES);
        runs.push({ ...firsts, ...rest });
      } finally {
        await harness.close();
      }
    }
  } finally {
    await browser.close();
  }
  const pick = (key: keyof PageFigures) => median(runs.map(r => r[key]));
  return { firstDrawMs: pick('firstDrawMs'), layoutMs: pick('layoutMs'), drawMs: pick('drawMs'), zoomRedrawMs: pick('zoomRedrawMs'), floorMs: pick('floorMs'), payloadBytes };
}

/**
 * A million samples of a real program's stacks: sucrase.cpuprofile's samples repeated, a millisecond apart, as a
 * long recording of the same work would hold them.
 */
function millionSampleProfile(): string {
  const profile = JSON.parse(readFileSync(join(corpusDir(), 'cpuprofile', 'sucrase.cpuprofile'), 'utf8')) as { samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
  const own = profile.samples;
  profile.samples = Array.from({ length: SAMPLES }, (_, i) => own[i % own.length]!);
  profile.timeDeltas = profile.samples.map(() => 1000);
  profile.endTime = profile.startTime + SAMPLES * 1000;
  return JSON.stringify(profile);
}

/** The view query of a profile with and without its samples in time order. */
async function measureAgent(content: string | Buffer, name: string): Promise<{ samples: number; withMs: number; withoutMs: number; bytes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'icicle-bench-chart-'));
  const store = await Store.open(dir);
  try {
    const opened = await openProfileThroughStore(store, content, name);
    const query = { selector: opened.query.selector };
    const time = async (timeOrder: boolean) => {
      const times: number[] = [];
      let bytes = 0;
      let samples = 0;
      for (let run = 0; run < RUNS; run++) {
        const started = performance.now();
        const view = await queryView(store, { ...query, ...(timeOrder ? { timeOrder } : {}) }, 0.002);
        times.push(performance.now() - started);
        bytes = view.timeOrder ? Buffer.byteLength(JSON.stringify(view.timeOrder)) : 0;
        samples = view.timeOrder?.node.length ?? 0;
      }
      return { ms: median(times), bytes, samples };
    };
    const without = await time(false);
    const withSamples = await time(true);
    return { samples: withSamples.samples, withMs: withSamples.ms, withoutMs: without.ms, bytes: withSamples.bytes };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runFlameChartBenchmark(): Promise<Record<string, number>> {
  const agent = await measureAgent(readFileSync(bigCpuProfile('flame-chart')), 'tsc-big.cpuprofile');
  const million = await measureAgent(millionSampleProfile(), 'million.cpuprofile');
  console.log(`Flame chart (median of ${RUNS})`);
  for (const [name, figures] of [['tsc-big.cpuprofile', agent], ['sucrase repeated', million]] as const) {
    console.log(
      `  agent, ${name} (${figures.samples.toLocaleString('en-US')} samples): view query with its samples in time order ${figures.withMs.toFixed(0)} ms, ` +
        `without ${figures.withoutMs.toFixed(0)} ms (peer); the samples are ${(figures.bytes / 1e6).toFixed(1)} MB of JSON`,
    );
  }
  const page = await measurePage();
  console.log(
    `  webview, ${SAMPLES.toLocaleString('en-US')} samples (${(page.payloadBytes / 1e6).toFixed(1)} MB): first draw ${page.firstDrawMs.toFixed(0)} ms after the message ` +
      `(layout ${page.layoutMs.toFixed(0)} ms, drawing ${page.drawMs.toFixed(1)} ms); a wheel zoom redraws in ${page.zoomRedrawMs.toFixed(1)} ms; ` +
      `the floor, one canvas rectangle per sample, takes ${page.floorMs.toFixed(0)} ms`,
  );
  return {
    agent_samples: agent.samples,
    agent_time_order_ms: Math.round(agent.withMs),
    agent_view_ms: Math.round(agent.withoutMs),
    agent_time_order_bytes: agent.bytes,
    agent_1m_time_order_ms: Math.round(million.withMs),
    agent_1m_view_ms: Math.round(million.withoutMs),
    agent_1m_time_order_bytes: million.bytes,
    chart_payload_bytes: page.payloadBytes,
    chart_first_draw_ms: Math.round(page.firstDrawMs),
    chart_layout_ms: Math.round(page.layoutMs),
    chart_draw_ms: Math.round(page.drawMs * 10) / 10,
    chart_zoom_redraw_ms: Math.round(page.zoomRedrawMs * 10) / 10,
    chart_rect_per_sample_floor_ms: Math.round(page.floorMs),
  };
}

/** The agent's answer against the view without the samples; the chart's draws against one rectangle per sample. */
export const flameChartBenchmark: Benchmark = {
  run: runFlameChartBenchmark,
  peersOf: field =>
    field === 'agent_time_order_ms' ? ['agent_view_ms'] : field === 'agent_1m_time_order_ms' ? ['agent_1m_view_ms'] : field === 'chart_draw_ms' || field === 'chart_zoom_redraw_ms' ? ['chart_rect_per_sample_floor_ms'] : [],
};
