// A call tree 10,000 frames deep, as the agent sends it (cut at 1,000 levels), in the real page: drawn and zoomed.
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { PackedCallTree } from '../../common/callTree';
import { pruneCallTree } from '../../common/pruneCallTree';
import { pollUntil } from '../support/poll';
import { profileMessage } from './testProfiles';
import { launchChromium, WebviewHarness } from './webviewHarness';

const DEPTH = 10_000;

function deepTree(): PackedCallTree {
  const n = DEPTH + 1;
  const strings = ['', ...Array.from({ length: DEPTH }, (_, i) => `level${i}`)];
  return {
    strings,
    parent: Array.from({ length: n }, (_, i) => i - 1),
    name: Array.from({ length: n }, (_, i) => i),
    url: Array(n).fill(0),
    line: Array(n).fill(0),
    column: Array(n).fill(0),
    kind: [0, ...Array(DEPTH).fill(1)],
    selfSamples: Array.from({ length: n }, (_, i) => (i === DEPTH ? 100 : 0)),
    totalSamples: Array(n).fill(100),
    selfValue: Array.from({ length: n }, (_, i) => (i === DEPTH ? 100_000 : 0)),
    totalValue: Array(n).fill(100_000),
  };
}

describe('a call tree 10,000 frames deep', function () {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  it('is drawn and zoomed without an error', async () => {
    const harness = await WebviewHarness.open(browser);
    try {
      const started = performance.now();
      // What the agent sends for it: the first 1,000 levels, then one … (common/pruneCallTree.ts).
      await harness.postToWebview(profileMessage('deep.cpuprofile', pruneCallTree(deepTree(), 0.002)));
      await harness.page.locator('.icicle-chart svg g[name="level0"]').waitFor({ timeout: 60_000 });
      const drawnMs = performance.now() - started;
      // Labels appear once the drawing transition has ended; a click before that can land on a moving frame.
      await harness.page.locator('.icicle-chart .d3-flame-graph-label').getByText('level5', { exact: true }).waitFor({ timeout: 60_000 });
      await harness.page.locator('.icicle-chart svg g[name="level5"] rect').click();
      await pollUntil(async () => (await harness.page.locator('.icicle-crumb-current').allTextContents()).includes('level5'), { timeoutMs: 60_000, what: 'the zoom to level5' });
      console.log(`      10,000 frames deep: drawn in ${drawnMs.toFixed(0)} ms`);
      assert.ok(drawnMs < 60_000);
      await harness.expectNoProblems();
    } finally {
      await harness.close();
    }
  });
});
