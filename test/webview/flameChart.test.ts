// The flame chart tab through the built bundle in headless Chromium: it asks for the samples in time order, draws a
// known run so that the pixels at a time show that time's stack, zooms down to one sample, and follows the
// timeline's brush (and moves it) both ways.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TimeOrderedSamples } from '../../common/timeOrder';
import type { Timeline } from '../../common/viewQuery';
import { pollUntil } from '../support/poll';
import { packFrames, profileMessage, type FrameSpec } from './testProfiles';
import { type PostedMessage, webviewSuite } from './webviewHarness';

const SELECTOR = '{session_id="run"}';
const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';
const START = Date.UTC(2026, 11, 3, 10, 0, 0);
const artifacts = join(new URL('../..', import.meta.url).pathname, 'test-results', 'webview');

/**
 * One thread's 100 samples of a millisecond each: 40 in main;work;leaf, then 20 in main;other, then 40 in main;work;
 * and a worker's 50 in onmessage;hash. Node indices follow packFrames' pre-order.
 */
const FRAMES: FrameSpec[] = [
  {
    name: 'main',
    url: 'file:///app/main.js',
    line: 1,
    selfSamples: 0,
    children: [
      { name: 'work', url: 'file:///app/work.js', line: 10, selfSamples: 40, children: [{ name: 'leaf', url: 'file:///app/work.js', line: 20, selfSamples: 40 }] },
      { name: 'other', url: 'file:///app/other.js', line: 3, selfSamples: 20 },
    ],
  },
  { name: 'onmessage', url: 'file:///app/worker.js', line: 3, selfSamples: 0, children: [{ name: 'hash', url: 'file:///app/worker.js', line: 8, kind: 'dependency', selfSamples: 50 }] },
];
const NODE = { main: 1, work: 2, leaf: 3, other: 4, onmessage: 5, hash: 6 };

function samples(): TimeOrderedSamples {
  const tree = packFrames(FRAMES);
  const main = [...Array<number>(40).fill(NODE.leaf), ...Array<number>(20).fill(NODE.other), ...Array<number>(40).fill(NODE.work)];
  const worker = Array<number>(50).fill(NODE.hash);
  return {
    tree,
    startMs: START,
    tracks: [
      { labels: { thread: 'main' }, sampleCount: 100 },
      { labels: { thread: 'worker' }, sampleCount: 50 },
    ],
    node: [...main, ...worker],
    gapMicros: [...main.map(() => 0), 25_000, ...worker.slice(1).map(() => 0)],
    durationMicros: [...main, ...worker].map(() => 1000),
    throughMs: START + 99,
    totalSamples: 150,
  };
}

/** 100 buckets of a millisecond: the timeline's extent is the chart's, 100 ms. */
const TIMELINE: Timeline = {
  bucketMs: 1,
  bucketStartMs: Array.from({ length: 100 }, (_, i) => START + i),
  values: Array.from({ length: 100 }, () => 1000),
  span: { startMs: START, endMs: START + 99 },
};

const meta = {
  query: { selector: SELECTOR, profileType: CPU, timeRange: undefined, focus: undefined },
  profileTypes: [{ id: CPU, label: 'CPU time', unit: 'micros' as const }],
  timeline: TIMELINE,
};

