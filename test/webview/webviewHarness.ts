// Runs the built webview bundle (out/webview) in headless Chromium the way VS Code hosts it: the same page
// from renderWebviewPage under its CSP, a stand-in for acquireVsCodeApi, the theme as CSS variables on <html>
// and a theme class on <body>, and messages delivered with window.postMessage.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createNonce, renderWebviewPage } from '../../common/webviewPage';
import { pollUntil } from '../support/poll';

const root = new URL('../..', import.meta.url).pathname;
const bundleDirectory = join(root, 'out/webview');

/** The origin the page is served from; it plays the part of VS Code's webview.cspSource. */
export const ORIGIN = 'https://icicle.test';

import { launchChromium } from '../support/chromium';

export { launchChromium };

/** A few of the variables VS Code's Dark Modern theme sets on <html>, enough for everything the page reads. */
export const DARK_THEME: Record<string, string> = {
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-foreground': '#cccccc',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': 'monospace',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-purple': '#b180d7',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-lines': '#cccccc80',
  '--vscode-disabledForeground': '#cccccc80',
  '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-secondaryBackground': '#313131',
  '--vscode-button-secondaryForeground': '#cccccc',
  '--vscode-focusBorder': '#0078d4',
  '--vscode-editorHoverWidget-background': '#202020',
  '--vscode-editorHoverWidget-foreground': '#cccccc',
  '--vscode-editorHoverWidget-border': '#454545',
};

/** The same for VS Code's Light Modern theme. */
export const LIGHT_THEME: Record<string, string> = {
  ...DARK_THEME,
  '--vscode-editor-background': '#ffffff',
  '--vscode-foreground': '#3b3b3b',
  '--vscode-descriptionForeground': '#3b3b3b',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-yellow': '#bf8803',
  '--vscode-charts-blue': '#1a85ff',
  '--vscode-charts-purple': '#652d90',
  '--vscode-charts-green': '#388a34',
  '--vscode-charts-red': '#e51400',
  '--vscode-charts-lines': '#00000080',
  '--vscode-disabledForeground': '#61616180',
  '--vscode-button-secondaryBackground': '#e5e5e5',
  '--vscode-button-secondaryForeground': '#3b3b3b',
  '--vscode-editorHoverWidget-background': '#f8f8f8',
  '--vscode-editorHoverWidget-foreground': '#3b3b3b',
  '--vscode-editorHoverWidget-border': '#c8c8c8',
};

/** The same for VS Code's Dark High Contrast theme. */
export const HIGH_CONTRAST_THEME: Record<string, string> = {
  ...DARK_THEME,
  '--vscode-editor-background': '#000000',
  '--vscode-foreground': '#ffffff',
  '--vscode-contrastBorder': '#6fc3df',
  '--vscode-disabledForeground': '#a5a5a5',
  '--vscode-charts-lines': '#ffffff80',
  '--vscode-editorHoverWidget-background': '#0c141f',
  '--vscode-editorHoverWidget-foreground': '#ffffff',
  '--vscode-editorHoverWidget-border': '#6fc3df',
};

export interface HarnessOptions {
  /** The class VS Code puts on <body>: vscode-light, vscode-dark, vscode-high-contrast. */
  bodyClass?: string;
  cssVariables?: Record<string, string>;
  viewport?: { width: number; height: number };
  /** Which page: the flame graph (main, the default) or the compare panel. */
  bundle?: 'main' | 'compare';
}

export interface PostedMessage {
  type: string;
  [field: string]: unknown;
}

/** What the init script adds to the page's window; read through page.evaluate. */
interface HarnessWindow {
  __posted: PostedMessage[];
  __cspViolations: string[];
  __state: unknown;
  postMessage(message: unknown, targetOrigin: string): void;
}

/**
 * Installed before any page script runs. Plain JavaScript in a string, because it runs in the browser
 * untranspiled. State goes to sessionStorage too, so that it survives a reload as VS Code's does.
 */
