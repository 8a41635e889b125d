// Search and the function table, through the built bundle in headless Chromium: what a user types and clicks,
// what the page shows, and the messages it posts.
import assert from 'node:assert/strict';
import { pollUntil } from '../support/poll';
import { TAB_IDS, TABS } from '../../webview/tabs';
import { frameRect } from './frames';
import { packFrames, profileMessage, SMALL_PROGRAM } from './testProfiles';
import { webviewSuite } from './webviewHarness';

const TITLE = 'small.cpuprofile';

describe('flame graph search and function table', function () {
  const web = webviewSuite();
  beforeEach(async () => {
    await web.harness.postToWebview(profileMessage(TITLE, packFrames(SMALL_PROGRAM)));
    await frameRect(web.harness.page, 'readToken').waitFor();
  });

  const fill = (name: string) => frameRect(web.harness.page, name).getAttribute('fill');
  const summary = () => web.harness.page.locator('.icicle-search-summary').textContent();
  const search = async (text: string): Promise<void> => {
    await web.harness.page.getByRole('searchbox', { name: 'Search functions by name' }).fill(text);
  };
  const tableNames = async (): Promise<(string | null)[]> => Promise.all((await web.harness.page.locator('.icicle-table-row').all()).map(row => row.getAttribute('data-name')));
  /** Polls until the search summary reads `text`. */
  const summaryBecomes = (text: string) => pollUntil(async () => (await summary()) === text, { timeoutMs: 10_000, what: `the search summary to read ${JSON.stringify(text)}` });

  it('search fades the frames it does not match and says what share of the total matched', async () => {
    const before = { parse: await fill('parseInput'), token: await fill('readToken') };
    await search('PARSE');
    await summaryBecomes('1 function · 50.0% of the total');
    assert.equal(await fill('parseInput'), before.parse, 'a match keeps its colour');
    assert.notEqual(await fill('readToken'), before.token, 'a frame that does not match is faded');
    // Regular-expression syntax is plain text: no error, no match, nothing hangs.
    await search('foo(');
    await summaryBecomes('No match');
    await search('.*');
    await summaryBecomes('No match');
    // Escape clears the search and every frame gets its colour back.
    await web.harness.page.getByRole('searchbox', { name: 'Search functions by name' }).press('Escape');
    await summaryBecomes('');
    assert.equal(await fill('readToken'), before.token);
  });

  it('the table lists functions by self cost, sorts by any column, and filters by name or file', async () => {
    await web.harness.page.getByRole('tab', { name: 'Table' }).click();
    await web.harness.page.locator('.icicle-table-row').first().waitFor();
    assert.deepEqual(await tableNames(), ['parseInput', 'renderReport', 'readToken', '(idle)', '(garbage collector)', 'main']);
    assert.equal(await web.harness.page.locator('th[aria-sort]').textContent(), 'Self');
    await web.harness.page.getByRole('button', { name: 'Total' }).click();
    assert.deepEqual((await tableNames()).slice(0, 2), ['main', 'parseInput']);
    assert.equal(await web.harness.page.locator('th[aria-sort="descending"]').textContent(), 'Total');
    await web.harness.page.getByRole('button', { name: 'Total' }).click();
    assert.equal(await web.harness.page.locator('th[aria-sort="ascending"]').textContent(), 'Total');
    // The filter matches files too: acorn is readToken's package.
    await web.harness.page.getByRole('searchbox', { name: 'Filter functions by name or file' }).fill('acorn');
    assert.deepEqual(await tableNames(), ['readToken']);
    const row = web.harness.page.locator('.icicle-table-row');
    assert.match((await row.getAttribute('aria-label')) ?? '', /^readToken, self 20\.0%, total 20\.0%, file:\/\/\/work\/app\/node_modules\/acorn\/dist\/acorn\.js:1200$/);
  });

  it('choosing a row shows the function in the graph; the keyboard reaches every row and opens its source', async () => {
    const before = await fill('main');
    await web.harness.page.getByRole('tab', { name: 'Table' }).click();
    await web.harness.page.locator('.icicle-table-row[data-name="renderReport"]').click();
    await web.harness.page.locator('.icicle-chart').waitFor({ state: 'visible' });
    assert.equal(await web.harness.page.getByRole('tab', { name: 'Graph' }).getAttribute('aria-selected'), 'true');
    assert.equal(await summary(), 'renderReport · 25.0% of the total');
    assert.notEqual(await fill('main'), before, 'the other functions are faded');

    await web.harness.page.getByRole('tab', { name: 'Table' }).click();
    const first = web.harness.page.locator('.icicle-table-row').first();
    await first.focus();
    await web.harness.page.keyboard.press('ArrowDown');
    assert.equal(await web.harness.page.locator('.icicle-table-row:focus').getAttribute('data-name'), 'renderReport');
    await web.harness.page.keyboard.press('Control+Enter');
    const open = await web.harness.waitForPosted(m => m.type === 'openSource', 'openSource');
    assert.deepEqual(open, { type: 'openSource', url: 'file:///work/app/src/render.ts', line: 7, column: 1 });
  });

  it('keeps the tab and the search across a reload of the page', async () => {
    await search('token');
    await web.harness.page.getByRole('tab', { name: 'Table' }).click();
    await web.harness.reload();
    await web.harness.postToWebview(profileMessage(TITLE, packFrames(SMALL_PROGRAM)));
    await web.harness.page.locator('.icicle-table-row').first().waitFor();
    assert.equal(await web.harness.page.getByRole('tab', { name: 'Table' }).getAttribute('aria-selected'), 'true');
    assert.equal(await web.harness.page.getByRole('searchbox', { name: 'Search functions by name' }).inputValue(), 'token');
    assert.equal(await summary(), '1 function · 20.0% of the total');
  });

  /** Polls until the tab labelled `label` is the selected one. */
  const tabSelected = (label: string) =>
    pollUntil(async () => (await web.harness.page.getByRole('tab', { name: label }).getAttribute('aria-selected')) === 'true', { timeoutMs: 10_000, what: `the ${label} tab to be selected` });

  it('reopens each declared tab, alone and with the search, from the state saved on it', async () => {
    await search('token');
    await summaryBecomes('1 function · 20.0% of the total');
    const saved = (await web.harness.savedState()) as Record<string, unknown>;
    for (const tab of TAB_IDS) {
      await web.harness.reloadWithSavedState({ ...saved, tab });
      await web.harness.postToWebview(profileMessage(TITLE, packFrames(SMALL_PROGRAM)));
      await tabSelected(TABS[tab].label);
      for (const other of TAB_IDS) {
        const hidden = (await web.harness.page.locator(`.${TABS[other].panelClass}`).getAttribute('hidden')) !== null;
        assert.equal(hidden, other !== tab, `with ${tab} chosen, the ${other} panel is ${other === tab ? 'shown' : 'hidden'}`);
      }
      assert.equal(await web.harness.page.getByRole('searchbox', { name: 'Search functions by name' }).inputValue(), 'token');
      assert.equal((await web.harness.savedState() as { tab?: string }).tab, tab, 'the page keeps the tab it was given');
    }
  });

  it('opens the graph when the saved state names a tab this version lacks, keeping the search and the zoom', async () => {
    await search('token');
    await frameRect(web.harness.page, 'readToken').click();
    await pollUntil(async () => (await web.harness.savedState() as { zoom?: unknown }).zoom !== undefined, { timeoutMs: 10_000, what: 'the zoom to be saved' });
    await web.harness.page.getByRole('tab', { name: 'Table' }).click();
    const saved = (await web.harness.savedState()) as Record<string, unknown>;
    await web.harness.reloadWithSavedState({ ...saved, tab: 'flamechart' });
    await web.harness.postToWebview(profileMessage(TITLE, packFrames(SMALL_PROGRAM)));
    await tabSelected('Graph');
    assert.equal(await web.harness.page.getByRole('searchbox', { name: 'Search functions by name' }).inputValue(), 'token');
    await summaryBecomes('1 function · 20.0% of the total');
    const crumbs = web.harness.page.getByRole('navigation', { name: 'Zoomed to' });
    await crumbs.waitFor({ state: 'visible' });
    assert.deepEqual(await crumbs.locator('.icicle-crumb').allTextContents(), ['(all)', 'main', 'parseInput', 'readToken']);
  });

  it('the sandwich shows the chosen function’s callers above and its callees below', async () => {
    await web.harness.page.getByRole('tab', { name: 'Sandwich' }).click();
    assert.match((await web.harness.page.locator('.icicle-sandwich-caption').textContent()) ?? '', /^Choose a function/);
    // Choose parseInput in the table, then open the sandwich.
    await web.harness.page.getByRole('tab', { name: 'Table' }).click();
    await web.harness.page.locator('.icicle-table-row[data-name="parseInput"]').click();
    await web.harness.page.getByRole('tab', { name: 'Sandwich' }).click();
    assert.equal(await web.harness.page.locator('.icicle-sandwich-caption').textContent(), 'parseInput: who calls it (above) and what it calls (below), over every call.');
    const labels = async (selector: string) => Promise.all((await web.harness.page.locator(`${selector} svg g`).all()).map(g => g.getAttribute('name')));
    await web.harness.page.locator('.icicle-callers svg g[name="main"]').waitFor();
    assert.deepEqual((await labels('.icicle-callers')).sort(), ['main', 'parseInput']);
    assert.deepEqual((await labels('.icicle-callees')).sort(), ['parseInput', 'readToken']);
    // Clicking a frame in the graph chooses its function for the sandwich.
    await web.harness.page.getByRole('tab', { name: 'Graph' }).click();
    await frameRect(web.harness.page, 'renderReport').click();
    await web.harness.page.getByRole('tab', { name: 'Sandwich' }).click();
    await web.harness.page.locator('.icicle-callers svg g[name="renderReport"]').waitFor();
    assert.deepEqual((await labels('.icicle-callees')).sort(), ['renderReport']);
  });

  it('shows the zoom path as breadcrumbs that zoom back to any step', async () => {
    const crumbs = web.harness.page.getByRole('navigation', { name: 'Zoomed to' });
    assert.equal(await crumbs.isHidden(), true);
    await frameRect(web.harness.page, 'readToken').click();
    await crumbs.waitFor({ state: 'visible' });
    const steps = async () => (await crumbs.locator('.icicle-crumb').allTextContents());
    assert.deepEqual(await steps(), ['(all)', 'main', 'parseInput', 'readToken']);
    assert.equal(await crumbs.locator('[aria-current="location"]').textContent(), 'readToken');
    await crumbs.getByRole('button', { name: 'main' }).click();
    await pollUntil(async () => (await steps()).join('/') === '(all)/main', { timeoutMs: 10_000, what: 'the path to main' });
    await crumbs.getByRole('button', { name: '(all)' }).click();
    await crumbs.waitFor({ state: 'hidden' });
  });

  it('gives each frame and row the context VS Code’s menu passes to “Copy Function Name”', async () => {
    const context = JSON.parse((await web.harness.page.locator('.icicle-chart svg g[name="readToken"]').getAttribute('data-vscode-context')) ?? '{}');
    assert.deepEqual(context, { webviewSection: 'frame', icicleFunction: 'readToken', icicleFile: 'file:///work/app/node_modules/acorn/dist/acorn.js', preventDefaultContextMenuItems: true });
    await web.harness.page.getByRole('tab', { name: 'Table' }).click();
    const row = JSON.parse((await web.harness.page.locator('.icicle-table-row[data-name="main"]').getAttribute('data-vscode-context')) ?? '{}');
    assert.equal(row.icicleFunction, 'main');
  });

  it('colours frames by package or file on request, and keeps the choice across a reload', async () => {
    const tree = packFrames([
      { name: 'a', url: 'file:///app/x.js', line: 1, selfSamples: 30, children: [{ name: 'b', url: 'file:///app/x.js', line: 9, selfSamples: 30 }] },
      { name: 'c', url: 'file:///app/y.js', line: 1, selfSamples: 20 },
      { name: 'lexer', url: 'file:///app/node_modules/@scope/pkg/lib/lex.js', line: 1, selfSamples: 10, kind: 'dependency' },
      { name: 'parser', url: 'file:///app/node_modules/@scope/pkg/lib/parse.js', line: 1, selfSamples: 10, kind: 'dependency' },
    ]);
    await web.harness.postToWebview(profileMessage('source.cpuprofile', tree));
    await frameRect(web.harness.page, 'lexer').waitFor();
    const byKind = { a: await fill('a'), b: await fill('b') };
    assert.notEqual(byKind.a, byKind.b, 'by kind, every function has its own shade');
    const button = web.harness.page.getByRole('button', { name: 'Colour by source' });
    await button.click();
    assert.equal(await button.getAttribute('aria-pressed'), 'true');
    await pollUntil(async () => (await fill('a')) === (await fill('b')), { timeoutMs: 10_000, what: 'one colour for one file' });
    assert.notEqual(await fill('a'), await fill('c'), 'another file, another colour');
    assert.equal(await fill('lexer'), await fill('parser'), 'one colour for one package, across its files');
    await web.harness.reload();
    await web.harness.postToWebview(profileMessage('source.cpuprofile', tree));
    await frameRect(web.harness.page, 'lexer').waitFor();
    assert.equal(await web.harness.page.getByRole('button', { name: 'Colour by source' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await fill('a'), await fill('b'));
  });

  it('the keyboard moves between frames, zooms, opens the source and zooms out, and says where it is', async () => {
    const chart = web.harness.page.getByRole('application', { name: /arrow keys move between frames/ });
    await chart.focus();
    // Icicle orientation: ↓ goes from the root to main, then to parseInput; → to renderReport, ← back.
    for (const key of ['ArrowDown', 'ArrowDown', 'ArrowRight', 'ArrowLeft']) await web.harness.page.keyboard.press(key);
    const announcer = web.harness.page.locator('.icicle-visually-hidden').first();
    await pollUntil(async () => (await announcer.textContent())?.startsWith('parseInput: total 50 ms (50%), self 30 ms (30%), /work/app/src/parser.ts:42'), { timeoutMs: 10_000, what: 'the announcement of parseInput' });
    assert.equal(await web.harness.page.locator('.icicle-frame-cursor').getAttribute('name'), 'parseInput', 'the frame is outlined');
    await web.harness.page.keyboard.press('Enter');
    await pollUntil(async () => (await web.harness.page.locator('.icicle-crumb-current').textContent()) === 'parseInput', { timeoutMs: 10_000, what: 'the zoom to parseInput' });
    await web.harness.page.keyboard.press('o');
    const opened = await web.harness.waitForPosted(m => m.type === 'openSource', 'openSource');
    assert.deepEqual(opened, { type: 'openSource', url: 'file:///work/app/src/parser.ts', line: 42, column: 3 });
    await web.harness.page.keyboard.press('Escape');
    await pollUntil(async () => await web.harness.page.locator('.icicle-breadcrumbs').isHidden(), { timeoutMs: 10_000, what: 'the zoom to be reset' });
  });
});
