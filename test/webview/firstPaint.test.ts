// What the first paint of a profile leaves for later, through the built bundle in headless Chromium: a deep tree's
// rows below the screen (drawn a frame after the first paint) and the function table (filled when its tab is shown).
// Each test checks that what is deferred is there, and right, once it is needed.
import assert from 'node:assert/strict';
import { pollUntil } from '../support/poll';
import { frameLabel, frameRect } from './frames';
import { packFrames, profileMessage, SMALL_PROGRAM, type FrameSpec } from './testProfiles';
import { webviewSuite } from './webviewHarness';

const DEPTH = 120;

/**
 * A chain `level0` … `level119` (the last one with 1,000 samples of its own), each level with a sibling `leafN`
 * of 10 samples: 241 frames, every one wider than a pixel, 120 rows deep, so most rows are below the screen.
 */
function deepProgram(): FrameSpec[] {
  let chain: FrameSpec = { name: `level${DEPTH - 1}`, selfSamples: 1000 };
  for (let level = DEPTH - 2; level >= 0; level--) {
    chain = { name: `level${level}`, selfSamples: 0, children: [chain, { name: `leaf${level + 1}`, selfSamples: 10 }] };
  }
  return [chain, { name: 'leaf0', selfSamples: 10 }];
}

/** The page-side APIs these tests read (the test project compiles without the DOM library). */
interface PageWindow {
  innerHeight: number;
  performance: { getEntriesByName(name: string): unknown[] };
  addEventListener(type: 'message', listener: () => void, options: { once: boolean }): void;
  postMessage(message: unknown, targetOrigin: string): void;
  MouseEvent: new (type: string, init: { bubbles: boolean }) => unknown;
  requestAnimationFrame(callback: () => void): void;
  document: {
    querySelector(selector: string): PageElement | null;
    querySelectorAll(selector: string): ArrayLike<PageElement>;
  };
}
interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  getBoundingClientRect(): { top: number; bottom: number; width: number };
  dispatchEvent(event: unknown): boolean;
}

/** The graph in one animation frame: frames drawn, the page's height, and each frame on the screen with its place and label. */
interface Picture {
  frames: number;
  height: string | null;
  onScreen: string[];
  /** Each frame on the screen with its rectangle's width: they grow from nothing when first drawn. */
  widths: string[];
  complete: boolean;
}

/**
 * Runs in the page: posts `message` as the extension would and records the graph in every animation frame from the
 * first one with a label until twenty frames after every frame is drawn (the `icicle:graph-complete` mark). No named
 * functions inside: the test's compiler would wrap them in a helper the page lacks.
 */
async function recordPictures(message: unknown): Promise<Picture[]> {
  const page = globalThis as unknown as PageWindow;
  const pictures: Picture[] = [];
  page.postMessage(message, '*');
  // Bounded, so that a page that never completes its drawing fails the test rather than hangs it.
  for (let after = 0, frames = 0; after < 20 && frames < 1000; frames++) {
    await new Promise<void>(resolve => page.requestAnimationFrame(resolve));
    const groups = Array.from(page.document.querySelectorAll('.icicle-chart svg g'));
    const visible = groups.filter(g => {
      const box = g.getBoundingClientRect();
      return box.bottom > 0 && box.top < page.innerHeight;
    });
    const labelled = visible.some(g => (g.querySelector('.d3-flame-graph-label')?.textContent ?? '') !== '');
    const complete = page.performance.getEntriesByName('icicle:graph-complete').length > 0;
    if (labelled) {
      pictures.push({
        frames: groups.length,
        height: page.document.querySelector('.icicle-chart svg')?.getAttribute('height') ?? null,
        onScreen: visible.map(g => [g.getAttribute('name'), g.getAttribute('transform'), g.querySelector('.d3-flame-graph-label')?.textContent].join(' ')).sort(),
        widths: visible.map(g => `${g.getAttribute('name')} ${g.querySelector('rect')?.getAttribute('width')}`).sort(),
        complete,
      });
    }
    if (complete) after++;
  }
  return pictures;
}