function initScript(bodyClass: string, cssVariables: Record<string, string>): string {
  return `(() => {
  const posted = [];
  const violations = [];
  let state;
  try {
    const saved = sessionStorage.getItem('icicle-test-state');
    state = saved === null ? undefined : JSON.parse(saved);
  } catch {}
  let acquired = false;
  Object.defineProperty(window, '__posted', { value: posted });
  Object.defineProperty(window, '__cspViolations', { value: violations });
  Object.defineProperty(window, '__state', { get: () => state });
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({
      postMessage: message => { posted.push(structuredClone(message)); },
      getState: () => state,
      setState: value => {
        state = structuredClone(value);
        sessionStorage.setItem('icicle-test-state', JSON.stringify(value));
        return value;
      },
    });
  };
  document.addEventListener('securitypolicyviolation', event => {
    violations.push(event.violatedDirective + ' refused ' + (event.blockedURI || 'inline code') +
      ' at ' + event.sourceFile + ':' + event.lineNumber);
  });
  const variables = ${JSON.stringify(cssVariables)};
  const bodyClass = ${JSON.stringify(bodyClass)};
  const theme = () => {
    const html = document.documentElement;
    if (html && !html.style.getPropertyValue('--vscode-font-size')) {
      for (const [name, value] of Object.entries(variables)) html.style.setProperty(name, value);
    }
    if (document.body && bodyClass && !document.body.classList.contains(bodyClass)) {
      document.body.classList.add(bodyClass);
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(theme);
  observer.observe(document, { childList: true, subtree: true });
  theme();
})();`;
}

/** One webview page in its own browser context. */
export class WebviewHarness {
  /** Console errors, page errors, unexpected requests and CSP violations seen so far; tests expect none. */
  readonly problems: string[] = [];

  private constructor(readonly page: Page) {}

  static async open(browser: Browser, options: HarnessOptions = {}): Promise<WebviewHarness> {
    // A fixed locale, so that numbers read the same (17,138) on every machine.
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1280, height: 800 },
      locale: 'en-US',
    });
    const page = await context.newPage();
    const harness = new WebviewHarness(page);
    page.on('console', message => {
      if (message.type() === 'error') harness.problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', error => harness.problems.push(`page error: ${error.message}`));
    await context.addInitScript({
      content: initScript(options.bodyClass ?? 'vscode-dark', options.cssVariables ?? DARK_THEME),
    });
    // Nothing leaves the machine: the page's own origin is served from disk, everything else is refused
    // and reported, because the page must not try to load anything else.
    await context.route('**/*', async route => {
      const url = new URL(route.request().url());
      if (url.origin !== ORIGIN) {
        harness.problems.push(`unexpected request: ${url.href}`);
        await route.abort();
        return;
      }
      await harness.serve(url.pathname, route, options.bundle ?? 'main');
    });
    await page.goto(`${ORIGIN}/index.html`);
    return harness;
  }

  private async serve(
    pathname: string,
    route: { fulfill(response: { status: number; contentType?: string; body?: string | Buffer }): Promise<void> },
    bundle: 'main' | 'compare',
  ): Promise<void> {
    if (pathname === '/index.html') {
      const body = renderWebviewPage({
        nonce: createNonce(),
        cspSource: ORIGIN,
        scriptUri: `${ORIGIN}/out/webview/${bundle}.js`,
        styleUri: `${ORIGIN}/out/webview/${bundle}.css`,
        title: 'Icicle test page',
      });
      await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body });
      return;
    }
    const types: Record<string, string> = {
      '/out/webview/main.js': 'text/javascript; charset=utf-8',
      '/out/webview/main.css': 'text/css; charset=utf-8',
      '/out/webview/main.js.map': 'application/json',
      '/out/webview/main.css.map': 'application/json',
      '/out/webview/compare.js': 'text/javascript; charset=utf-8',
      '/out/webview/compare.css': 'text/css; charset=utf-8',
      '/out/webview/compare.js.map': 'application/json',
      '/out/webview/compare.css.map': 'application/json',
    };
    const contentType = types[pathname];
    if (contentType) {
      await route.fulfill({ status: 200, contentType, body: await readFile(join(bundleDirectory, pathname.slice('/out/webview/'.length))) });
      return;
    }
    // Browsers ask for a favicon on their own; anything else is the page's doing and worth reporting.
    if (pathname !== '/favicon.ico') this.problems.push(`request for a missing file: ${pathname}`);
    await route.fulfill({ status: 404, body: '' });
  }

  /** Delivers a message the way VS Code does: a `message` event on the page's window. */
  async postToWebview(message: unknown): Promise<void> {
    await this.page.evaluate(data => (globalThis as unknown as HarnessWindow).postMessage(data, '*'), message);
  }

  /** Everything the page has posted to the "extension" since it loaded. */
  async posted(): Promise<PostedMessage[]> {
    return this.page.evaluate(() => (globalThis as unknown as HarnessWindow).__posted);
  }

  async waitForPosted(predicate: (message: PostedMessage) => boolean, description: string): Promise<PostedMessage> {
    return waitFor(async () => (await this.posted()).find(predicate), `the page to post ${description}`);
  }

  /** The state the page last saved with setState. */
  async savedState(): Promise<unknown> {
    return this.page.evaluate(() => (globalThis as unknown as HarnessWindow).__state);
  }

  /** Reloads the page (VS Code does when a hidden webview is shown again); saved state survives. */
  async reload(): Promise<void> {
    await this.page.reload();
    await this.waitForPosted(message => message.type === 'ready', 'ready');
  }

  /** Reloads the page with `state` as what it had saved, as VS Code hands back state another version saved. */
  async reloadWithSavedState(state: unknown): Promise<void> {
    await this.page.evaluate(saved => {
      // Runs in the page, where the init script reads its saved state from sessionStorage.
      const page = globalThis as unknown as { sessionStorage: { setItem(key: string, value: string): void } };
      page.sessionStorage.setItem('icicle-test-state', JSON.stringify(saved));
    }, state);
    await this.reload();
  }

  /** Fails with every problem seen: console errors, uncaught exceptions, CSP violations, stray requests. */
  async expectNoProblems(): Promise<void> {
    const violations = this.page.isClosed()
      ? []
      : await this.page.evaluate(() => (globalThis as unknown as HarnessWindow).__cspViolations);
    const all = [...this.problems, ...violations.map(v => `CSP violation: ${v}`)];
    if (all.length > 0) throw new Error(`the page reported problems:\n  ${all.join('\n  ')}`);
  }

  async cspViolations(): Promise<string[]> {
    return this.page.evaluate(() => (globalThis as unknown as HarnessWindow).__cspViolations);
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}

