/**
 * Driving the code-server workbench as a user would, for `npm run bench -- editor-open`: quick open, a file name,
 * Enter, and the moment a webview shows what it draws. Times are wall-clock epochs with sub-millisecond precision
 * (`performance.timeOrigin + performance.now()`) on both sides, so an instant seen inside a webview frame compares
 * with one taken in this process.
 */
import type { Frame, Page } from 'playwright-core';
import { pollUntil } from '../test/support/poll';

/** Now, as an epoch in milliseconds with sub-millisecond precision, comparable with `pageNow` inside a page. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Raised when the page crashed (the renderer ran out of memory, say) while the benchmark waited on it. */
export class PageCrashedError extends Error {}

/** Tracks whether a page has crashed, so waits on it end at once with `PageCrashedError` instead of timing out. */
export function watchCrash(page: Page): () => boolean {
  let crashed = false;
  page.on('crash', () => (crashed = true));
  return () => crashed;
}

/**
 * Opens quick open (Ctrl+P) once the workbench takes keys: Ctrl+P is pressed again only while the quick-open box
 * has not appeared, because a second press while it is open would move its selection instead.
 */
export async function openQuickOpen(page: Page, timeoutMs: number): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await page.locator('.monaco-workbench .part.editor').waitFor({ state: 'visible', timeout: timeoutMs });
  await pollUntil(
    async () => {
      if (await input.isVisible().catch(() => false)) return true;
      await page.keyboard.press('Control+P');
      return input.waitFor({ state: 'visible', timeout: 1000 }).then(
        () => true,
        () => false,
      );
    },
    { timeoutMs, what: 'quick open to appear after Ctrl+P', intervalMs: 50 },
  );
}

/**
 * Types a file name into quick open and waits until the focused row is that file (the file index answers
 * asynchronously after the window opens), so that Enter opens it.
 */
export async function chooseInQuickOpen(page: Page, fileName: string, timeoutMs: number): Promise<void> {
  await page.keyboard.type(fileName);
  await page
    .locator('.quick-input-list .monaco-list-row.focused')
    .filter({ hasText: fileName })
    .first()
    .waitFor({ state: 'visible', timeout: timeoutMs });
}

/**
 * Waits until a webview's content frame (the `#active-frame` inside an `iframe.webview`) satisfies `drawn`, which
 * runs in that frame on every animation frame. Every content frame that appears is watched at once, because VS Code builds a webview's
 * frame and then replaces it, or its document; the first to report wins. Resolves with that epoch and frame.
 */
export async function waitForWebviewDrawn(page: Page, drawn: DrawnCheck, timeoutMs: number, crashed: () => boolean): Promise<{ at: number; frame: Frame }> {
  const deadline = Date.now() + timeoutMs;
  const watched = new Set<Frame>();
  let found: { at: number; frame: Frame } | undefined;
  let failure: unknown;
  const watch = (frame: Frame) => {
    watched.add(frame);
    frame
      .waitForFunction(drawn, undefined, { polling: 'raf', timeout: Math.max(1, deadline - Date.now()) })
      .then(handle => handle.jsonValue())
      .then(
        value => (found ??= { at: Number(value), frame }),
        // A frame whose document is replaced (VS Code writes the page into a fresh frame) ends its wait with an
        // error; it is watched again on the next poll, with its new document.
        error => {
          failure = error;
          watched.delete(frame);
        },
      );
  };
  const contentFrames = () =>
    // Content frames sit two levels below the workbench: page → iframe.webview → #active-frame.
    page.frames().filter(frame => frame.parentFrame()?.parentFrame() === page.mainFrame() && !frame.isDetached());
  let polls = 0;
  await pollUntil(
    async () => {
      if (crashed()) throw new PageCrashedError('the workbench page crashed');
      for (const frame of contentFrames()) if (!watched.has(frame)) watch(frame);
      // A watch has been seen to stay silent while its frame drew (once in a few dozen runs, its animation-frame
      // polling never resuming after the frame's document was replaced), so the frames are also asked directly now
      // and then; what this finds is late by at most the interval, a fraction of what is measured.
      if (!found && ++polls % 10 === 0) {
        for (const frame of contentFrames()) {
          const at = await frame.evaluate(drawn).catch(() => 0);
          if (at > 0) found ??= { at, frame };
        }
      }
      return found;
    },
    { timeoutMs, what: 'the webview to draw', intervalMs: 20, details: () => (failure ? `last frame error: ${String(failure)}` : '') },
  );
  return found!;
}