describe('the first paint of a profile', function () {
  const web = webviewSuite({ viewport: { width: 1280, height: 800 } });
  beforeEach(async () => {
    await web.harness.waitForPosted(m => m.type === 'ready', 'ready');
  });

  const whenComplete = () =>
    pollUntil(
      () => web.harness.page.evaluate(() => (globalThis as unknown as PageWindow).performance.getEntriesByName('icicle:graph-complete').length > 0),
      { timeoutMs: 30_000, what: 'every frame of the graph to be drawn' },
    );

  it('paints the rows on the screen first, as they are once every frame is drawn, and the rest a frame later', async () => {
    const pictures = await web.harness.page.evaluate(recordPictures, profileMessage('deep.cpuprofile', packFrames(deepProgram())));
    const first = pictures[0]!;
    const last = pictures[pictures.length - 1]!;
    assert.equal(last.frames, 2 * DEPTH + 1, 'every frame is drawn in the end');
    assert.ok(first.frames < last.frames / 2, `the first paint draws the rows on the screen only: ${first.frames} of ${last.frames} frames`);
    assert.ok(!first.complete, 'the rest is drawn after the first paint');
    assert.ok(first.onScreen.length > 20, `${first.onScreen.length} frames on the screen`);
    // From the first paint on, the screen shows the same frames at the same places with the same labels, in a page
    // as tall as the whole graph; the rectangles grow to their widths without a jump.
    for (const [index, picture] of pictures.entries()) {
      assert.equal(picture.height, last.height, `the page's height in animation frame ${index}`);
      assert.deepEqual(picture.onScreen, last.onScreen, `the frames on the screen in animation frame ${index}`);
    }
    const width = (picture: Picture, name: string) => Number(picture.widths.find(entry => entry.startsWith(`${name} `))?.split(' ')[1]);
    for (let index = 1; index < pictures.length; index++) {
      assert.ok(width(pictures[index]!, 'level0') >= width(pictures[index - 1]!, 'level0'), `level0 grows, never shrinks, in animation frame ${index}`);
    }
    // The rows below the screen are drawn at their depth (a row of 18 pixels each, the root at the top).
    const whole = await web.harness.page.evaluate(() => {
      const page = globalThis as unknown as PageWindow;
      return Array.from(page.document.querySelectorAll('.icicle-chart svg g')).map(g => `${g.getAttribute('name')} ${g.getAttribute('transform')} ${g.querySelector('rect')?.getAttribute('width')}`).sort();
    });
    assert.ok(whole.some(entry => entry.startsWith(`level${DEPTH - 1} translate(0,${DEPTH * 18})`)), 'the deepest frame is drawn at its row');
    // The frames below the screen are there and take clicks: the deepest one zooms.
    await frameRect(web.harness.page, `level${DEPTH - 1}`).click();
    await pollUntil(async () => (await web.harness.page.locator('.icicle-crumb-current').allTextContents()).includes(`level${DEPTH - 1}`), { timeoutMs: 10_000, what: 'the zoom to the deepest frame' });
  });

  it('keeps a zoom the user made before the rows below the screen were drawn', async () => {
    // The click lands right after the page drew the first rows, in the same message event, before any frame.
    await web.harness.page.evaluate(message => {
      const page = globalThis as unknown as PageWindow;
      page.addEventListener(
        'message',
        () => {
          const rect = page.document.querySelector('.icicle-chart svg g[name="level5"] rect');
          rect?.dispatchEvent(new page.MouseEvent('click', { bubbles: true }));
        },
        { once: true },
      );
      page.postMessage(message, '*');
    }, profileMessage('deep.cpuprofile', packFrames(deepProgram())));
    await whenComplete();
    await pollUntil(async () => (await web.harness.page.locator('.icicle-crumb-current').allTextContents()).includes('level5'), { timeoutMs: 10_000, what: 'the breadcrumbs of the zoom' });
    // Zoomed: level5 spans the graph (its whole width, after the zoom's transition), and a frame below the screen is
    // drawn under it, zoomed too.
    const svgWidth = Number(await web.harness.page.locator('.icicle-chart svg').getAttribute('width'));
    await pollUntil(async () => Math.abs(Number(await frameRect(web.harness.page, 'level5').getAttribute('width')) - svgWidth) < 1, { timeoutMs: 10_000, what: 'level5 to span the graph' });
    const deep = Number(await frameRect(web.harness.page, `level${DEPTH - 1}`).getAttribute('width'));
    assert.ok(deep > 0, 'the deepest frame is drawn under the zoom');
    const zoomQueries = (await web.harness.posted()).filter(m => m.type === 'query');
    assert.ok(zoomQueries.length <= 1, `the zoom is reported once, not again when the rest is drawn: ${zoomQueries.length} queries`);
  });

  it('fills the function table when its tab is first shown, with the profile shown then', async () => {
    await web.harness.postToWebview(profileMessage('small.cpuprofile', packFrames(SMALL_PROGRAM)));
    await frameLabel(web.harness.page, 'readToken').waitFor();
    // Frames go by while the graph is shown: the hidden table stays empty.
    for (let frame = 0; frame < 5; frame++) await web.harness.page.evaluate(() => new Promise<void>(resolve => (globalThis as unknown as PageWindow).requestAnimationFrame(resolve)));
    assert.equal(await web.harness.page.locator('.icicle-table-row').count(), 0, 'the hidden table is not filled');

    // Another profile arrives while the graph is shown; the table, opened now, lists its functions.
    await web.harness.postToWebview(profileMessage('deep.cpuprofile', packFrames(deepProgram())));
    await frameLabel(web.harness.page, 'level0').waitFor();
    await web.harness.page.getByRole('tab', { name: 'Table' }).click();
    await web.harness.page.locator('.icicle-table-row').first().waitFor();
    const names = await Promise.all((await web.harness.page.locator('.icicle-table-row').all()).map(row => row.getAttribute('data-name')));
    assert.equal(names.length, 2 * DEPTH, 'one row per function of the deep profile');
    assert.equal(names[0], `level${DEPTH - 1}`, 'sorted by self cost: the chain’s end first');
    assert.ok(!names.includes('readToken'), 'nothing of the profile shown before');
  });
});
