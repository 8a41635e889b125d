// Untrusted input: hostile strings in a profile stay text, the CSP holds, and malformed messages are refused
// with a readable error instead of an exception.
import assert from 'node:assert/strict';
import { errorBanner, frameLabel, frameRect, tooltip } from './frames';
import { packFrames, profileMessage, SMALL_PROGRAM, summaryOf, viewMeta } from './testProfiles';
import { waitFor, webviewSuite } from './webviewHarness';

const HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">';
const HOSTILE_URL = 'file:///tmp/"><svg onload="window.__pwned=2">.js';
const HOSTILE_TITLE = '<script>window.__pwned=3</script>.cpuprofile';

/** The page-side flags a successful injection would set. */
interface PwnedWindow {
  __pwned?: unknown;
  __inlineRan?: unknown;
  document: { querySelectorAll(selector: string): { length: number } };
}

describe('flame graph webview with untrusted input', function () {
  const web = webviewSuite({}, { checkProblems: false });
  beforeEach(async () => {
    await web.harness.waitForPosted(m => m.type === 'ready', 'ready');
  });

  it('notices a CSP violation, so that its silence in the other tests means something', async () => {
    // An inline script without the nonce, as an injection would add: the CSP must refuse it, and the
    // web.harness must see the refusal.
    await web.harness.page.evaluate(() => {
      const page = globalThis as unknown as {
        document: { createElement(tag: string): { textContent: string }; body: { appendChild(node: unknown): void } };
      };
      const script = page.document.createElement('script');
      script.textContent = 'window.__inlineRan = 1';
      page.document.body.appendChild(script);
    });
    const violations = await waitFor(async () => {
      const seen = await web.harness.cspViolations();
      return seen.length > 0 ? seen : undefined;
    }, 'a securitypolicyviolation event');
    assert.match(violations[0]!, /script-src/);
    assert.equal(await web.harness.page.evaluate(() => (globalThis as unknown as PwnedWindow).__inlineRan), undefined);
    await assert.rejects(web.harness.expectNoProblems(), /CSP violation/);
  });

  it('shows hostile names, paths and titles as literal text and runs none of them', async () => {
    const tree = packFrames([
      { name: 'main', url: 'file:///app/main.js', line: 1, selfSamples: 10, children: [
        { name: HOSTILE_NAME, url: HOSTILE_URL, line: 3, column: 9, selfSamples: 60 },
      ] },
      { name: '(idle)', kind: 'idle', selfSamples: 30 },
    ]);
    await web.harness.postToWebview(profileMessage(HOSTILE_TITLE, tree));
    await frameLabel(web.harness.page, HOSTILE_NAME).waitFor();

    assert.equal(await web.harness.page.locator('.icicle-title').textContent(), HOSTILE_TITLE);
    await frameRect(web.harness.page, HOSTILE_NAME).hover();
    await tooltip(web.harness.page).waitFor({ state: 'visible' });
    assert.equal(await web.harness.page.locator('.icicle-tooltip-name').textContent(), HOSTILE_NAME);
    assert.equal(await web.harness.page.locator('.icicle-tooltip-location').textContent(), '/tmp/"><svg onload="window.__pwned=2">.js:3');

    // The click hands the URL to the extension as data, for it to check; nothing is opened here.
    await frameRect(web.harness.page, HOSTILE_NAME).click();
    const opened = await web.harness.waitForPosted(m => m.type === 'openSource', 'openSource');
    assert.deepEqual(opened, { type: 'openSource', url: HOSTILE_URL, line: 3, column: 9 });

    const counts = await web.harness.page.evaluate(() => {
      const page = globalThis as unknown as PwnedWindow;
      return {
        pwned: page.__pwned ?? null,
        images: page.document.querySelectorAll('img').length,
        scripts: page.document.querySelectorAll('script').length,
        // The timeline's chart is ours; any other svg but the flame graph's would be injected.
        svgs: page.document.querySelectorAll('svg:not(.icicle-timeline-chart)').length,
      };
    });
    assert.deepEqual(counts, { pwned: null, images: 0, scripts: 1, svgs: 1 });
    await web.harness.expectNoProblems();
  });

  it('keeps hostile names as text in the table, the search and the sandwich too', async () => {
    const tree = packFrames([
      { name: 'main', url: 'file:///app/main.js', line: 1, selfSamples: 10, children: [
        { name: HOSTILE_NAME, url: HOSTILE_URL, line: 3, column: 9, selfSamples: 60 },
      ] },
    ]);
    await web.harness.postToWebview(profileMessage(HOSTILE_TITLE, tree));
    await frameLabel(web.harness.page, HOSTILE_NAME).waitFor();
    // A search term that is HTML and a hostile regular expression at once: plain text, matched literally.
    await web.harness.page.getByRole('searchbox', { name: 'Search functions by name' }).fill('<img src=x onerror=');
    await waitFor(async () => ((await web.harness.page.locator('.icicle-search-summary').textContent()) === '1 function · 85.7% of the total' ? true : undefined), 'the search summary');
    await web.harness.page.getByRole('searchbox', { name: 'Search functions by name' }).fill('(a+)+$');
    await waitFor(async () => ((await web.harness.page.locator('.icicle-search-summary').textContent()) === 'No match' ? true : undefined), 'no match');
    await web.harness.page.getByRole('tab', { name: 'Table' }).click();
    const row = web.harness.page.locator('.icicle-table-row').first();
    assert.equal(await row.getAttribute('data-name'), HOSTILE_NAME);
    assert.equal(await row.locator('.icicle-function-file').textContent(), `${HOSTILE_URL}:3`);
    await row.click();
    await web.harness.page.getByRole('tab', { name: 'Sandwich' }).click();
    await web.harness.page.locator('.icicle-callers svg g').first().waitFor();
    assert.equal(await web.harness.page.locator('.icicle-sandwich-caption').textContent(), `${HOSTILE_NAME}: who calls it (above) and what it calls (below), over every call.`);
    const counts = await web.harness.page.evaluate(() => {
      const page = globalThis as unknown as PwnedWindow;
      return { pwned: page.__pwned ?? null, images: page.document.querySelectorAll('img').length };
    });
    assert.deepEqual(counts, { pwned: null, images: 0 });
    await web.harness.expectNoProblems();
  });

  it('refuses malformed messages with a readable error, and keeps working', async () => {
    const good = profileMessage('good.cpuprofile', packFrames(SMALL_PROGRAM));
    const broken = { ...good, title: 'broken.cpuprofile', tree: { ...good.tree, kind: [0] } };
    await web.harness.postToWebview(broken);
    const banner = errorBanner(web.harness.page);
    await banner.waitFor({ state: 'visible' });
    assert.match(await banner.innerText(), /could not read a message/);
    assert.match(await banner.innerText(), /call tree is malformed: column kind must hold 7 numbers/);

    await web.harness.postToWebview({ type: 'no such message' });
    await waitFor(async () => /type/.test(await banner.innerText()), 'the error to name the bad type');
    await web.harness.postToWebview(null);
    await web.harness.postToWebview('profile');
    await web.harness.postToWebview({ type: 'profile', title: 'x', summary: summaryOf(good.tree), tree: good.tree, settings: { orientation: 'sideways', minFramePixels: 1 }, ...viewMeta() });
    await waitFor(async () => /settings\.orientation/.test(await banner.innerText()), 'the error to name settings.orientation');

    // A sound profile afterwards is drawn and clears the error.
    await web.harness.postToWebview(good);
    await frameLabel(web.harness.page, 'parseInput').waitFor();
    await banner.waitFor({ state: 'hidden' });
    await web.harness.expectNoProblems();
  });

  it('shows an error message from the extension as text', async () => {
    await web.harness.postToWebview({ type: 'error', title: 'Cannot open <b>x</b>', message: 'The file is not a profile: <i>bad</i>' });
    const banner = errorBanner(web.harness.page);
    await banner.waitFor({ state: 'visible' });
    assert.equal(await banner.locator('.icicle-error-title').textContent(), 'Cannot open <b>x</b>');
    assert.equal(await banner.locator('.icicle-error-text').textContent(), 'The file is not a profile: <i>bad</i>');
    assert.equal(await web.harness.page.locator('.icicle-error b, .icicle-error i').count(), 0);
    await web.harness.expectNoProblems();
  });
});