/**
 * Polls until `probe` yields a value (anything but undefined, null or false), instead of sleeping for a
 * guessed time; fails with the description when it does not come within the timeout.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false>,
  description: string,
  timeoutMillis = 10_000,
): Promise<T> {
  let lastError: unknown;
  // A probe that throws (e.g. an element not there yet) counts as "not yet"; its last error is reported.
  const value = await pollUntil(
    async () => {
      try {
        return await probe();
      } catch (error) {
        lastError = error;
        return undefined;
      }
    },
    {
      timeoutMs: timeoutMillis,
      what: description,
      intervalMs: 25,
      details: () => (lastError instanceof Error ? `last error: ${lastError.message}` : ''),
    },
  );
  return value as T;
}

/** What a browser suite's tests use: the suite's Chromium and the current test's page. */
export interface WebviewSuite {
  readonly browser: Browser;
  readonly harness: WebviewHarness;
  /** Replaces the current test's page with one opened with other options (a theme, a viewport). */
  reopen(options: HarnessOptions): Promise<WebviewHarness>;
}

/**
 * Registers the hooks every browser suite needs, so that a suite says only what is its own: one Chromium for the
 * suite, a fresh page per test opened with `options`, and after each test the page's problems checked (unless
 * `checkProblems` is false, for suites that provoke them or check them themselves) and the page closed. Register
 * it first: the suite's own hooks then run with the page open.
 */
export function webviewSuite(options: HarnessOptions = {}, { checkProblems = true } = {}): WebviewSuite {
  let browser: Browser | undefined;
  let harness: WebviewHarness | undefined;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    harness = await WebviewHarness.open(browser!, options);
  });
  afterEach(async () => {
    try {
      if (checkProblems) await harness?.expectNoProblems();
    } finally {
      await harness?.close();
      harness = undefined;
    }
  });
  return {
    get browser() {
      if (browser === undefined) throw new Error('the suite\'s browser is used outside a test');
      return browser;
    },
    get harness() {
      if (harness === undefined) throw new Error('the test\'s page is used outside a test');
      return harness;
    },
    async reopen(next) {
      await harness?.close();
      harness = await WebviewHarness.open(browser!, next);
      return harness;
    },
  };
}
