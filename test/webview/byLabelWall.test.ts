// The By Label tab with the spans' wall time beside their CPU, through the built bundle in headless Chromium, fed the
// agent's real answer over a real store on disk: CPU and span wall time rows of known totals, grouped by route, show
// each route's CPU, wall time and the share of it spent waiting, computed here by hand.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabelBreakdownQuery } from '../../common/labelBreakdown';
import { CPU_TIME_PROFILE_TYPE, describeProfileType, displayUnitOf, SPAN_WALL_TIME_PROFILE_TYPE } from '../../common/profileTypes';
import { queryLabelBreakdown } from '../../agent/queries/labels/labelBreakdown';
import { Store } from '../../storage/store';
import { pollUntil } from '../support/poll';
import { stackOf } from '../support/sampleData';
import { frameRect } from './frames';
import { packFrames, profileMessage, SMALL_PROGRAM } from './testProfiles';
import { type PostedMessage, webviewSuite } from './webviewHarness';

const SELECTOR = '{session_id="s2"}';
const START = 1_700_000_000_000;
const HOSTILE = '<img src=x onerror="document.title=\'owned\'">';
const meta = {
  query: { selector: SELECTOR, profileType: CPU_TIME_PROFILE_TYPE, timeRange: { startMs: START, endMs: START + 100_000 }, focus: undefined },
  // As the agent names them (viewQueries.ts).
  profileTypes: [CPU_TIME_PROFILE_TYPE, SPAN_WALL_TIME_PROFILE_TYPE].map(id => ({ id, label: describeProfileType(id), unit: displayUnitOf(id) })),
};

describe('the By Label tab with span wall time', function () {
  const web = webviewSuite();
  let dir: string;
  let store: Store;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-by-label-wall-web-'));
    store = await Store.open(dir);
    // CPU: 300 samples of 1 ms, /users/:id 150 (50 requests of 3), /orders 90 (30 requests of 3), the hostile
    // route 30 (10 requests, whose spans have not ended: no wall row), 30 outside any request.
    const routes = Array.from({ length: 300 }, (_, k) => (k < 150 ? '/users/:id' : k < 240 ? '/orders' : k < 270 ? HOSTILE : null));
    await store.write({
      profileType: CPU_TIME_PROFILE_TYPE,
      labels: { session_id: 's2' },
      timestamps: Array.from({ length: 300 }, (_, k) => START + k),
      values: Array.from({ length: 300 }, () => 1_000_000),
      stackIds: Array.from({ length: 300 }, () => stackOf(store, 'main;handle')),
      rowLabels: { http_route: routes, trace_id: routes.map((route, k) => (route === null ? null : `trace-${Math.floor(k / 3)}`)) },
    });
    // Span wall time: one row per ended request, /users/:id 12 ms each (600 ms), /orders 4 ms each (120 ms).
    const walls = Array.from({ length: 80 }, (_, t) => (t < 50 ? 12_000_000 : 4_000_000));
    await store.write({
      profileType: SPAN_WALL_TIME_PROFILE_TYPE,
      labels: { session_id: 's2' },
      timestamps: walls.map((_, t) => START + 3 * t),
      values: walls,
      stackIds: walls.map((_, t) => stackOf(store, t < 50 ? '(span GET /users/:id)' : '(span GET /orders)')),
      rowLabels: { http_route: walls.map((_, t) => (t < 50 ? '/users/:id' : '/orders')), trace_id: walls.map((_, t) => `trace-${t}`) },
    });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const page = () => web.harness.page;
  const posted = async (type: string): Promise<PostedMessage[]> => (await web.harness.posted()).filter(m => m.type === type);
  const answerBreakdown = async (seen: number): Promise<LabelBreakdownQuery> => {
    const request = await pollUntil(async () => (await posted('breakdown'))[seen], { timeoutMs: 10_000, what: `breakdown request ${seen + 1}` });
    const query = request['query'] as LabelBreakdownQuery;
    const result = await queryLabelBreakdown(store, query);
    await web.harness.postToWebview({ type: 'breakdown', requestId: request['requestId'], result });
    return query;
  };
  const texts = (selector: string) => page().locator(selector).evaluateAll(cells => cells.map(cell => cell.textContent));
  const rows = () => page().locator('.icicle-by-label-row').evaluateAll(trs => trs.map(tr => [...tr.querySelectorAll('td')].map(td => td.textContent)));

  it('shows each route\'s wall time beside its CPU and the share waiting; a route without ended spans has none', async () => {
    await web.harness.postToWebview(profileMessage('run s2', packFrames(SMALL_PROGRAM), undefined, meta));
    await frameRect(web.harness.page, 'readToken').waitFor();
    // The picker names the type for people, and the view stays on CPU time.
    assert.deepEqual(await texts('select.icicle-type-picker:not(.icicle-by-label-key) option'), ['CPU time', 'Span wall time']);
    assert.equal(await page().locator('select.icicle-type-picker:not(.icicle-by-label-key)').inputValue(), CPU_TIME_PROFILE_TYPE);

    const before = (await posted('breakdown')).length;
    await page().getByRole('tab', { name: 'By Label' }).click();
    await answerBreakdown(before);
    await pollUntil(async () => (await rows()).length === 4, { timeoutMs: 10_000, what: 'four rows' });
    assert.deepEqual(await texts('.icicle-by-label-table th'), ['CPU', 'Wall', 'Waiting', 'Share', 'Value']);
    // /users/:id: 150 ms of CPU in 600 ms of wall, 75% waiting; /orders: 90 ms in 120 ms, 25%.
    assert.deepEqual(await rows(), [
      ['150 ms', '600 ms', '75%', '50.0%', '/users/:id'],
      ['90 ms', '120 ms', '25%', '30.0%', '/orders'],
      ['30 ms', '—', '—', '10.0%', HOSTILE],
      ['30 ms', '—', '—', '10.0%', '(none)'],
    ]);
    assert.equal(await page().locator('.icicle-by-label-waiting').first().getAttribute('title'), 'wall 600 ms · CPU 150 ms · waiting 75%');
    assert.match((await page().locator('.icicle-by-label-note').textContent()) ?? '', /^4 values of http_route · 300 ms in all · spans' wall time 720 ms$/);
    assert.equal(await page().locator('.icicle-by-label table img').count(), 0, 'a label value never becomes HTML');
    assert.notEqual(await page().title(), 'owned');

    // A label that is no span's: the plain columns again.
    await page().locator('.icicle-by-label-key').selectOption('session_id');
    await answerBreakdown(before + 1);
    await pollUntil(async () => (await texts('.icicle-by-label-table th')).length === 3, { timeoutMs: 10_000, what: 'the plain columns' });
    assert.deepEqual(await rows(), [['300 ms', '100.0%', 's2']]);
  });
});
