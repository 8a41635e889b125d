/**
 * The browser half of the editor tier: headless Chromium showing the code-server workbench with the extension
 * under development and the test suite, plus the responder that answers the suite's requests in the real page.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { format } from 'node:util';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import {
  labelNames,
  responseFile,
  writeJsonAtomically,
  type BridgeRequest,
  type BridgeResponse,
  type BridgeResults,
} from './handshake';
import { pollUntil } from '../support/poll';
import { workbenchActions } from './workbenchActions';
import { notifications, pageConsole } from './workbenchMessages';
import { frames, visibleWebviews } from './webviewPage';
import { workbenchReads } from './workbenchReads';



export interface WorkbenchOptions {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** `127.0.0.1:PORT`. */
  authority: string;
  /** Absolute path of the folder to open. */
  workspace: string;
  /** Absolute path of the extension development folder (holding package.json). */
  extensionPath: string;
  /** Absolute path of the bundled suite module whose run() the extension host calls. */
  suitePath: string;
  /** Called with each line logged in the page (the extension host's console is relayed there). */
  onConsole: (text: string) => void;
}

export interface Workbench {
  page: Page;
  /** Resolves with the code the workbench passes to codeAutomationExit when the suite's run() settles. */
  exitCode: Promise<number>;
  close(): Promise<void>;
}

