// A live update through the built bundle in headless Chromium: while a run records, the extension sends the same
// selection again with more samples (a `profile` marked `refresh`). What the user set up must survive it — the
// zoomed frame, the search, the brushed time range, the table's sort, the flame chart's zoom — the totals must
// grow, and no painted frame may show a blank graph, a graph zoomed out, or a loading state in between.
import assert from 'node:assert/strict';
import type { TimeOrderedSamples } from '../../common/timeOrder';
import type { Timeline, ViewQuery } from '../../common/viewQuery';
import { pollUntil } from '../support/poll';
import { frameRect } from './frames';
import { packFrames, profileMessage, SMALL_PROGRAM, type FrameSpec } from './testProfiles';
import { type PostedMessage, webviewSuite } from './webviewHarness';

const TITLE = 'run 1a2b3c4d';
const SELECTOR = '{session_id="1a2b3c4d"}';
const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';
const START = Date.UTC(2026, 11, 3, 12, 0, 0);

/** A timeline of `buckets` buckets of 100 ms: the run so far. */
function timeline(buckets: number): Timeline {
  return {
    bucketMs: 100,
    bucketStartMs: Array.from({ length: buckets }, (_, i) => START + i * 100),
    values: Array.from({ length: buckets }, () => 50_000),
    span: { startMs: START, endMs: START + buckets * 100 - 1 },
  };
}

/** The small program with every self count times `factor`: the same run, later. */
function grown(factor: number): FrameSpec[] {
  const scale = (frames: FrameSpec[]): FrameSpec[] => frames.map(f => ({ ...f, selfSamples: f.selfSamples * factor, ...(f.children ? { children: scale(f.children) } : {}) }));
  return scale(SMALL_PROGRAM);
}

/** The run's samples in time order: one track, each leaf's samples in a row, a millisecond each. */
function timeOrder(frames: FrameSpec[]): TimeOrderedSamples {
  const tree = packFrames(frames);
  const node: number[] = [];
  for (let i = 1; i < tree.parent.length; i++) for (let s = 0; s < tree.selfSamples[i]!; s++) node.push(i);
  return { tree, startMs: START, tracks: [{ labels: { thread: 'main' }, sampleCount: node.length }], node, gapMicros: node.map(() => 0), durationMicros: node.map(() => 1000), throughMs: START + node.length - 1, totalSamples: node.length };
}

/** What the page looked like in one painted frame, recorded by the page itself (see installPaintRecorder). */
interface PaintedFrame {
  svg: boolean;
  /** Frames with a width drawn. */
  drawn: number;
  /** The zoomed frame's width against the graph's. */
  zoomedWidth: number;
  svgWidth: number;
  /** The zoomed frame's label. */
  zoomedLabel: string;
  status: string;
}

/**
 * Records, once a `profile` message has been handled, what each painted frame shows. A ResizeObserver's callback
 * runs in the rendering step after every animation-frame callback and layout, just before paint, so it sees the
 * page as painted (d3's transitions run in animation-frame callbacks); a probe element resized every frame makes it
 * fire in each one. Plain JavaScript in a string: it runs in the page untranspiled.
 */
const PAINT_RECORDER = `(() => {
  const painted = [];
  window.__painted = painted;
  let answered = false;
  window.addEventListener('message', event => {
    if (event.data && event.data.type === 'profile') answered = true;
  });
  const probe = document.createElement('div');
  probe.style.position = 'absolute';
  probe.style.height = '1px';
  document.body.appendChild(probe);
  let width = 1;
  new ResizeObserver(() => {
    if (!answered) return;
    const svg = document.querySelector('.icicle-chart svg');
    let drawn = 0;
    for (const rect of document.querySelectorAll('.icicle-chart svg g rect')) if (Number(rect.getAttribute('width') || 0) > 0) drawn++;
    const zoomed = document.querySelector('.icicle-chart svg g[name="parseInput"] rect');
    const label = document.querySelector('.icicle-chart svg g[name="parseInput"] .d3-flame-graph-label');
    const status = document.querySelector('.icicle-status');
    painted.push({
      svg: svg !== null,
      drawn,
      zoomedWidth: Number((zoomed && zoomed.getAttribute('width')) || 0),
      svgWidth: Number((svg && svg.getAttribute('width')) || 0),
      zoomedLabel: (label && label.textContent) || '',
      status: (status && !status.hidden && status.textContent) || '',
    });
  }).observe(probe);
  const resize = () => {
    width = width === 1 ? 2 : 1;
    probe.style.width = width + 'px';
    requestAnimationFrame(resize);
  };
  requestAnimationFrame(resize);
})()`;

