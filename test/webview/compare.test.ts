// The compare panel's page through its built bundle in headless Chromium: the table of changes, the differential
// flame graph and its normalised/absolute toggle, hostile names as text, and the messages it posts.
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { packFrames } from './testProfiles';
import { launchChromium, WebviewHarness } from './webviewHarness';
import { pollUntil } from '../support/poll';

const HOSTILE = '<img src=x onerror="window.__pwned=1">';

/** The head's tree (means per run, µs): slow twice as long as on the base, parse the same, a hostile-named frame. */
function comparison() {
  const tree = packFrames([
    {
      name: 'main',
      url: 'app.js',
      line: 1,
      selfSamples: 0,
      children: [
        { name: 'parse', url: 'app.js', line: 2, selfSamples: 150 },
        { name: 'slow', url: 'app.js', line: 4, selfSamples: 300 },
        { name: HOSTILE, url: 'x.js', line: 1, selfSamples: 50 },
      ],
    },
  ]);
  // packFrames counts samples; make values the per-run means.
  tree.selfValue = tree.selfSamples.map(s => s * 1000);
  tree.totalValue = tree.totalSamples.map(s => s * 1000);
  const baseSelf = tree.name.map(n => ({ parse: 150_000, slow: 150_000 })[tree.strings[n] as 'parse' | 'slow'] ?? (tree.strings[n] === HOSTILE ? 50_000 : 0));
  const side = (mean: number) => ({ mean, sd: mean * 0.01, runs: 3 });
  return {
    type: 'comparison' as const,
    base: 'main',
    head: 'feature',
    unit: 'micros' as const,
    a: side(350_000),
    b: side(500_000),
    method: 'Welch’s t-test per function on its self cost per run',
    changes: [
      { name: 'slow', file: 'app.js', a: side(150_000), b: side(300_000), delta: 150_000, deltaPercent: 100, p: 0.0001, verdict: 'regression' as const },
      { name: 'parse', file: 'app.js', a: side(150_000), b: side(150_000), delta: 0, deltaPercent: 0, p: 0.9, verdict: 'unchanged' as const },
      { name: HOSTILE, file: 'x.js', a: side(50_000), b: side(50_000), delta: 0, deltaPercent: 0, p: 0.9, verdict: 'unchanged' as const },
    ],
    diff: { tree, baseSelf },
  };
}

describe('compare panel', function () {
  let browser: Browser;
  let harness: WebviewHarness;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    harness = await WebviewHarness.open(browser, { bundle: 'compare' });
    await harness.waitForPosted(m => m.type === 'ready', 'ready');
  });
  afterEach(async () => {
    await harness?.expectNoProblems();
    await harness?.close();
  });

  it('lists the changes by verdict, draws the slower path red, and opens a function from its row', async () => {
    await harness.postToWebview(comparison());
    const rows = harness.page.locator('.icicle-compare-row');
    await rows.first().waitFor();
    assert.deepEqual(await rows.evaluateAll(r => r.map(row => row.getAttribute('aria-label'))), ['slow: slower, +100.0%', 'parse: within noise, +0.0%', `${HOSTILE}: within noise, +0.0%`]);
    assert.match((await harness.page.locator('.icicle-compare-header h1').textContent()) ?? '', /^feature against main$/);
    // Normalised (the default), slow takes a larger share on the head: red; parse a smaller one: blue.
    const frame = (name: string) => harness.page.locator(`.icicle-diff-chart svg g[name=${JSON.stringify(name)}] rect`).first();
    const fill = (name: string) => frame(name).getAttribute('fill');
    await frame('slow').waitFor();
    const red = (colour: string | null) => /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(colour ?? '')?.slice(1).map(Number);
    const [r, g, b] = red(await fill('slow')) ?? [];
    assert.ok(r! > g! && r! > b!, `slow is drawn red, not ${await fill('slow')}`);
    // Absolute: parse did not change at all, so it is neither red nor blue.
    await harness.page.getByRole('radio', { name: 'Absolute' }).click();
    await pollUntil(async () => (await harness.savedState() as { normalise?: boolean } | undefined)?.normalise === false, { timeoutMs: 10_000, what: 'the absolute mode saved' });
    assert.equal(await harness.page.getByRole('radio', { name: 'Absolute' }).getAttribute('aria-checked'), 'true');
    assert.equal(await harness.page.locator('img').count(), 0, 'a hostile name is text');
    await rows.nth(1).press('Enter');
    assert.deepEqual(await harness.waitForPosted(m => m.type === 'openFunction', 'openFunction'), { type: 'openFunction', name: 'parse', file: 'app.js' });
    // A frame of the differential graph opens its function too.
    await frame('slow').click();
    await harness.waitForPosted(m => m.type === 'openFunction' && m['name'] === 'slow', 'openFunction for slow');
  });

  it('offers to compare when there is nothing yet, and says when significance is unknown', async () => {
    await harness.postToWebview({ type: 'empty' });
    await harness.page.getByRole('button', { name: 'Compare Branches…' }).click();
    await harness.waitForPosted(m => m.type === 'compareBranches', 'compareBranches');
    await harness.page.getByRole('button', { name: 'Compare Selections…' }).click();
    await harness.waitForPosted(m => m.type === 'compareSelections', 'compareSelections');
    const one = { ...comparison(), a: { mean: 1, sd: 0, runs: 1 }, diff: undefined };
    await harness.postToWebview(one);
    await pollUntil(async () => (await harness.page.locator('.icicle-compare-note').first().textContent())?.startsWith('Significance unknown: 1 base and 3 head run(s)'), { timeoutMs: 10_000, what: 'the unknown-significance note' });
  });
});