export async function openWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not at ${CHROMIUM_PATH}: run \`bash scripts/setup.sh\` (or set ICICLE_CHROMIUM).`);
  }
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    // Console arguments are formatted here, as a terminal would, because the workbench logs with printf-style
    // patterns ("%c INFO", css, "%s%s", …); a chain keeps the lines in order although formatting is asynchronous.
    let relay = Promise.resolve();
    page.on('console', message => {
      const values = Promise.all(message.args().map(arg => arg.jsonValue().catch(() => String(arg))));
      relay = relay.then(async () => options.onConsole(formatConsole(await values, message.text())));
    });
    page.on('pageerror', error => options.onConsole(`[page error] ${error.message}`));
    let settle: (code: number) => void = () => {};
    const exitCode = new Promise<number>(resolve => (settle = resolve));
    page.on('crash', () => {
      options.onConsole('[driver] the workbench page crashed');
      settle(-1);
    });
    // With enable-smoke-test-driver, the workbench reports the end of the extension tests through this function.
    await page.exposeFunction('codeAutomationExit', (code: unknown) => settle(typeof code === 'number' ? code : 1));
    const remote = (path: string) => `vscode-remote://${options.authority}${path}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(options.extensionPath)],
      ['extensionTestsPath', remote(options.suitePath)],
      ['skipWelcome', 'true'],
    ]);
    const url = `${options.origin}/?folder=${encodeURIComponent(options.workspace)}&payload=${encodeURIComponent(payload)}`;
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    return { page, exitCode, close: () => browser.close().catch(() => {}) };
  } catch (error) {
    await browser.close().catch(() => {});
    throw error;
  }
}

/** Formats console arguments, dropping the workbench's log-level prefix ("%c INFO", "color: …"). */
function formatConsole(values: unknown[], fallback: string): string {
  if (values.length === 0) return fallback;
  let rest = values;
  if (typeof rest[0] === 'string' && /^%c\s*(TRACE|DEBUG|INFO|WARN|ERR)\b/.test(rest[0]) && typeof rest[1] === 'string') {
    const level = rest[0].replace(/^%c\s*/, '').trim();
    rest = rest.slice(2);
    return (level === 'INFO' ? '' : `${level} `) + format(...rest);
  }
  return format(...rest);
}

/** What a request handler acts on. */
interface HandlerContext {
  page: Page;
  /** Where screenshots go (test-results/editor, git-ignored). */
  resultsDir: string;
  /** The lines the page logged so far (the workbench's own log included), oldest first. */
  consoleLines: () => readonly string[];
}

type Handler<A extends BridgeRequest['action']> = (
  context: HandlerContext,
  request: Extract<BridgeRequest, { action: A }>,
) => Promise<BridgeResults[A]>;

const handlers: { [A in BridgeRequest['action']]: Handler<A> } = {
  async frameLabels({ page }, request) {
    let labels: string[] = [];
    await pollUntil(
      async () => {
        labels = (await frames(page)).map(f => f.label).filter(Boolean);
        return request.include.every(name => labels.some(label => labelNames(label, name)));
      },
      { timeoutMs: request.timeoutMs, what: 'frame labels' },
    ).catch(() => {
      // The suite asserts on what was seen; returning the labels gives it a precise failure message.
    });
    return { labels: [...new Set(labels)] };
  },

  async clickFrame({ page }, request) {
    const target = await pollUntil(
      async () => {
        const candidates = (await frames(page)).filter(f => labelNames(f.label, request.label) && f.width > 4);
        return candidates.sort((a, b) => b.width - a.width)[0];
      },
      { timeoutMs: request.timeoutMs, what: `a visible flame-graph frame labelled "${request.label}…"` },
    );
    const box = await target.frame.boundingBox();
    if (!box) throw new Error(`the frame "${target.label}" has no bounding box (not rendered)`);
    // A real mouse click in the page at the frame's centre-left (labels sit at the left edge of wide frames).
    const x = box.x + Math.min(box.width / 2, 40);
    const y = box.y + box.height / 2;
    await page.mouse.click(x, y);
    return { label: target.label, x, y };
  },

  async clickRole({ page }, request) {
    const target = await visibleByRole(page, request.role, request.name, request.timeoutMs);
    await target.click();
    return { clicked: `${request.role} ${request.name}` };
  },

  async selectOption({ page }, request) {
    const offered = await pollUntil(
      async () => {
        const picker = await visibleByRole(page, 'combobox', request.name, request.timeoutMs);
        const options = await picker.locator('option').allTextContents().catch(() => [] as string[]);
        return options.includes(request.option) ? { picker, options } : undefined;
      },
      { timeoutMs: request.timeoutMs, what: `the option "${request.option}" in the combobox "${request.name}"` },
    );
    await offered.picker.selectOption({ label: request.option });
    return { offered: offered.options };
  },

  async typeInto({ page }, request) {
    const target = await visibleByRole(page, request.role, request.name, request.timeoutMs);
    await target.click();
    await target.fill(request.text);
    await target.press(request.press);
    return { typed: request.text };
  },

  async editorHover({ page }, request) {
    const expected = new RegExp(request.expect);
    return pollUntil(
      async () => {
        const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content').first();
        if (!(await hover.isVisible().catch(() => false))) return undefined;
        const text = (await hover.innerText().catch(() => '')) ?? '';
        if (!expected.test(text)) return undefined;
        const links = await hover.locator('a').evaluateAll(anchors => anchors.map(a => a.getAttribute('data-href') ?? a.getAttribute('href') ?? ''));
        const images = await hover.locator('img').count();
        const code = await hover.locator('code').allInnerTexts();
        return { text, links, images, code };
      },
      { timeoutMs: request.timeoutMs, what: `the editor's hover to show /${request.expect}/` },
    );
  },

  async screenshot({ page, resultsDir }, request) {
    const selector = request.selector;
    await pollUntil(
      async () => {
        if (request.pageSelector !== undefined) return page.locator(request.pageSelector).first().isVisible().catch(() => false);
        if (selector === undefined) return (await frames(page)).some(f => f.label && f.width > 50);
        for (const webview of await visibleWebviews(page)) if (await webview.locator(selector).first().isVisible().catch(() => false)) return true;
        return false;
      },
      { timeoutMs: request.timeoutMs, what: selector === undefined ? 'a drawn flame graph before the screenshot' : `${selector} before the screenshot` },
    );
    const path = join(resultsDir, `${request.name.replace(/[^\w.-]/g, '_')}.png`);
    mkdirSync(dirname(path), { recursive: true });
    await page.screenshot({ path, fullPage: false });
    return { path, bytes: statSync(path).size };
  },

  notifications: ({ page }, request) => notifications(page, request),
  pageConsole: ({ consoleLines }, request) => pageConsole(consoleLines, request),
  quickOpen: ({ page }, request) => workbenchActions.quickOpen(page, request),
  runCommand: ({ page }, request) => workbenchActions.runCommand(page, request),
  quickPick: ({ page }, request) => workbenchActions.quickPick(page, request),
  inputBox: ({ page }, request) => workbenchActions.inputBox(page, request),
  hoverWord: ({ page }, request) => workbenchActions.hoverWord(page, request),
  codeLens: ({ page }, request) => workbenchActions.codeLens(page, request),
  lineHeat: ({ page }, request) => workbenchActions.lineHeat(page, request),
  debugToolbar: ({ page }, request) => workbenchActions.debugToolbar(page, request),
  clickTab: ({ page }, request) => workbenchActions.clickTab(page, request),
  clickWorkbenchButton: ({ page }, request) => workbenchActions.clickWorkbenchButton(page, request),
  pressKeyInEditor: ({ page }, request) => workbenchActions.pressKeyInEditor(page, request),
  treeItem: ({ page }, request) => workbenchActions.treeItem(page, request),
  statusBarItem: ({ page }, request) => workbenchReads.statusBarItem(page, request),
  webviewText: ({ page }, request) => workbenchReads.webviewText(page, request),
  frameWidths: ({ page }, request) => workbenchReads.frameWidths(page, request),
  flameChart: ({ page }, request) => workbenchReads.flameChart(page, request),
  byLabelRows: ({ page }, request) => workbenchReads.byLabelRows(page, request),
};