/** The page-side APIs the checks read (benchmarks compile without the DOM library). */
interface PageElement {
  textContent: string | null;
  getBoundingClientRect(): { width: number; height: number };
  querySelector(selector: string): PageElement | null;
}
interface PageWindow {
  performance: { timeOrigin: number; now(): number };
  document: { querySelectorAll(selector: string): ArrayLike<PageElement> };
}

/** A check run inside a webview's frame: the page's epoch once what it looks for is drawn, else 0. */
export type DrawnCheck = () => number;

/**
 * The check for Icicle's flame graph: a `g.frame` whose label has text and which takes up room (the same test
 * test/editor/workbench.ts uses to find frames).
 */
export const flameGraphDrawn: DrawnCheck = () => {
  const page = globalThis as unknown as PageWindow;
  for (const frame of Array.from(page.document.querySelectorAll('g.frame'))) {
    const label = frame.querySelector('div.d3-flame-graph-label');
    if (label && (label.textContent ?? '').trim() !== '' && frame.getBoundingClientRect().width > 0) return page.performance.timeOrigin + page.performance.now();
  }
  return 0;
};

/**
 * The check for VS Code's built-in CPU profile table (ms-vscode.vscode-js-profile-table): its rows are
 * `role="treeitem"` elements, drawn once the profile is parsed and its model built.
 */
export const profileTableDrawn: DrawnCheck = () => {
  const page = globalThis as unknown as PageWindow;
  for (const row of Array.from(page.document.querySelectorAll('[role="treeitem"]'))) {
    if ((row.textContent ?? '').trim() !== '' && row.getBoundingClientRect().height > 0) return page.performance.timeOrigin + page.performance.now();
  }
  return 0;
};

/**
 * What a webview's frame did before it drew, as epochs: its document's start, each resource's fetch and its marks
 * (Icicle's page marks `icicle:message-received` when the profile arrives). For ICICLE_EDITOR_OPEN_TRACE.
 */
export async function webviewTimeline(frame: Frame): Promise<{ at: number; what: string }[]> {
  return frame
    .evaluate(() => {
      const performance = (globalThis as unknown as { performance: PagePerformance }).performance;
      const origin = performance.timeOrigin;
      const events = [{ at: origin, what: 'webview document starts' }];
      for (const entry of performance.getEntriesByType('resource')) {
        const name = entry.name.split('?')[0]!.split('/').pop();
        events.push({ at: origin + entry.startTime, what: `fetch ${name} starts` }, { at: origin + entry.responseEnd, what: `fetch ${name} ends` });
      }
      for (const entry of performance.getEntriesByType('mark')) events.push({ at: origin + entry.startTime, what: `mark ${entry.name}` });
      return events;
    })
    .catch(() => []);
}

interface PagePerformance {
  timeOrigin: number;
  getEntriesByType(type: string): { name: string; startTime: number; responseEnd: number }[];
}

/**
 * How long VS Code's webview host frame waited for its service worker (its marks `content/started` to
 * `content/workerReady`), in milliseconds; undefined when the marks are missing. In a fresh browser the first webview
 * registers that worker, which takes seconds while the workbench is still starting, whichever extension's webview it is.
 */
export async function serviceWorkerWait(host: Frame): Promise<number | undefined> {
  return host
    .evaluate(() => {
      // No named function in here: tsx would wrap it in a helper that the page does not have.
      const performance = (globalThis as unknown as { performance: PagePerformance }).performance;
      let started: number | undefined;
      let ready: number | undefined;
      for (const entry of performance.getEntriesByType('mark')) {
        if (entry.name === 'webview/index.html/content/started') started = entry.startTime;
        if (entry.name === 'webview/index.html/content/workerReady') ready = entry.startTime;
      }
      return started === undefined || ready === undefined ? undefined : ready - started;
    })
    .catch(() => undefined);
}

/**
 * Keeps code-server's own service worker (its installable-app worker, scope `/`) from registering in this page. It
 * controls every frame of code-server's origin, VS Code's webview host frame too, and the host then forces an
 * update check of the webview worker it has just installed, which takes seconds while the workbench starts. Desktop
 * VS Code serves webviews from their own origin with no other worker; without code-server's worker the host frame
 * here takes the same path, so the editor's first webview costs what it costs there. A string, not a function, so
 * that tsx adds no helper the page lacks.
 */
export async function blockCodeServerWorker(page: Page): Promise<void> {
  await page.addInitScript(`(() => {
    const container = navigator.serviceWorker;
    if (!container || window !== window.top) return;
    const register = container.register.bind(container);
    container.register = (url, options) =>
      String(url).includes('out/browser/serviceWorker.js') ? Promise.reject(new Error('left out by the benchmark')) : register(url, options);
  })()`);
}
