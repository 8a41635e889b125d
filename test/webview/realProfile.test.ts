// A real profile end to end: sucrase.cpuprofile from the shared corpus, parsed by the agent's importer and
// drawn by the built bundle. Logs the time to first paint; asserts what is drawn, not how fast.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { parseCpuProfile } from '../support/cpuprofileTree';
import { frameLabel, frameRect, tooltip } from './frames';
import { viewMeta } from './testProfiles';
import { launchChromium, waitFor, WebviewHarness } from './webviewHarness';
import { corpusDir } from '../support/corpus';

/** The page-side APIs the timing reads (this project compiles tests without the DOM library). */
interface TimingWindow {
  performance: { now(): number; getEntriesByName(name: string): { startTime: number; duration: number }[] };
  document: {
    querySelectorAll(selector: string): ArrayLike<{ textContent: string | null; getBoundingClientRect(): { width: number } }>;
  };
}

const corpus = corpusDir();

describe('flame graph webview with a real profile', function () {
  let browser: Browser;
  let harness: WebviewHarness;

  before(async () => {
    browser = await launchChromium();
    harness = await WebviewHarness.open(browser);
    await harness.waitForPosted(m => m.type === 'ready', 'ready');
  });
  after(async () => {
    await harness?.close();
    await browser?.close();
  });

  it('draws sucrase.cpuprofile with its known functions and reports the time to first paint', async () => {
    const text = readFileSync(join(corpus, 'cpuprofile/sucrase.cpuprofile'), 'utf8');
    const { summary, tree } = parseCpuProfile(text, 'sucrase.cpuprofile');

    // Timed inside the page, checked every animation frame: from the moment the page received the message
    // to the first frame that shows a label (which includes the short transition before labels appear).
    // Started before posting, so its polling adds nothing.
    // (A function, not a string: the page's CSP rightly refuses eval.)
    const labelPainted = harness.page.waitForFunction(
      () => {
        const page = globalThis as unknown as TimingWindow;
        const received = page.performance.getEntriesByName('icicle:message-received')[0];
        const label = Array.from(page.document.querySelectorAll('.d3-flame-graph-label'))
          .find(element => element.textContent === 'getSucraseTokens');
        return received && label && label.getBoundingClientRect().width > 0 ? page.performance.now() - received.startTime : 0;
      },
      undefined,
      { polling: 'raf', timeout: 30_000 },
    );
    const started = performance.now();
    await harness.postToWebview({
      type: 'profile',
      title: 'sucrase.cpuprofile',
      summary,
      tree,
      settings: { orientation: 'icicle', minFramePixels: 1 },
      ...viewMeta(),
    });
    const inPage = Number(await (await labelPainted).jsonValue());
    const fromTest = performance.now() - started;
    const render = await harness.page.evaluate(
      () => (globalThis as unknown as TimingWindow).performance.getEntriesByName('icicle:render')[0]?.duration ?? -1,
    );
    console.log(`      sucrase.cpuprofile (${tree.parent.length} nodes): first paint with labels ${inPage.toFixed(0)} ms ` +
      `after the page received it (of which validation and the synchronous render: ${render.toFixed(0)} ms); ` +
      `${fromTest.toFixed(0)} ms seen from the test, including the transfer to the page`);

    for (const name of ['(root)', 'Module._compile', 'transform', 'getTokens', 'parseTopLevel', 'augmentTokens', '(garbage collector)']) {
      await frameLabel(harness.page, name).first().waitFor();
    }
    const header = await harness.page.locator('.icicle-header').innerText();
    assert.match(header, /17,138 samples/);
    assert.match(header, /3,492 nodes/);

    // minFramePixels prunes sub-pixel frames: many frames are drawn, but not all 3,492.
    const drawn = await harness.page.locator('.icicle-chart svg g').count();
    assert.ok(drawn > 500 && drawn < tree.parent.length, `${drawn} frames drawn`);

    // A larger minimum frame width, sent as a settings change, draws fewer frames.
    await harness.postToWebview({ type: 'settings', settings: { orientation: 'icicle', minFramePixels: 10 } });
    await waitFor(async () => {
      const count = await harness.page.locator('.icicle-chart svg g').count();
      return count < drawn / 2 && count > 50;
    }, 'fewer frames with minFramePixels 10');

    await frameRect(harness.page, 'parseTopLevel').first().hover();
    await tooltip(harness.page).waitFor({ state: 'visible' });
    const tip = await tooltip(harness.page).innerText();
    assert.match(tip, /parseTopLevel/);
    assert.match(tip, /sucrase-babylon\/parser\/statement\.js:18/);
    await harness.expectNoProblems();
  });
});