/** The first visible element of that ARIA role and name in the shown webviews, polled for until `timeoutMs`. */
async function visibleByRole(page: Page, role: 'tab' | 'row' | 'button' | 'combobox' | 'searchbox', name: string, timeoutMs: number): Promise<Locator> {
  return pollUntil(
    async () => {
      for (const webview of await visibleWebviews(page)) {
        const found = webview.getByRole(role, { name }).first();
        if (await found.isVisible().catch(() => false)) return found;
      }
      return undefined;
    },
    { timeoutMs, what: `a visible ${role} named "${name}"` },
  );
}

/**
 * Answers the suite's requests until `stop` is called: polls the handshake folder for request files, handles
 * each once (in arrival order, one at a time, since they act on the one page) and writes the response.
 */
export function serveRequests(
  context: HandlerContext,
  dir: string,
  log: (text: string) => void,
): { stop(): Promise<void> } {
  let running = true;
  const handled = new Set<string>();
  const loop = (async () => {
    while (running) {
      const pending = readdirSync(dir)
        .filter(name => /^request-.+\.json$/.test(name) && !handled.has(name))
        .sort();
      for (const name of pending) {
        handled.add(name);
        const id = name.slice('request-'.length, -'.json'.length);
        let response: BridgeResponse;
        try {
          const request = JSON.parse(readFileSync(join(dir, name), 'utf8')) as BridgeRequest;
          log(`[driver] ${request.action} ${JSON.stringify(request)}`);
          const handler = handlers[request.action] as Handler<typeof request.action>;
          if (!handler) throw new Error(`unknown request action "${request.action}"`);
          response = { ok: true, result: await handler(context, request as never) };
        } catch (error) {
          // What the page showed when the action failed, for the reader of the failure (test-results/editor/).
          const shot = join(context.resultsDir, `failed-${id}.png`);
          const saved = await context.page.screenshot({ path: shot }).then(() => true, () => false);
          response = { ok: false, error: `${error instanceof Error ? error.message : String(error)}${saved ? `\n(the page then: ${shot})` : ''}` };
        }
        log(`[driver] ${id} -> ${JSON.stringify(response).slice(0, 300)}`);
        writeJsonAtomically(responseFile(dir, id), response);
        rmSync(join(dir, name), { force: true });
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}
