// The compare panel's page through its built bundle in headless Chromium: the table of changes, the differential
// flame graph and its normalised/absolute toggle, hostile names as text, and the messages it posts.
import assert from 'node:assert/strict';
import { packFrames } from './testProfiles';
import { WebviewHarness, webviewSuite } from './webviewHarness';
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

/**
 * A comparison as a real program's reads (the issue's ~99 rows): three significant changes, listed by the compare
 * statistics regressions first; twelve within noise; eighty-four unchanged, among them the probe's own functions.
 * The head's tree is twelve levels deep, so the graph takes room.
 */
function bigComparison() {
  const side = (mean: number) => ({ mean, sd: mean * 0.02, runs: 3 });
  const row = (name: string, a: number, b: number, verdict: 'regression' | 'improvement' | 'unchanged', p = 0.5) => ({
    name, file: 'app.js', a: side(a), b: side(b), delta: b - a, deltaPercent: a > 0 ? (100 * (b - a)) / a : null, p, verdict,
  });
  const changes = [
    row('smallRegression', 20_000, 30_000, 'regression', 0.001),
    row('bigRegression', 150_000, 300_000, 'regression', 0.0001),
    row('improved', 200_000, 40_000, 'improvement', 0.0001),
    ...Array.from({ length: 12 }, (_, i) => row(`noisy${i}`, 10_000, 10_000 + (i + 1) * 100, 'unchanged')),
    ...Array.from({ length: 84 }, (_, i) => row(i < 4 ? `probe${i}` : `same${i}`, 5_000, 5_000, 'unchanged', 1)),
  ];
  let chain: Parameters<typeof packFrames>[0] = [{ name: 'bigRegression', url: 'app.js', line: 40, selfSamples: 300 }];
  for (let depth = 11; depth > 0; depth--) chain = [{ name: `level${depth}`, url: 'app.js', line: depth, selfSamples: 5, children: chain }];
  const tree = packFrames(chain);
  const baseSelf = tree.selfValue.map((v, i) => (tree.strings[tree.name[i]!] === 'bigRegression' ? v / 2 : v));
  return { type: 'comparison' as const, base: 'main', head: 'feature', unit: 'micros' as const, a: side(1_000_000), b: side(1_100_000), method: 'Welch’s t-test', changes, diff: { tree, baseSelf } };
}

/** How far the page itself is scrolled (the table and graph panes scroll on their own). */
function pageScroll(harness: WebviewHarness): Promise<number> {
  return harness.page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY);
}

