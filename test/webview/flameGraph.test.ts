// The flame graph page with a small hand-built profile: drawing, header, tooltip, clicks, orientation, zoom
// and theme colours, through the built bundle in headless Chromium.
import assert from 'node:assert/strict';
import { WEBVIEW_PROTOCOL_VERSION } from '../../common/version';
import { contrastRatio, parseCssColour, toHex } from '../../webview/colourMath';
import { frame, frameLabel, frameRect, tooltip } from './frames';
import { packFrames, profileMessage, SMALL_PROGRAM } from './testProfiles';
import { DARK_THEME, HIGH_CONTRAST_THEME, LIGHT_THEME, waitFor, webviewSuite } from './webviewHarness';

const TITLE = 'small.cpuprofile';
const ALL_NAMES = ['main', 'parseInput', 'readToken', 'renderReport', '(garbage collector)', '(idle)'];

describe('flame graph webview', function () {
  const web = webviewSuite({}, { checkProblems: false });

  /** Shows the small profile and waits until its labels are drawn. */
  async function showSmallProgram(settings?: Parameters<typeof profileMessage>[2]): Promise<void> {
    await web.harness.postToWebview(profileMessage(TITLE, packFrames(SMALL_PROGRAM), settings));
    await frameLabel(web.harness.page, 'readToken').waitFor();
  }

  const openSourceMessages = async () => (await web.harness.posted()).filter(m => m.type === 'openSource');

  it('posts ready, then draws every frame with its label and shows the profile figures', async () => {
    const ready = await web.harness.waitForPosted(m => m.type === 'ready', 'ready');
    assert.deepEqual(ready, { type: 'ready', protocolVersion: WEBVIEW_PROTOCOL_VERSION });

    await web.harness.postToWebview({ type: 'loading', title: TITLE });
    const status = web.harness.page.locator('.icicle-status');
    await status.waitFor({ state: 'visible' });
    assert.equal(await status.textContent(), `Loading ${TITLE}…`);

    await showSmallProgram();
    await status.waitFor({ state: 'hidden' });
    for (const name of ALL_NAMES) await frameLabel(web.harness.page, name).waitFor();
    assert.equal(await frameLabel(web.harness.page, '(all)').count(), 1, 'the root frame is labelled');

    const header = await web.harness.page.locator('.icicle-header').innerText();
    assert.match(header, /small\.cpuprofile/);
    assert.match(header, /\b100 samples\b/);
    assert.match(header, /\b100 ms\b/);
    assert.match(header, /\b7 nodes\b/);

    const svg = web.harness.page.getByRole('img', { name: `Flame graph of ${TITLE}` });
    assert.equal(await svg.count(), 1, 'the svg is an image named after the profile');
    assert.equal(await web.harness.page.getByRole('button', { name: 'Reset zoom' }).count(), 1);
    assert.equal(await web.harness.page.getByRole('button', { name: /flame graph/i }).count(), 1);
    await web.harness.expectNoProblems();
  });

  it('shows a tooltip with name, source, self and total on hover, inside the viewport, and hides it after', async () => {
    await showSmallProgram();
    const tip = tooltip(web.harness.page);
    assert.equal(await tip.isVisible(), false, 'no tooltip before hovering');

    await frameRect(web.harness.page, 'parseInput').hover();
    await tip.waitFor({ state: 'visible' });
    const text = await tip.innerText();
    assert.match(text, /parseInput/);
    assert.match(text, /\/work\/app\/src\/parser\.ts:42/);
    assert.match(text, /Self\s+30 ms \(30%\)/);
    assert.match(text, /Total\s+50 ms \(50%\)/);
    assert.match(text, /30 samples self, 50 samples total/);
    // d3-flame-graph's own <title> tooltips are off, so only ours appears.
    assert.equal(await web.harness.page.locator('.icicle-chart svg title').count(), 0);

    await web.harness.page.mouse.move(10, 790);
    await tip.waitFor({ state: 'hidden' });

    // Near the right edge the tooltip flips to the pointer's left rather than leaving the viewport.
    const idle = await frameRect(web.harness.page, '(idle)').boundingBox();
    assert.ok(idle);
    await web.harness.page.mouse.move(idle.x + idle.width - 3, idle.y + idle.height / 2);
    await tip.waitFor({ state: 'visible' });
    assert.match(await tip.innerText(), /\(idle\)/);
    const box = await tip.boundingBox();
    assert.ok(box);
    assert.ok(box.x >= 0 && box.x + box.width <= 1280, `tooltip ${JSON.stringify(box)} is inside the viewport`);
    assert.ok(box.y >= 0 && box.y + box.height <= 800, `tooltip ${JSON.stringify(box)} is inside the viewport`);
    await web.harness.expectNoProblems();
  });

  it('zooms on click and posts openSource for frames with a URL only, never for the root', async () => {
    // The root carries a URL here, as an importer might give it the program's path: it must still not post.
    await web.harness.postToWebview(profileMessage(TITLE, packFrames(SMALL_PROGRAM, { url: 'file:///work/app/src/main.ts', line: 1 })));
    await frameLabel(web.harness.page, 'readToken').waitFor();
    await frameRect(web.harness.page, '(all)').click();
    await frameRect(web.harness.page, 'parseInput').click();
    const opened = await web.harness.waitForPosted(m => m.type === 'openSource', 'openSource');
    assert.deepEqual(opened, { type: 'openSource', url: 'file:///work/app/src/parser.ts', line: 42, column: 3 });

    // The clicked frame now spans the whole width.
    const svgBox = await web.harness.page.locator('.icicle-chart svg').boundingBox();
    assert.ok(svgBox);
    await waitFor(async () => {
      const box = await frameRect(web.harness.page, 'parseInput').boundingBox();
      return box !== null && Math.abs(box.width - svgBox.width) < 2;
    }, 'parseInput to fill the width after the zoom');
    assert.equal(await web.harness.page.getByRole('button', { name: 'Reset zoom' }).isEnabled(), true);

    // GC has no source: zoom back out, click it, then a frame with a URL; only the latter may post.
    await web.harness.page.getByRole('button', { name: 'Reset zoom' }).click();
    await frameRect(web.harness.page, '(garbage collector)').click();
    await frameRect(web.harness.page, '(all)').click();
    await frameRect(web.harness.page, 'renderReport').click();
    await web.harness.waitForPosted(m => m.type === 'openSource' && m['url'] === 'file:///work/app/src/render.ts', 'openSource for render.ts');
    assert.deepEqual(await openSourceMessages(), [
      { type: 'openSource', url: 'file:///work/app/src/parser.ts', line: 42, column: 3 },
      { type: 'openSource', url: 'file:///work/app/src/render.ts', line: 7, column: 1 },
    ]);
    await web.harness.expectNoProblems();
  });

  /** Where the root sits: 'top' (icicle) or 'bottom' (flame) of the svg, once its transition has ended. */
  async function rootPlacement(): Promise<'top' | 'bottom' | undefined> {
    const svgBox = await web.harness.page.locator('.icicle-chart svg').boundingBox();
    const rootBox = await frameRect(web.harness.page, '(all)').boundingBox();
    if (!svgBox || !rootBox) return undefined;
    if (Math.abs(rootBox.y - svgBox.y) < 1) return 'top';
    if (Math.abs(rootBox.y + rootBox.height - (svgBox.y + svgBox.height)) < 1) return 'bottom';
    return undefined;
  }
  const waitForRootAt = (where: 'top' | 'bottom') =>
    waitFor(async () => (await rootPlacement()) === where, `the root to be at the ${where}`);

  it('toggles between icicle and flame orientation and keeps the choice across a reload', async () => {
    await showSmallProgram();
    await waitForRootAt('top');

    await web.harness.page.getByRole('button', { name: /flame graph/i }).click();
    await waitForRootAt('bottom');
    const state = (await web.harness.savedState()) as { orientationChoice?: { orientation: string } };
    assert.equal(state.orientationChoice?.orientation, 'flame');

    // A reload (the setting still says icicle) restores the user's pick.
    await web.harness.reload();
    await showSmallProgram();
    await waitForRootAt('bottom');
    assert.equal(await web.harness.page.getByRole('button', { name: /icicle graph/i }).count(), 1);

    // Changing the setting itself is a newer decision and wins over the pick.
    await web.harness.postToWebview({ type: 'settings', settings: { orientation: 'flame', minFramePixels: 1 } });
    await web.harness.postToWebview({ type: 'settings', settings: { orientation: 'icicle', minFramePixels: 1 } });
    await waitForRootAt('top');
    await web.harness.expectNoProblems();
  });

  it('restores the zoomed frame after a reload without opening its source again', async () => {
    await showSmallProgram();
    await frameRect(web.harness.page, 'renderReport').click();
    await web.harness.waitForPosted(m => m.type === 'openSource', 'openSource');
    const state = (await web.harness.savedState()) as { zoom?: { nodeIndex: number } };
    assert.equal(state.zoom?.nodeIndex, 4, 'renderReport is node 4 in pre-order');

    await web.harness.reload();
    await web.harness.postToWebview(profileMessage(TITLE, packFrames(SMALL_PROGRAM)));
    await frameLabel(web.harness.page, 'renderReport').waitFor();
    const svgBox = await web.harness.page.locator('.icicle-chart svg').boundingBox();
    assert.ok(svgBox);
    await waitFor(async () => {
      const box = await frameRect(web.harness.page, 'renderReport').boundingBox();
      return box !== null && Math.abs(box.width - svgBox.width) < 2;
    }, 'renderReport to fill the width after the reload');
    assert.equal(await frame(web.harness.page, 'parseInput').count(), 0, 'frames outside the zoom are not drawn');
    assert.deepEqual(await openSourceMessages(), [], 'restoring the zoom opens no source');
    await web.harness.expectNoProblems();
  });

  /** Fails unless every frame's label colour has WCAG AA contrast (4.5) against the frame's fill. */
  async function expectReadableLabels(theme: string): Promise<void> {
    for (const name of ALL_NAMES) {
      const background = parseCssColour((await frameRect(web.harness.page, name).getAttribute('fill')) ?? '');
      const label = frame(web.harness.page, name).locator('.d3-flame-graph-label');
      const text = parseCssColour(await label.evaluate(element => (element as unknown as { style: { color: string } }).style.color));
      assert.ok(background && text, `${theme}, ${name}: has a fill and a label colour`);
      const ratio = contrastRatio(background, text);
      assert.ok(ratio >= 4.5, `${theme}, ${name}: label contrast ${ratio.toFixed(2)} is at least 4.5`);
    }
  }

  it('colours frames from the theme variables, each shade a little different', async () => {
    await web.reopen({
      bodyClass: 'vscode-light',
      cssVariables: { ...LIGHT_THEME, '--vscode-charts-orange': '#00a000' },
    });
    await showSmallProgram();
    const fill = parseCssColour((await frameRect(web.harness.page, 'main').getAttribute('fill')) ?? '');
    assert.ok(fill, 'main has a fill');
    assert.ok(fill.g > fill.r + 60 && fill.g > fill.b + 60, `user code takes --vscode-charts-orange (#00a000), got ${JSON.stringify(fill)}`);
    // Neighbouring frames of one kind differ a little, so their edges stay visible.
    const fills = await Promise.all(['main', 'parseInput', 'renderReport'].map(n => frameRect(web.harness.page, n).getAttribute('fill')));
    assert.equal(new Set(fills).size, 3, `user frames differ in shade: ${fills.join(', ')}`);
    await web.harness.expectNoProblems();
  });

  for (const [bodyClass, cssVariables] of [
    ['vscode-light', LIGHT_THEME],
    ['vscode-dark', DARK_THEME],
    ['vscode-high-contrast', HIGH_CONTRAST_THEME],
  ] as const) {
    it(`keeps every label readable in ${bodyClass}`, async () => {
      await web.reopen({ bodyClass, cssVariables });
      await showSmallProgram();
      await expectReadableLabels(bodyClass);
      // Frames are outlined with the editor background (the contrast border in high contrast), not d3's #eee.
      const stroke = await frameRect(web.harness.page, 'main').evaluate(
        element => (globalThis as unknown as { getComputedStyle(e: unknown): { stroke: string } }).getComputedStyle(element).stroke,
      );
      const expected = bodyClass === 'vscode-high-contrast'
        ? cssVariables['--vscode-contrastBorder']
        : cssVariables['--vscode-editor-background'];
      assert.equal(toHexColour(stroke), expected);
      await web.harness.expectNoProblems();
    });
  }

  it('follows theme changes and the width of its container', async () => {
    await showSmallProgram();
    const before = await frameRect(web.harness.page, 'main').getAttribute('fill');
    // VS Code switches themes by rewriting the variables on <html>.
    await web.harness.page.evaluate(() =>
      (globalThis as unknown as { document: { documentElement: { style: { setProperty(n: string, v: string): void } } } })
        .document.documentElement.style.setProperty('--vscode-charts-orange', '#00a000'),
    );
    await waitFor(async () => {
      const fill = parseCssColour((await frameRect(web.harness.page, 'main').getAttribute('fill')) ?? '');
      return fill !== undefined && fill.g > fill.r + 60;
    }, `main to turn green (it was ${before})`);

    const svg = web.harness.page.locator('.icicle-chart svg');
    const wide = Number(await svg.getAttribute('width'));
    await web.harness.page.setViewportSize({ width: 700, height: 800 });
    await waitFor(async () => Number(await svg.getAttribute('width')) < 700, 'the graph to narrow with the page');
    // Frames shrink with a short transition; wait for main to fit rather than guessing its length.
    await waitFor(async () => {
      const main = await frameRect(web.harness.page, 'main').boundingBox();
      return main !== null && main.x + main.width <= 700;
    }, `main to fit the narrower page (the graph was ${wide} wide)`);
    await web.harness.expectNoProblems();
  });

  it('falls back to built-in colours in a bare page without theme variables', async () => {
    await web.reopen({ bodyClass: '', cssVariables: {} });
    await showSmallProgram();
    for (const name of ALL_NAMES) {
      assert.match((await frameRect(web.harness.page, name).getAttribute('fill')) ?? '', /^#[0-9a-f]{6}$/, `${name} has a colour`);
    }
    await web.harness.expectNoProblems();
  });
});

/** Computed styles report rgb(r, g, b); the themes are written as #rrggbb. */
function toHexColour(css: string): string | undefined {
  const colour = parseCssColour(css);
  return colour && toHex(colour);
}