describe('live update of an open view', function () {
  const web = webviewSuite();

  const queries = async (): Promise<PostedMessage[]> => (await web.harness.posted()).filter(m => m.type === 'query');
  const lastQuery = async (): Promise<ViewQuery> => (await queries()).at(-1)!['query'] as ViewQuery;
  const waitQueries = (count: number) => pollUntil(async () => (await queries()).length >= count, { timeoutMs: 10_000, what: `${count} queries posted` });
  /** The extension's answer to its query (ViewQuery) as it last stood: what a reload sends. */
  const answer = (frames: FrameSpec[], query: ViewQuery, extra: { timeline: Timeline; timeOrder?: TimeOrderedSamples; refresh?: true }) => ({
    ...profileMessage(TITLE, packFrames(frames), undefined, {
      query: { selector: query.selector, profileType: query.profileType ?? CPU, timeRange: query.timeRange, focus: query.focus },
      profileTypes: [{ id: CPU, label: 'CPU time', unit: 'micros' as const }],
      timeline: extra.timeline,
      ...(extra.timeOrder ? { timeOrder: extra.timeOrder } : {}),
    }),
    ...(extra.refresh ? { refresh: true } : {}),
  });
  const tab = (name: string) => web.harness.page.getByRole('tab', { name });
  const chartShown = async () => (await web.harness.posted()).filter(m => m.type === 'chartShown').map(({ type: _type, ...state }) => state);
  const chartCanvas = () => web.harness.page.locator('.icicle-flamechart-canvas');
  const chartVisible = async () => ({ from: Number(await chartCanvas().getAttribute('data-visible-from')), to: Number(await chartCanvas().getAttribute('data-visible-to')) });
  const tableNames = async () => Promise.all((await web.harness.page.locator('.icicle-table-row').all()).map(row => row.getAttribute('data-name')));

  /**
   * Records, once a `profile` message has been handled, what each painted frame shows. A ResizeObserver's callback
   * runs in the rendering step after every animation-frame callback and layout, just before paint, so it sees the
   * page as painted (d3's transitions run in animation-frame callbacks); a probe element resized every frame makes it
   * fire in each one.
   */
  const installPaintRecorder = () => web.harness.page.evaluate(PAINT_RECORDER);
  const painted = () => web.harness.page.evaluate(() => (globalThis as unknown as { __painted: PaintedFrame[] }).__painted);

  it('keeps the zoom, search, time range, table sort and chart zoom, grows the totals, and paints no blank or zoomed-out frame', async () => {
    // The run so far, brushed to a time range: the extension answers with the range applied.
    await web.harness.postToWebview(answer(grown(1), { selector: SELECTOR, profileType: CPU }, { timeline: timeline(50) }));
    await frameRect(web.harness.page, 'readToken').waitFor();
    const brushArea = (await web.harness.page.locator('.icicle-timeline-chart').boundingBox())!;
    await web.harness.page.mouse.move(brushArea.x + brushArea.width * 0.2, brushArea.y + brushArea.height / 2);
    await web.harness.page.mouse.down();
    await web.harness.page.mouse.move(brushArea.x + brushArea.width * 0.6, brushArea.y + brushArea.height / 2, { steps: 4 });
    await web.harness.page.mouse.up();
    await waitQueries(1);
    const range = (await lastQuery()).timeRange!;
    assert.ok(range, 'the brush asked for a range');
    await web.harness.postToWebview(answer(grown(1), await lastQuery(), { timeline: timeline(50) }));

    // The flame chart, zoomed in; it asks for the samples once.
    await tab('Flame Chart').click();
    await waitQueries(2);
    assert.equal((await lastQuery()).timeOrder, true);
    assert.deepEqual(await chartShown(), [{ shown: true }], 'the extension is told the chart is shown, so refreshes bring its samples');
    await web.harness.postToWebview(answer(grown(1), await lastQuery(), { timeline: timeline(50), timeOrder: timeOrder(grown(1)) }));
    await pollUntil(async () => (await web.harness.page.locator('.icicle-flamechart-caption').textContent())?.includes(' samples of 100 samples'), { timeoutMs: 10_000, what: 'the chart drawn' });
    await pollUntil(async () => (await chartShown()).length === 2, { timeoutMs: 10_000, what: 'the chart to say up to when it holds samples' });
    assert.deepEqual((await chartShown())[1], { shown: true, samplesThroughMs: START + 99 }, 'refreshes then ask only for later samples');
    await chartCanvas().focus();
    await web.harness.page.keyboard.press('ArrowUp');
    await web.harness.page.keyboard.press('ArrowRight');
    const chartZoom = await chartVisible();

    // The table, sorted by total, ascending.
    await tab('Table').click();
    assert.deepEqual((await chartShown())[2], { shown: false }, 'and when it is not');
    await web.harness.page.getByRole('button', { name: 'Total' }).click();
    await web.harness.page.getByRole('button', { name: 'Total' }).click();
    const sortedBefore = await tableNames();
    assert.equal(await web.harness.page.locator('th[aria-sort="ascending"]').textContent(), 'Total');

    // The graph, zoomed into parseInput (no query: nothing pruned below it), and a search.
    await tab('Graph').click();
    await frameRect(web.harness.page, 'parseInput').click();
    await pollUntil(async () => (await web.harness.page.locator('.icicle-crumb-current').textContent()) === 'parseInput', { timeoutMs: 10_000, what: 'the graph zoomed' });
    await web.harness.page.getByRole('searchbox', { name: 'Search functions by name' }).fill('token');
    await pollUntil(async () => (await web.harness.page.locator('.icicle-search-summary').textContent()) === '1 function · 20.0% of the total', { timeoutMs: 10_000, what: 'the search' });
    const svgWidth = Number(await web.harness.page.locator('.icicle-chart svg').getAttribute('width'));
    await pollUntil(async () => Number(await frameRect(web.harness.page, 'parseInput').getAttribute('width')) > svgWidth - 2, { timeoutMs: 10_000, what: 'the zoom to settle' });
    const queriesBefore = (await queries()).length;

    // Samples landed: the extension queries what it last asked for again and sends it, marked as a refresh.
    await installPaintRecorder();
    await web.harness.postToWebview(answer(grown(3), await lastQuery(), { timeline: timeline(150), refresh: true }));
    await pollUntil(async () => (await web.harness.page.locator('.icicle-stats').textContent())?.includes('300'), { timeoutMs: 10_000, what: 'the totals to grow' });
    // Let a few frames paint after the answer (a 150 ms zoom transition would show in them).
    await pollUntil(async () => (await painted()).length >= 20, { timeoutMs: 10_000, what: 'twenty painted frames' });

    const frames = await painted();
        // Zoomed into parseInput, the graph draws the root, main, parseInput and readToken.
    const blank = frames.findIndex(f => !f.svg || f.drawn < 4 || f.zoomedLabel !== 'parseInput');
    assert.equal(blank, -1, `painted frame ${blank} shows a blank graph: ${JSON.stringify(frames[blank])}`);
    const zoomedOut = frames.findIndex(f => f.zoomedWidth < f.svgWidth - 2);
    assert.equal(zoomedOut, -1, `painted frame ${zoomedOut} is not zoomed to parseInput: ${JSON.stringify(frames[zoomedOut])}`);
    assert.ok(frames.every(f => f.status === ''), `no loading or querying state: ${JSON.stringify(frames.map(f => f.status))}`);

    // What the user set survived, and the figures are the new ones.
    assert.equal(await web.harness.page.locator('.icicle-crumb-current').textContent(), 'parseInput');
    assert.equal(await web.harness.page.getByRole('searchbox', { name: 'Search functions by name' }).inputValue(), 'token');
    assert.equal(await web.harness.page.locator('.icicle-search-summary').textContent(), '1 function · 20.0% of the total');
    assert.ok(await web.harness.page.locator('.icicle-timeline-brush .selection').isVisible(), 'the brushed range is still shown');
    assert.match((await web.harness.page.locator('.icicle-timeline-caption').textContent()) ?? '', /showing/);
    // The extension is asked for nothing because of the refresh itself: the zoomed frame needs no detail.
    assert.equal((await queries()).length, queriesBefore, 'a refresh posts no query');

    await tab('Table').click();
    await pollUntil(async () => (await web.harness.page.locator('.icicle-table-row[data-name="parseInput"] .icicle-number').first().textContent())?.startsWith('90'), { timeoutMs: 10_000, what: 'the table to show the new figures' });
    assert.equal(await web.harness.page.locator('th[aria-sort="ascending"]').textContent(), 'Total', 'the sort survives');
    assert.deepEqual(await tableNames(), sortedBefore, 'the same order (every function grew alike)');

    // The chart asks for the grown run's samples, keeps its zoom meanwhile and on them; its range stays in the query.
    await tab('Flame Chart').click();
    await waitQueries(queriesBefore + 1);
    const asked = await lastQuery();
    assert.equal(asked.timeOrder, true);
    assert.equal(asked.timeOrderAfterMs, START + 99, 'only the samples after those the chart holds');
    assert.deepEqual(asked.timeRange, range, 'the brushed range is still asked for');
    assert.deepEqual(await chartVisible(), chartZoom);
    // The tail: 200 samples after the first 100, in the same track, over the grown run's tree.
    const whole = timeOrder(grown(3));
    const tail: TimeOrderedSamples = {
      ...whole,
      startMs: START + 100,
      tracks: [{ labels: { thread: 'main' }, sampleCount: 200 }],
      node: whole.node.slice(100),
      gapMicros: whole.gapMicros.slice(100),
      durationMicros: whole.durationMicros.slice(100),
      afterMs: START + 99,
    };
    await web.harness.postToWebview(answer(grown(3), asked, { timeline: timeline(150), timeOrder: tail }));
    await pollUntil(async () => (await web.harness.page.locator('.icicle-flamechart-caption').textContent())?.includes(' of 300 samples'), { timeoutMs: 10_000, what: 'the grown samples drawn' });
    assert.deepEqual(await chartVisible(), chartZoom, 'the chart keeps its zoom');
  });

  it('a refresh while another tab is shown draws the hidden graph at its width, not at none', async () => {
    await web.harness.postToWebview(answer(grown(1), { selector: SELECTOR, profileType: CPU }, { timeline: timeline(50) }));
    await frameRect(web.harness.page, 'readToken').waitFor();
    const width = await web.harness.page.locator('.icicle-chart svg').getAttribute('width');
    assert.ok(Number(width) > 500, `drawn ${width} wide`);
    await tab('Table').click();
    await web.harness.postToWebview(answer(grown(2), { selector: SELECTOR, profileType: CPU }, { timeline: timeline(100), refresh: true }));
    await pollUntil(async () => (await web.harness.page.locator('.icicle-stats').textContent())?.includes('200'), { timeoutMs: 10_000, what: 'the refresh shown' });
    assert.equal(await web.harness.page.locator('.icicle-chart svg').getAttribute('width'), width, 'the hidden graph keeps its width');
  });

  it('a refresh keeps the graph zoomed out when the user zoomed out after a query that carried the zoom', async () => {
    await web.harness.postToWebview(answer(grown(1), { selector: SELECTOR, profileType: CPU }, { timeline: timeline(50) }));
    await frameRect(web.harness.page, 'parseInput').click();
    await pollUntil(async () => (await web.harness.page.locator('.icicle-crumb-current').textContent()) === 'parseInput', { timeoutMs: 10_000, what: 'the graph zoomed' });
    // A time range chosen while zoomed carries the zoom: the extension's query now holds it.
    await web.harness.page.locator('.icicle-timeline').focus();
    await web.harness.page.keyboard.press('ArrowRight');
    await waitQueries(1);
    const query = await lastQuery();
    assert.ok(query.focus, 'the query carries the zoomed frame');
    await web.harness.postToWebview(answer(grown(1), query, { timeline: timeline(50) }));
    await web.harness.page.getByRole('button', { name: 'Reset zoom' }).click();
    await pollUntil(async () => (await web.harness.page.locator('.icicle-crumb-current').count()) === 0, { timeoutMs: 10_000, what: 'the zoom reset' });
    await web.harness.postToWebview(answer(grown(2), query, { timeline: timeline(100), refresh: true }));
    await pollUntil(async () => (await web.harness.page.locator('.icicle-stats').textContent())?.includes('200'), { timeoutMs: 10_000, what: 'the refresh shown' });
    assert.equal(await web.harness.page.locator('.icicle-crumb-current').count(), 0, 'still zoomed out');
  });
});
