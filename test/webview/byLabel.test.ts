// The By Label tab through the built bundle in headless Chromium, fed the agent's real answer (the breakdown query
// over a real store on disk): what the page asks for, what it shows, and the selection it posts when a value is
// clicked, with a way back.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabelBreakdownQuery } from '../../common/labelBreakdown';
import { CPU_TIME_PROFILE_TYPE } from '../../common/profileTypes';
import { parseSelector } from '../../common/selector';
import { queryLabelBreakdown } from '../../agent/queries/labels/labelBreakdown';
import { Store } from '../../storage/store';
import { pollUntil } from '../support/poll';
import { stackOf } from '../support/sampleData';
import { frameRect } from './frames';
import { packFrames, profileMessage, SMALL_PROGRAM } from './testProfiles';
import { type PostedMessage, webviewSuite } from './webviewHarness';

const SELECTOR = '{session_id="s1"}';
const artifacts = join(new URL('../..', import.meta.url).pathname, 'test-results', 'webview');
const HOSTILE = '<img src=x onerror="document.title=\'owned\'">';
const meta = {
  query: { selector: SELECTOR, profileType: CPU_TIME_PROFILE_TYPE, timeRange: { startMs: 1_700_000_000_000, endMs: 1_700_000_100_000 }, focus: undefined },
  profileTypes: [{ id: CPU_TIME_PROFILE_TYPE, label: 'CPU time', unit: 'micros' as const }],
};

