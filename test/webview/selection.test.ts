// The controls that change what the views show — the timeline's brush, the profile type picker, the label selector
// with completion, and detail on zoom — through the built bundle in headless Chromium: what a user drags, picks and
// types, and the `query` and `complete` messages the page posts for the extension to answer.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PRUNED_NAME } from '../../common/pruneCallTree';
import type { Timeline } from '../../common/viewQuery';
import { pollUntil } from '../support/poll';
import { frameLabel, frameRect } from './frames';
import { packFrames, profileMessage, SMALL_PROGRAM, type FrameSpec } from './testProfiles';
import { type PostedMessage, webviewSuite } from './webviewHarness';

const TITLE = 'run 1a2b3c4d';
const SELECTOR = '{session_id="1a2b3c4d"}';
const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';
const ALLOC = 'memory:alloc_space:bytes:space:bytes';
const START = Date.UTC(2026, 10, 24, 12, 0, 0);
const artifacts = join(new URL('../..', import.meta.url).pathname, 'test-results', 'webview');

/** 100 buckets of 100 ms: a quiet start, a busy middle, a quiet end. */
const TIMELINE: Timeline = {
  bucketMs: 100,
  bucketStartMs: Array.from({ length: 100 }, (_, i) => START + i * 100),
  values: Array.from({ length: 100 }, (_, i) => (i >= 30 && i < 70 ? 90_000 : 10_000)),
  span: { startMs: START, endMs: START + 9_950 },
};

const meta = {
  query: { selector: SELECTOR, profileType: CPU, timeRange: undefined, focus: undefined },
  profileTypes: [
    { id: CPU, label: 'CPU time', unit: 'micros' as const },
    { id: ALLOC, label: 'Allocated bytes', unit: 'bytes' as const },
  ],
  timeline: TIMELINE,
};