describe('compare panel', function () {
  const web = webviewSuite({ bundle: 'compare' });
  beforeEach(async () => {
    await web.harness.waitForPosted(m => m.type === 'ready', 'ready');
  });

  it('lists the changes by verdict, draws the slower path red, and opens a function from its row', async () => {
    await web.harness.postToWebview(comparison());
    const rows = web.harness.page.locator('.icicle-compare-row');
    await rows.first().waitFor();
    // Only what changed is listed; the two zero rows are folded away until asked for.
    const visibleLabels = () => web.harness.page.locator('tbody:not([hidden]) .icicle-compare-row').evaluateAll(r => r.map(row => row.getAttribute('aria-label')));
    assert.deepEqual(await visibleLabels(), ['slow: slower, +100.0%']);
    await web.harness.page.getByRole('button', { name: '▸ 2 unchanged (zero)' }).click();
    assert.deepEqual(await visibleLabels(), ['slow: slower, +100.0%', 'parse: within noise, +0.0%', `${HOSTILE}: within noise, +0.0%`]);
    assert.match((await web.harness.page.locator('.icicle-compare-header h1').textContent()) ?? '', /^feature against main$/);
    // Normalised (the default), slow takes a larger share on the head: red; parse a smaller one: blue.
    const frame = (name: string) => web.harness.page.locator(`.icicle-diff-chart svg g[name=${JSON.stringify(name)}] rect`).first();
    const fill = (name: string) => frame(name).getAttribute('fill');
    await frame('slow').waitFor();
    const red = (colour: string | null) => /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(colour ?? '')?.slice(1).map(Number);
    const [r, g, b] = red(await fill('slow')) ?? [];
    assert.ok(r! > g! && r! > b!, `slow is drawn red, not ${await fill('slow')}`);
    // Absolute: parse did not change at all, so it is neither red nor blue.
    await web.harness.page.getByRole('radio', { name: 'Absolute' }).click();
    await pollUntil(async () => (await web.harness.savedState() as { normalise?: boolean } | undefined)?.normalise === false, { timeoutMs: 10_000, what: 'the absolute mode saved' });
    assert.equal(await web.harness.page.getByRole('radio', { name: 'Absolute' }).getAttribute('aria-checked'), 'true');
    assert.equal(await web.harness.page.locator('img').count(), 0, 'a hostile name is text');
    // Arrow keys move across groups, from the shown row into the opened zero group.
    await rows.first().focus();
    await rows.first().press('ArrowDown');
    await web.harness.page.keyboard.press('Enter');
    assert.deepEqual(await web.harness.waitForPosted(m => m.type === 'openFunction', 'openFunction'), { type: 'openFunction', name: 'parse', file: 'app.js' });
    // A frame of the differential graph opens its function too.
    await frame('slow').click();
    await web.harness.waitForPosted(m => m.type === 'openFunction' && m['name'] === 'slow', 'openFunction for slow');
  });

  it('offers to compare when there is nothing yet, and says when significance is unknown', async () => {
    await web.harness.postToWebview({ type: 'empty' });
    await web.harness.page.getByRole('button', { name: 'Compare Branches…' }).click();
    await web.harness.waitForPosted(m => m.type === 'compareBranches', 'compareBranches');
    await web.harness.page.getByRole('button', { name: 'Compare Selections…' }).click();
    await web.harness.waitForPosted(m => m.type === 'compareSelections', 'compareSelections');
    const one = { ...comparison(), a: { mean: 1, sd: 0, runs: 1 }, diff: undefined };
    await web.harness.postToWebview(one);
    await pollUntil(async () => (await web.harness.page.locator('.icicle-compare-note').first().textContent())?.startsWith('Significance unknown: 1 base and 3 head run(s)'), { timeoutMs: 10_000, what: 'the unknown-significance note' });
  });

  it('offers the types both sides hold, and asks to compare in the one chosen (allocated bytes beside CPU time)', async () => {
    const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';
    const ALLOC = 'memory:alloc_space:bytes:space:bytes';
    await web.harness.postToWebview({ ...comparison(), profileType: CPU });
    await web.harness.page.locator('.icicle-compare-header h1').waitFor();
    assert.equal(await web.harness.page.getByRole('combobox', { name: 'Compare which cost' }).count(), 0, 'no picker for one type');
    await web.harness.postToWebview({ ...comparison(), profileType: CPU, profileTypes: [ALLOC, CPU] });
    const picker = web.harness.page.getByRole('combobox', { name: 'Compare which cost' });
    await picker.waitFor();
    assert.deepEqual(await picker.locator('option').allTextContents(), ['Allocated bytes', 'CPU time']);
    assert.equal(await picker.inputValue(), CPU);
    await picker.selectOption({ label: 'Allocated bytes' });
    assert.deepEqual(await web.harness.waitForPosted(m => m.type === 'chooseType', 'chooseType'), { type: 'chooseType', profileType: ALLOC });
    // The answer in bytes: a function that allocates more is "more", not "slower".
    await web.harness.postToWebview({ ...comparison(), unit: 'bytes' as const, profileType: ALLOC, profileTypes: [ALLOC, CPU] });
    await pollUntil(async () => (await web.harness.page.locator('.icicle-compare-row').first().getAttribute('aria-label')) === 'slow: more, +100.0%', { timeoutMs: 10_000, what: 'the row to say more' });
    assert.match((await web.harness.page.locator('.icicle-compare-note').first().textContent()) ?? '', /^1 significantly more, 0 significantly less · per run: 342 KiB/);
  });

  it('leads with what changed: significant rows by effect, the rest folded in two groups that open and stay open', async () => {
    await web.harness.postToWebview(bigComparison());
    const visible = () => web.harness.page.locator('tbody:not([hidden]) .icicle-compare-row').evaluateAll(r => r.map(row => row.getAttribute('data-name')));
    await web.harness.page.locator('.icicle-compare-row').first().waitFor();
    // Largest effect first, whichever its direction: −160 ms, +150 ms, +10 ms.
    assert.deepEqual(await visible(), ['improved', 'bigRegression', 'smallRegression']);
    const noise = web.harness.page.getByRole('button', { name: '▸ 12 within noise' });
    const zero = web.harness.page.getByRole('button', { name: '▸ 84 unchanged (zero)' });
    assert.equal(await noise.getAttribute('aria-expanded'), 'false');
    assert.equal(await zero.getAttribute('aria-expanded'), 'false');
    assert.match((await web.harness.page.locator('.icicle-compare-method').first().textContent()) ?? '', /self time per run, mean of 3 runs on main and 3 runs on feature/);
    await noise.click();
    const shown = await visible();
    assert.equal(shown.length, 15);
    assert.deepEqual(shown.slice(3, 5), ['noisy11', 'noisy10'], 'the noisy rows by effect too');
    assert.equal(await web.harness.page.getByRole('button', { name: '▾ 12 within noise' }).getAttribute('aria-expanded'), 'true');
    assert.deepEqual((await web.harness.savedState() as { expanded?: string[] }).expanded, ['noise']);
    // A reload (VS Code reloads a hidden webview) keeps the opened group open and the zero rows folded.
    await web.harness.reload();
    await web.harness.postToWebview(bigComparison());
    await pollUntil(async () => (await visible()).length === 15, { timeoutMs: 10_000, what: 'the noise group open again after a reload' });
    await web.harness.page.getByRole('button', { name: '▸ 84 unchanged (zero)' }).click();
    assert.equal((await visible()).length, 99);
  });

  for (const [layout, viewport] of [
    ['a wide, short bottom panel', { width: 1400, height: 320 }],
    ['a narrow, tall panel', { width: 760, height: 640 }],
  ] as const) {
    it(`shows the differential flame graph without scrolling in ${layout}`, async () => {
      await web.reopen({ bundle: 'compare', viewport });
      await web.harness.waitForPosted(m => m.type === 'ready', 'ready');
      await web.harness.postToWebview(bigComparison());
      const frame = web.harness.page.locator('.icicle-diff-chart svg g[name="bigRegression"] rect').first();
      await frame.waitFor();
      const scrolled = await pageScroll(web.harness);
      assert.equal(scrolled, 0);
      // The graph's first rows, and the changed frame twelve levels down in the wide layout, are within the viewport.
      const chart = await web.harness.page.locator('.icicle-diff-chart svg').boundingBox();
      assert.ok(chart && chart.y >= 0 && chart.y + 60 <= viewport.height, `the graph starts at ${chart?.y} in a ${viewport.height} px panel`);
      assert.ok(chart.width >= viewport.width * 0.4, `the graph is ${chart.width} px wide`);
      const rows = await web.harness.page.locator('tbody:not([hidden]) .icicle-compare-row').count();
      assert.equal(rows, 3, 'the three changes are listed');
      if (viewport.width >= 900) {
        // Side by side, the graph scrolls on its own: the changed frame deep down comes into view without the page moving.
        const pane = await web.harness.page.locator('.icicle-compare-graph').boundingBox();
        assert.ok(pane && pane.y + pane.height <= viewport.height + 1, `the graph's pane ends at ${pane && pane.y + pane.height}`);
        await frame.scrollIntoViewIfNeeded();
        const box = await frame.boundingBox();
        assert.ok(box && box.y + box.height <= viewport.height, `the changed frame is at ${box?.y}, below a ${viewport.height} px panel`);
        assert.equal(await pageScroll(web.harness), 0, 'the page itself did not scroll');
      }
    });
  }
});