describe('the By Label tab', function () {
  const web = webviewSuite();
  let dir: string;
  let store: Store;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-by-label-web-'));
    store = await Store.open(dir);
    // 300 samples of 1 ms: /users/:id 150, /orders 90, the hostile route 30, none 30; a trace id per 3 samples.
    const routes = Array.from({ length: 300 }, (_, k) => (k < 150 ? '/users/:id' : k < 240 ? '/orders' : k < 270 ? HOSTILE : null));
    await store.write({
      profileType: CPU_TIME_PROFILE_TYPE,
      labels: { session_id: 's1' },
      timestamps: Array.from({ length: 300 }, (_, k) => 1_700_000_000_000 + k),
      values: Array.from({ length: 300 }, () => 1_000_000),
      stackIds: Array.from({ length: 300 }, () => stackOf(store, 'main;handle')),
      rowLabels: { http_route: routes, trace_id: routes.map((_, k) => `trace-${Math.floor(k / 3)}`) },
    });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await web.harness.postToWebview(profileMessage('run s1', packFrames(SMALL_PROGRAM), undefined, meta));
    await frameRect(web.harness.page, 'readToken').waitFor();
  });

  const page = () => web.harness.page;
  const posted = async (type: string): Promise<PostedMessage[]> => (await web.harness.posted()).filter(m => m.type === type);
  /** Waits for the page's next `breakdown` request after `seen` of them and answers it as the agent would. */
  const answerBreakdown = async (seen: number): Promise<LabelBreakdownQuery> => {
    const request = await pollUntil(async () => (await posted('breakdown'))[seen], { timeoutMs: 10_000, what: `breakdown request ${seen + 1}` });
    const query = request['query'] as LabelBreakdownQuery;
    const result = await queryLabelBreakdown(store, query);
    await web.harness.postToWebview({ type: 'breakdown', requestId: request['requestId'], result });
    return query;
  };
  const rows = () => page().locator('.icicle-by-label-row').evaluateAll(trs => trs.map(tr => [...tr.querySelectorAll('td')].map(td => td.textContent)));

  it('shows each route\'s CPU and share from the agent\'s answer, as text, and narrows the selection to a clicked value', async () => {
    const before = (await posted('breakdown')).length;
    await page().getByRole('tab', { name: 'By Label' }).click();
    const query = await answerBreakdown(before);
    assert.deepEqual(query, { selector: SELECTOR, profileType: CPU_TIME_PROFILE_TYPE, timeRange: meta.query.timeRange, limit: 200 }, 'the view\'s selection, type and range; the agent picks the label');
    await pollUntil(async () => (await rows()).length === 4, { timeoutMs: 10_000, what: 'four rows' });
    assert.deepEqual(await rows(), [
      ['150 ms', '50.0%', '/users/:id'],
      ['90 ms', '30.0%', '/orders'],
      ['30 ms', '10.0%', HOSTILE],
      ['30 ms', '10.0%', '(none)'],
    ]);
    assert.equal(await page().locator('.icicle-by-label-key').inputValue(), 'http_route');
    assert.equal(await page().locator('.icicle-by-label table img').count(), 0, 'a label value never becomes HTML');
    assert.notEqual(await page().title(), 'owned');
    mkdirSync(artifacts, { recursive: true });
    await page().screenshot({ path: join(artifacts, 'by-label.png') });

    // A click on a route: the graph is shown, and the page asks for the selection narrowed to that route.
    const queries = (await posted('query')).length;
    await page().getByRole('button', { name: '/orders' }).click();
    const narrowed = await pollUntil(async () => (await posted('query'))[queries], { timeoutMs: 10_000, what: 'the narrowed query' });
    assert.deepEqual(parseSelector((narrowed['query'] as { selector: string }).selector), [
      { key: 'session_id', op: '=', value: 's1' },
      { key: 'http_route', op: '=', value: '/orders' },
    ]);
    assert.deepEqual((narrowed['query'] as { timeRange?: unknown }).timeRange, meta.query.timeRange, 'the time range is kept');
    assert.equal(await page().getByRole('tab', { name: 'Graph' }).getAttribute('aria-selected'), 'true');
  });

  it('groups by another label, narrows to one request, and goes back to the selection it narrowed from', async () => {
    const before = (await posted('breakdown')).length;
    await page().getByRole('tab', { name: 'By Label' }).click();
    await answerBreakdown(before);
    await pollUntil(async () => (await rows()).length === 4, { timeoutMs: 10_000, what: 'the routes' });
    await page().locator('.icicle-by-label-key').selectOption('trace_id');
    const query = await answerBreakdown(before + 1);
    assert.equal(query.key, 'trace_id');
    await pollUntil(async () => ((await web.harness.savedState()) as { breakdownKey?: string }).breakdownKey === 'trace_id', { timeoutMs: 10_000, what: 'the label to be kept in the saved state' });
    // 100 trace ids of 3 ms each: all listed (under the page's 200); the note counts them.
    await pollUntil(async () => (await rows()).length === 100, { timeoutMs: 10_000, what: 'a row per trace' });
    assert.match((await page().locator('.icicle-by-label-note').textContent()) ?? '', /^100 values of trace_id · 300 ms in all$/);

    // A trace's value narrows to that request; the answer shows it; Back returns to the run.
    const queries = (await posted('query')).length;
    await page().getByRole('button', { name: 'trace-0', exact: true }).click();
    const narrowed = (await pollUntil(async () => (await posted('query'))[queries], { timeoutMs: 10_000, what: 'the narrowed query' }))['query'] as { selector: string };
    assert.equal(narrowed.selector, '{session_id="s1", trace_id="trace-0"}');
    await web.harness.postToWebview(profileMessage('trace-0', packFrames(SMALL_PROGRAM), undefined, { ...meta, query: { ...meta.query, selector: narrowed.selector } }));
    await page().getByRole('tab', { name: 'By Label' }).click();
    await answerBreakdown(before + 2);
    await pollUntil(async () => (await rows()).length === 1, { timeoutMs: 10_000, what: 'the one trace' });
    assert.deepEqual(await rows(), [['3 ms', '100.0%', 'trace-0']]);
    const back = page().getByRole('button', { name: `Back to ${SELECTOR}` });
    await back.click();
    const returned = (await pollUntil(async () => (await posted('query'))[queries + 1], { timeoutMs: 10_000, what: 'the query back' }))['query'] as { selector: string };
    assert.equal(returned.selector, SELECTOR);
  });

  it('asks for the label kept in the saved state after a reload, and shows the others row when the agent lists only the largest values', async () => {
    await web.harness.reloadWithSavedState({ breakdownKey: 'trace_id' });
    await web.harness.postToWebview(profileMessage('run s1', packFrames(SMALL_PROGRAM), undefined, meta));
    const before = (await posted('breakdown')).length;
    await page().getByRole('tab', { name: 'By Label' }).click();
    const request = await pollUntil(async () => (await posted('breakdown'))[before], { timeoutMs: 10_000, what: 'the breakdown request' });
    assert.equal((request['query'] as LabelBreakdownQuery).key, 'trace_id', 'the label chosen before the reload');
    const result = await queryLabelBreakdown(store, { ...(request['query'] as LabelBreakdownQuery), key: 'trace_id', limit: 10 });
    await web.harness.postToWebview({ type: 'breakdown', requestId: request['requestId'], result });
    await pollUntil(async () => (await rows()).length === 11, { timeoutMs: 10_000, what: 'ten rows and the others' });
    assert.deepEqual((await rows())[10], ['270 ms', '90.0%', '90 others']);
    assert.equal(await page().getByRole('button', { name: '90 others' }).count(), 0, 'the others narrow nothing');
  });
});