describe('selection, profile type, timeline and zoom detail', function () {
  const web = webviewSuite();
  before(async () => {
    mkdirSync(artifacts, { recursive: true
  });
  });
  beforeEach(async () => {
    await web.harness.postToWebview(profileMessage(TITLE, packFrames(SMALL_PROGRAM), undefined, meta));
    await frameRect(web.harness.page, 'readToken').waitFor();
  });

  const queries = async (): Promise<PostedMessage[]> => (await web.harness.posted()).filter(m => m.type === 'query');
  const nextQuery = async (after: number): Promise<{ selector: string; profileType?: string; timeRange?: { startMs: number; endMs: number }; focus?: { name: string; url: string }[] }> => {
    const message = await pollUntil(async () => (await queries())[after], { timeoutMs: 10_000, what: `query message ${after + 1}` });
    return message.query as never;
  };
  const selector = () => web.harness.page.getByRole('combobox', { name: 'Selection' });

  it('a drag across the timeline asks for that time range, and the answer is shown as the range', async () => {
    const chart = web.harness.page.locator('.icicle-timeline-chart');
    await chart.waitFor();
    const box = (await chart.boundingBox())!;
    // From 30% to 70% of the width: the busy middle.
    await web.harness.page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await web.harness.page.mouse.down();
    await web.harness.page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 4 });
    await web.harness.page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 4 });
    await web.harness.page.mouse.up();
    const query = await nextQuery(0);
    assert.equal(query.selector, SELECTOR);
    assert.equal(query.profileType, CPU);
    const extent = TIMELINE.span.endMs + TIMELINE.bucketMs - START;
    const { startMs, endMs } = query.timeRange!;
    assert.ok(Math.abs(startMs - START - 0.3 * extent) < extent * 0.02, `starts at ${startMs - START} ms`);
    assert.ok(Math.abs(endMs - START - 0.7 * extent) < extent * 0.02, `ends at ${endMs - START} ms`);
    assert.equal(await web.harness.page.locator('.icicle-status').textContent(), 'Querying the store…');

    // The extension answers with the range applied: the caption says what is shown, the brush stays.
    await web.harness.postToWebview(profileMessage(TITLE, packFrames(SMALL_PROGRAM), undefined, { ...meta, query: { ...meta.query, timeRange: query.timeRange } }));
    await pollUntil(async () => (await web.harness.page.locator('.icicle-timeline-caption').textContent())?.includes('showing 3'), { timeoutMs: 10_000, what: 'the caption to show the range' });
    assert.ok(await web.harness.page.locator('.icicle-timeline-brush .selection').isVisible(), 'the brush shows the range');
    await frameLabel(web.harness.page, 'readToken').waitFor();
    await web.harness.page.screenshot({ path: join(artifacts, 'timeline.png') });

    // From the keyboard: Escape on the timeline asks for the whole span again; → picks the first tenth, then moves
    // it by a tenth; Shift+→ makes it a tenth longer.
    await web.harness.page.locator('.icicle-timeline').focus();
    await web.harness.page.keyboard.press('Escape');
    const whole = await nextQuery(1);
    assert.equal(whole.timeRange, undefined);
    const tenth = Math.round(extent / 10);
    await web.harness.page.keyboard.press('ArrowRight');
    assert.deepEqual((await nextQuery(2)).timeRange, { startMs: START, endMs: START + tenth });
    await web.harness.page.keyboard.press('ArrowRight');
    assert.deepEqual((await nextQuery(3)).timeRange, { startMs: START + tenth, endMs: START + 2 * tenth });
    await web.harness.page.keyboard.press('Shift+ArrowRight');
    assert.deepEqual((await nextQuery(4)).timeRange, { startMs: START + tenth, endMs: START + 3 * tenth });
  });

  it('the type picker asks for another profile type, and values are shown in its unit', async () => {
    const picker = web.harness.page.getByRole('combobox', { name: 'Profile type' });
    assert.deepEqual(await picker.locator('option').allTextContents(), ['CPU time', 'Allocated bytes']);
    await picker.selectOption(ALLOC);
    const query = await nextQuery(0);
    assert.deepEqual(query, { selector: SELECTOR, profileType: ALLOC });
    // 100 samples of 1 MiB each.
    const tree = packFrames(SMALL_PROGRAM);
    tree.selfValue = tree.selfSamples.map(s => s * 1024 * 1024);
    tree.totalValue = tree.totalSamples.map(s => s * 1024 * 1024);
    await web.harness.postToWebview(profileMessage(TITLE, tree, undefined, { ...meta, unit: 'bytes', query: { ...meta.query, profileType: ALLOC } }));
    await pollUntil(async () => (await web.harness.page.locator('.icicle-stats').textContent())?.startsWith('100 MiB Allocated bytes'), { timeoutMs: 10_000, what: 'the header to show bytes' });
    await frameRect(web.harness.page, 'parseInput').hover();
    await pollUntil(async () => (await web.harness.page.locator('.icicle-tooltip').textContent())?.includes('50 MiB (50%)'), { timeoutMs: 10_000, what: 'the tooltip to show bytes' });
    await web.harness.page.getByRole('tab', { name: 'Table' }).click();
    const firstRow = web.harness.page.locator('.icicle-table-row').first();
    assert.match((await firstRow.textContent()) ?? '', /30 MiB/);
  });

  it('completes label names and values from the store, keeps hostile values as text, and applies the selector', async () => {
    await selector().click();
    await selector().fill('{bra');
    const names = await web.harness.waitForPosted(m => m.type === 'complete' && m['key'] === undefined, 'a request for label names');
    await web.harness.postToWebview({ type: 'completions', requestId: names['requestId'], items: ['branch', 'launch_config', 'runtime'], truncated: false });
    const options = web.harness.page.getByRole('listbox', { name: 'Completions' }).getByRole('option');
    await pollUntil(async () => (await options.allTextContents()).join(',') === 'branch', { timeoutMs: 10_000, what: 'the option branch' });
    await selector().press('ArrowDown');
    assert.equal(await options.first().getAttribute('aria-selected'), 'true');
    await selector().press('Enter');
    assert.equal(await selector().inputValue(), '{branch="');
    const values = await web.harness.waitForPosted(m => m.type === 'complete' && m['key'] === 'branch', 'a request for the values of branch');
    const hostile = '<img src=x onerror="window.__pwned=1">';
    await web.harness.postToWebview({ type: 'completions', requestId: values['requestId'], items: ['feature/x', 'main', hostile], truncated: false });
    await pollUntil(async () => (await options.allTextContents()).length === 3, { timeoutMs: 10_000, what: 'three values' });
    assert.deepEqual(await options.allTextContents(), ['feature/x', 'main', hostile.replace(/"/g, '\\"')]);
    assert.equal(await web.harness.page.locator('.icicle-selection-options img').count(), 0, 'a value is never markup');
    await web.harness.page.screenshot({ path: join(artifacts, 'label-completion.png') });
    await options.filter({ hasText: /^main$/ }).click();
    assert.equal(await selector().inputValue(), '{branch="main"');
    await selector().press('End');
    await selector().pressSequentially('}');
    await selector().press('Enter');
    assert.deepEqual(await nextQuery(0), { selector: '{branch="main"}', profileType: CPU });

    // Escape reverts text that was not applied; the copy button hands over the selection as shown.
    await selector().fill('{broken');
    await selector().press('Escape');
    if ((await selector().inputValue()) !== SELECTOR) await selector().press('Escape');
    assert.equal(await selector().inputValue(), SELECTOR);
    await web.harness.page.getByRole('button', { name: 'Copy selection' }).click();
    const copied = await web.harness.waitForPosted(m => m.type === 'copyText', 'copyText');
    assert.equal(copied['text'], SELECTOR);
  });

  it('asks for the values starting with what is typed when a label has more values than one answer holds', async () => {
    await selector().click();
    await selector().fill('{request_id="');
    const first = await web.harness.waitForPosted(m => m.type === 'complete' && m['key'] === 'request_id', 'a request for the values of request_id');
    assert.equal(first['prefix'], undefined, 'nothing typed yet');
    await web.harness.postToWebview({ type: 'completions', requestId: first['requestId'], items: ['req-0', 'req-1', 'req-10'], truncated: true });
    const options = web.harness.page.getByRole('listbox', { name: 'Completions' }).getByRole('option');
    await pollUntil(async () => (await options.allTextContents()).length === 3, { timeoutMs: 10_000, what: 'the first values' });

    // The first answer was cut short, so a typed prefix is asked for: the values starting with it come first.
    await selector().fill('{request_id="req-5');
    const typed = await web.harness.waitForPosted(m => m.type === 'complete' && m['prefix'] === 'req-5', 'a request for the values starting with req-5');
    assert.equal(typed['key'], 'request_id');
    await web.harness.postToWebview({ type: 'completions', requestId: typed['requestId'], items: ['req-5', 'req-50', 'req-5a'], truncated: false });
    await pollUntil(async () => (await options.allTextContents()).join(',') === 'req-5,req-50,req-5a', { timeoutMs: 10_000, what: 'the values starting with req-5' });

    // Asked again, the answer is the one kept: no second request for the same prefix.
    await selector().fill('{request_id="');
    await selector().fill('{request_id="req-5');
    await pollUntil(async () => (await options.allTextContents()).join(',') === 'req-5,req-50,req-5a', { timeoutMs: 10_000, what: 'the kept values' });
    const asked = (await web.harness.posted()).filter(m => m.type === 'complete' && m['key'] === 'request_id');
    assert.deepEqual(asked.map(m => m['prefix'] ?? ''), ['', 'req-5']);
  });

  it('zooming into a frame with pruned detail asks for it, and the answer is shown zoomed there', async () => {
    // parseInput's children include a `…` the agent merged: zooming there should bring them back.
    const withPruned: FrameSpec[] = structuredClone(SMALL_PROGRAM);
    withPruned[0]!.children![0]!.children!.push({ name: PRUNED_NAME, kind: 'program', selfSamples: 5 });
    await web.harness.postToWebview(profileMessage(TITLE, packFrames(withPruned), undefined, meta));
    await frameRect(web.harness.page, PRUNED_NAME).waitFor();
    await frameRect(web.harness.page, 'parseInput').click();
    const query = await nextQuery(0);
    assert.deepEqual(query.focus, [
      { name: 'main', url: 'file:///work/app/src/main.ts' },
      { name: 'parseInput', url: 'file:///work/app/src/parser.ts' },
    ]);
    // The answer: the … split into what it held, focused on parseInput.
    const detailed: FrameSpec[] = structuredClone(SMALL_PROGRAM);
    detailed[0]!.children![0]!.children!.push({ name: 'skipSpace', url: 'file:///work/app/src/parser.ts', line: 90, selfSamples: 3 }, { name: 'peek', url: 'file:///work/app/src/parser.ts', line: 99, selfSamples: 2 });
    await web.harness.postToWebview(profileMessage(TITLE, packFrames(detailed), undefined, { ...meta, query: { ...meta.query, focus: query.focus } }));
    await frameLabel(web.harness.page, 'skipSpace').waitFor();
    await pollUntil(async () => (await web.harness.page.locator('.icicle-crumb-current').textContent()) === 'parseInput', { timeoutMs: 10_000, what: 'the graph to be zoomed to parseInput' });
    // Zoomed to where the answer was focused: no further query.
    assert.equal((await queries()).length, 1, 'one query, not a loop');
  });

  it('keeps what reopens the panel after a window reload in its saved state', async () => {
    const restore = { source: { kind: 'selection', selector: SELECTOR, title: TITLE }, query: { selector: '{branch="main"}', profileType: ALLOC } };
    await web.harness.postToWebview({ ...profileMessage(TITLE, packFrames(SMALL_PROGRAM), undefined, meta), restore });
    await pollUntil(async () => JSON.stringify((await web.harness.savedState() as { restore?: unknown } | undefined)?.restore) === JSON.stringify(restore), { timeoutMs: 10_000, what: 'the restore state to be saved' });
    await web.harness.reload();
    assert.deepEqual((await web.harness.savedState() as { restore?: unknown }).restore, restore, 'it survives a reload of the page');
  });

  it('a function asked for from the source is searched for when the profile arrives', async () => {
    await web.harness.postToWebview({ ...profileMessage(TITLE, packFrames(SMALL_PROGRAM), undefined, meta), search: 'parseInput' });
    await pollUntil(async () => (await web.harness.page.locator('.icicle-search-summary').textContent()) === '1 function · 50.0% of the total', { timeoutMs: 10_000, what: 'the search for parseInput' });
    assert.equal(await web.harness.page.getByRole('searchbox', { name: 'Search functions by name' }).inputValue(), 'parseInput');
    assert.equal(await web.harness.page.getByRole('tab', { name: 'Graph' }).getAttribute('aria-selected'), 'true');
  });
});