describe('flame chart', function () {
  const web = webviewSuite({ viewport: { width: 1012, height: 700 } });
  before(async () => {
    mkdirSync(artifacts, { recursive: true
  });
  });
  beforeEach(async () => {
    const tree = packFrames(FRAMES);
    await web.harness.postToWebview(profileMessage('run', tree, undefined, meta));
    await web.harness.page.getByRole('tab', { name: 'Flame Chart' }).click();
    // The first answer had no samples in time order: the chart asks for them, once.
    const asked = await web.harness.waitForPosted(m => m.type === 'query' && (m['query'] as { timeOrder?: boolean }).timeOrder === true, 'a query for the samples in time order');
    assert.equal((asked['query'] as { selector: string }).selector, SELECTOR);
    await web.harness.postToWebview(profileMessage('run', tree, undefined, { ...meta, timeOrder: samples() }));
    await pollUntil(async () => (await caption())?.includes('150 samples of 150 samples'), { timeoutMs: 10_000, what: 'the chart to draw every sample' });
  });

  const canvas = () => web.harness.page.locator('.icicle-flamechart-canvas');
  const caption = () => web.harness.page.locator('.icicle-flamechart-caption').textContent();
  const visible = async (): Promise<{ from: number; to: number }> => {
    const [from, to] = await Promise.all([canvas().getAttribute('data-visible-from'), canvas().getAttribute('data-visible-to')]);
    return { from: Number(from), to: Number(to) };
  };
  const queries = async (): Promise<PostedMessage[]> => (await web.harness.posted()).filter(m => m.type === 'query');
  /** The frame name the tooltip shows at a point of the canvas (fractions of its width, CSS pixels down). */
  const nameAt = async (xFraction: number, y: number): Promise<string | undefined> => {
    const box = (await canvas().boundingBox())!;
    await web.harness.page.mouse.move(box.x + box.width * xFraction, box.y + y);
    const tip = web.harness.page.locator('.icicle-flamechart-tooltip');
    if (!(await tip.isVisible().catch(() => false))) return undefined;
    return (await tip.locator('.icicle-tooltip-name').textContent()) ?? undefined;
  };
  /** The colour drawn at a point of the canvas, as [r, g, b, a]. */
  const pixelAt = async (xFraction: number, y: number): Promise<number[]> =>
    canvas().evaluate(
      (element, [fx, cssY]) => {
        // The test project compiles without the DOM library: the canvas's few members used here.
        const c = element as unknown as { width: number; clientWidth: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } };
        const ratio = c.width / c.clientWidth;
        return Array.from(c.getContext('2d').getImageData(Math.floor(c.width * fx!), Math.floor(cssY! * ratio), 1, 1).data);
      },
      [xFraction, y],
    );
  // Rows: a track's heading (20 px), then 18 px per depth; the worker's track starts below the main track's 3 rows.
  const rowY = (depth: number, track = 0) => (track === 0 ? 0 : 20 + 3 * 18) + 20 + (depth - 1) * 18 + 9;
  // The chart spans the main thread's 100 ms; the worker's samples run from 25 to 75 ms.
  const END_MS = 100;

  it('shows at each time the stack sampled then, per thread, in frame colours', async () => {
    await web.harness.page.screenshot({ path: join(artifacts, 'flame-chart.png') });
    const x = (ms: number) => ms / END_MS;
    assert.equal(await nameAt(x(20.5), rowY(1)), 'main');
    assert.equal(await nameAt(x(20.5), rowY(2)), 'work');
    assert.equal(await nameAt(x(20.5), rowY(3)), 'leaf');
    assert.equal(await nameAt(x(50.5), rowY(2)), 'other');
    assert.equal(await nameAt(x(50.5), rowY(3)), undefined, 'nothing deeper than other while it ran');
    assert.equal(await nameAt(x(80.5), rowY(2)), 'work');
    assert.equal(await nameAt(x(80.5), rowY(3)), undefined);
    // The worker's samples start 25 ms after the first sample: before that its track is empty.
    assert.equal(await nameAt(x(10), rowY(1, 1)), undefined);
    assert.equal(await nameAt(x(60), rowY(2, 1)), 'hash');
    assert.match((await web.harness.page.locator('.icicle-flamechart-tooltip').textContent()) ?? '', /50 samples in this call/);
    // Pixels: a frame is filled (opaque), the gap after `other` is not; hash (a dependency) differs from leaf (user code).
    const leaf = await pixelAt(x(20.5), rowY(3));
    const hash = await pixelAt(x(60), rowY(2, 1));
    assert.equal(leaf[3], 255);
    assert.equal((await pixelAt(x(50.5), rowY(3)))[3], 0);
    assert.notDeepEqual(leaf.slice(0, 3), hash.slice(0, 3));
  });

  it('zooms with the wheel down to a single sample, which still shows its stack', async () => {
    const box = (await canvas().boundingBox())!;
    // At 20.5 ms: the middle of the 21st sample.
    await web.harness.page.mouse.move(box.x + box.width * (20.5 / END_MS), box.y + rowY(3));
    for (let i = 0; i < 40; i++) await web.harness.page.mouse.wheel(0, -300);
    await pollUntil(async () => {
      const { from, to } = await visible();
      return to - from <= 1000;
    }, { timeoutMs: 10_000, what: 'the chart to zoom to one sample' });
    const { from, to } = await visible();
    assert.ok(from <= 20_500 && to >= 20_500, `${from}..${to} holds the sample`);
    await pollUntil(async () => (await caption())?.startsWith('2 tracks · 1 sample of 150'), { timeoutMs: 10_000, what: 'the caption to count one sample' });
    assert.equal(await nameAt(0.5, rowY(3)), 'leaf');
    assert.equal(await nameAt(0.5, rowY(1)), 'main');
    // Zooming further does not go below a sample.
    await web.harness.page.mouse.wheel(0, -300);
    const after = await visible();
    assert.ok(after.to - after.from >= 1000 - 1e-6);
  });

  /**
   * What a live run does to an open chart: the timeline grows by one 100 ms bucket, the page asks for the samples
   * again (the query it posts is returned), and the answer holds one more sample of `work`.
   */
  async function growRunByOneSample(): Promise<{ timeOrder?: boolean }> {
    const before = (await queries()).length;
    const grown: Timeline = { ...TIMELINE, bucketStartMs: [...TIMELINE.bucketStartMs, START + 100], values: [...TIMELINE.values, 1000], span: { startMs: START, endMs: START + 100 } };
    const tree = packFrames(FRAMES);
    await web.harness.postToWebview(profileMessage('run', tree, undefined, { ...meta, timeline: grown }));
    const asked = (await pollUntil(async () => (await queries())[before], { timeoutMs: 10_000, what: 'the samples asked for again' })).query as { timeOrder?: boolean };
    const more = samples();
    more.tracks[0]!.sampleCount++;
    more.node.splice(100, 0, NODE.work);
    more.gapMicros.splice(100, 0, 0);
    more.durationMicros.splice(100, 0, 1000);
    await web.harness.postToWebview(profileMessage('run', tree, undefined, { ...meta, timeline: grown, timeOrder: more }));
    return asked;
  }

  it('asks again when samples arrived (the timeline grew) and keeps its zoom on the new ones', async () => {
    await canvas().focus();
    await web.harness.page.keyboard.press('ArrowUp');
    const zoomed = await visible();
    const asked = await growRunByOneSample();
    assert.equal(asked.timeOrder, true);
    await pollUntil(async () => (await caption())?.includes('of 151 samples'), { timeoutMs: 10_000, what: 'the new samples drawn' });
    assert.deepEqual(await visible(), zoomed, 'the zoom is kept');
  });

  it('follows a run as it grows when the whole run was shown (a live debug run)', async () => {
    assert.deepEqual(await visible(), { from: 0, to: END_MS * 1000 });
    await growRunByOneSample();
    await pollUntil(async () => (await caption())?.includes('151 samples of 151 samples shown'), { timeoutMs: 10_000, what: 'every sample of the grown run shown' });
    assert.deepEqual(await visible(), { from: 0, to: (END_MS + 1) * 1000 });
  });

  it('zooms and pans from the keyboard, and Escape shows everything', async () => {
    await canvas().focus();
    await web.harness.page.keyboard.press('ArrowUp');
    const zoomed = await visible();
    assert.ok(Math.abs(zoomed.to - zoomed.from - 100_000 / 1.5) < 1, `${zoomed.from}..${zoomed.to}: zoomed about the middle`);
    await web.harness.page.keyboard.press('ArrowRight');
    const moved = await visible();
    assert.ok(moved.from > zoomed.from && Math.abs(moved.to - moved.from - (zoomed.to - zoomed.from)) < 1, 'moved right, as wide');
    await web.harness.page.keyboard.press('Escape');
    assert.deepEqual(await visible(), { from: 0, to: 100_000 });
  });

  it('follows the timeline\'s brush, moves it when zoomed, and shows its range as a flame graph', async () => {
    const chart = web.harness.page.locator('.icicle-timeline-chart');
    const box = (await chart.boundingBox())!;
    const before = (await queries()).length;
    await web.harness.page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
    await web.harness.page.mouse.down();
    await web.harness.page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 4 });
    await web.harness.page.mouse.up();
    // The chart follows at once, before any answer: 20 to 40 ms of the 100 ms the timeline spans.
    await pollUntil(async () => {
      const { from, to } = await visible();
      return Math.abs(from - 20_000) <= 1000 && Math.abs(to - 40_000) <= 1000;
    }, { timeoutMs: 10_000, what: 'the chart to show the brushed range' });
    const query = (await pollUntil(async () => (await queries())[before], { timeoutMs: 10_000, what: 'the brushed range queried' })).query as { timeRange: unknown; timeOrder?: boolean };
    assert.ok(query.timeRange !== undefined);
    assert.equal(query.timeOrder, undefined, 'the chart has this run\'s samples: a range does not ask for them again');

    // Zooming out the chart moves the brush: it widens about its centre.
    const brush = web.harness.page.locator('.icicle-timeline-brush .selection');
    const widthBefore = Number(await brush.getAttribute('width'));
    const canvasBox = (await canvas().boundingBox())!;
    await web.harness.page.mouse.move(canvasBox.x + canvasBox.width / 2, canvasBox.y + rowY(1));
    await web.harness.page.mouse.wheel(0, 200);
    await pollUntil(async () => Number(await brush.getAttribute('width')) > widthBefore * 1.5, { timeoutMs: 10_000, what: 'the brush to widen with the chart' });
    assert.equal((await queries()).length, before + 1, 'zooming the chart queries nothing');

    // "Show range as flame graph" asks for the visible range and shows the graph.
    const { from, to } = await visible();
    await web.harness.page.getByRole('button', { name: 'Show range as flame graph' }).click();
    const shown = (await pollUntil(async () => (await queries())[before + 1], { timeoutMs: 10_000, what: 'the range asked for' })).query as {
      timeRange: { startMs: number; endMs: number };
      timeOrder?: boolean;
    };
    assert.equal(shown.timeRange.startMs, Math.floor(START + from / 1000));
    assert.equal(shown.timeRange.endMs, Math.ceil(START + to / 1000));
    assert.equal(shown.timeOrder, undefined, 'the graph does not need the samples again');
    assert.equal(await web.harness.page.getByRole('tab', { name: 'Graph' }).getAttribute('aria-selected'), 'true');
  });
});
