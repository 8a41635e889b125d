/**
 * What a person does in the workbench itself, done in the real page for the suite: quick open, the Command Palette,
 * quick picks and input boxes from the keyboard; hovering a word, reading the code lens above a line and the line
 * heat in the gutter of a text editor; clicking a tab or a workbench button; pressing a key in an editor. The demo walk
 * (suite/demoWalk.test.ts) follows the demo's README with these, so that each step is tested as it is written.
 *
 * Text editors are found by what they show: the one whose rendered lines include a given line of text. Monaco renders
 * spaces in its lines as no-break spaces, which are read back as plain spaces here.
 */
import type { Locator, Page } from 'playwright-core';
import type { BridgeRequest, BridgeResults } from './handshake';
import { pollUntil } from '../support/poll';

type Request<A extends BridgeRequest['action']> = Extract<BridgeRequest, { action: A }>;

const quickInput = '.quick-input-widget';
/** The row the quick input would choose on Enter. */
const focusedRow = `${quickInput} .quick-input-list .monaco-list-row.focused`;

/**
 * The quick input's visible rows, in order, as a screen reader reads them (their ARIA labels: the text also holds
 * hidden parts, such as the palette's "similar commands" heading).
 */
async function quickInputRows(page: Page): Promise<string[]> {
  return page
    .locator(`${quickInput} .quick-input-list .monaco-list-row`)
    .evaluateAll(rows => rows.filter(r => r.getClientRects().length > 0).map(r => (r.getAttribute('aria-label') ?? r.textContent ?? '').trim()))
    .catch(() => [] as string[]);
}

/**
 * Types `text` into the open quick input and presses Enter once the row Enter would choose shows `expect`: the list
 * answers asynchronously (quick open first lists recently opened files, the palette filters as it goes), and Enter
 * before then would choose whatever was on top.
 */
async function typeAndChoose(page: Page, text: string, expect: string, timeoutMs: number): Promise<string> {
  await page.keyboard.type(text);
  let rows: string[] = [];
  const row = await pollUntil(
    async () => {
      const focused = page.locator(focusedRow).first();
      const label = (await focused.getAttribute('aria-label').catch(() => null)) ?? '';
      rows = await quickInputRows(page);
      if (label.includes(expect)) return label.trim();
      // Another row is chosen (a recently used command that also matches what was typed) while one names exactly
      // what is wanted: a person moves down to it.
      if (rows.some(r => r.split(', ')[0] === expect)) await page.keyboard.press('ArrowDown');
      return undefined;
    },
    { timeoutMs, what: `the quick input's chosen row to show "${expect}"`, details: () => `rows: ${JSON.stringify(rows)}` },
  );
  await page.keyboard.press('Enter');
  return row;
}

/** Waits for the quick input to be shown, with a title containing `title` when given. */
async function waitForQuickInput(page: Page, timeoutMs: number, title?: string): Promise<void> {
  let shown = '';
  await pollUntil(
    async () => {
      if (!(await page.locator(quickInput).first().isVisible().catch(() => false))) return false;
      if (title === undefined) return true;
      shown = (await page.locator(`${quickInput} .quick-input-title`).first().textContent().catch(() => null)) ?? '';
      return shown.includes(title);
    },
    { timeoutMs, what: title === undefined ? 'the quick input' : `the quick input titled "…${title}…"`, details: () => `its title: ${JSON.stringify(shown)}` },
  );
}

/** Where a text editor shows a line: the editor's root and the line's bounding box in the page. */
interface LineInEditor {
  editor: Locator;
  box: { x: number; y: number; width: number; height: number };
}

/**
 * The visible text editor showing a line that contains `line`, and that line's box; undefined while none does (not
 * open yet, or scrolled away). Evaluated in the page in one round trip.
 */
async function findLine(page: Page, line: string): Promise<LineInEditor | undefined> {
  const editors = page.locator('.monaco-editor');
  const found = await editors
    .evaluateAll((elements, wanted) => {
      for (let i = 0; i < elements.length; i++) {
        const editor = elements[i]!;
        if (editor.getClientRects().length === 0) continue;
        for (const viewLine of editor.querySelectorAll('.view-line')) {
          if (!(viewLine.textContent ?? '').replace(/\u00a0/g, ' ').includes(wanted)) continue;
          const r = viewLine.getBoundingClientRect();
          if (r.width === 0 || r.height === 0) continue;
          return { index: i, box: { x: r.x, y: r.y, width: r.width, height: r.height } };
        }
      }
      return undefined;
    }, line)
    .catch(() => undefined);
  return found ? { editor: editors.nth(found.index), box: found.box } : undefined;
}

async function waitForLine(page: Page, line: string, timeoutMs: number): Promise<LineInEditor> {
  return pollUntil(() => findLine(page, line), { timeoutMs, what: `a visible text editor showing the line "${line}"` });
}

/** The box of the whole word `word` in the first rendered line containing `line` (a DOM range over its characters). */
async function wordBox(page: Page, line: string, word: string): Promise<{ x: number; y: number; width: number; height: number } | undefined> {
  return page
    .locator('.monaco-editor .view-line')
    .evaluateAll(
      (lines, { line, word }) => {
        const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const whole = new RegExp(`(^|[^\\w$])(${escaped})(?![\\w$])`);
        for (const viewLine of lines) {
          if (viewLine.getClientRects().length === 0) continue;
          const text = (viewLine.textContent ?? '').replace(/\u00a0/g, ' ');
          if (!text.includes(line)) continue;
          const match = whole.exec(text);
          if (!match) continue;
          let start = match.index + match[1]!.length;
          let end = start + word.length;
          // Map the character offsets onto the line's text nodes (tokens are separate spans).
          const range = viewLine.ownerDocument.createRange();
          // 4 is NodeFilter.SHOW_TEXT: the line's text nodes only.
          const walker = viewLine.ownerDocument.createTreeWalker(viewLine, 4);
          let startSet = false;
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const length = node.textContent?.length ?? 0;
            if (!startSet && start <= length) {
              range.setStart(node, start);
              startSet = true;
            }
            if (startSet && end <= length) {
              range.setEnd(node, end);
              const r = range.getBoundingClientRect();
              return { x: r.x, y: r.y, width: r.width, height: r.height };
            }
            start -= length;
            end -= length;
          }
        }
        return undefined;
      },
      { line, word },
    )
    .catch(() => undefined);
}

/** The 1-based line numbers the editor shows at each of the page heights `ys` (undefined where it shows none). */
async function lineNumbersAt(editor: Locator, ys: number[]): Promise<(number | undefined)[]> {
  return editor.evaluate((element, ys) => {
    const numbers = [...element.querySelectorAll('.line-numbers')].map(n => ({ rect: n.getBoundingClientRect(), value: Number((n.textContent ?? '').trim()) }));
    return ys.map(y => numbers.find(n => n.rect.top <= y && y < n.rect.bottom && Number.isInteger(n.value))?.value);
  }, ys);
}

export const workbenchActions = {
  async quickOpen(page: Page, request: Request<'quickOpen'>): Promise<BridgeResults['quickOpen']> {
    await page.keyboard.press('Control+P');
    await waitForQuickInput(page, request.timeoutMs);
    return { row: await typeAndChoose(page, request.text, request.text, request.timeoutMs) };
  },

  async runCommand(page: Page, request: Request<'runCommand'>): Promise<BridgeResults['runCommand']> {
    await page.keyboard.press('F1');
    await waitForQuickInput(page, request.timeoutMs);
    // The palette opens with ">" typed; the title follows it, as a person types it.
    return { row: await typeAndChoose(page, request.title, request.title, request.timeoutMs) };
  },

  async quickPick(page: Page, request: Request<'quickPick'>): Promise<BridgeResults['quickPick']> {
    await waitForQuickInput(page, request.timeoutMs, request.title);
    const offered = await pollUntil(async () => {
      const rows = await quickInputRows(page);
      return rows.length > 0 ? rows : undefined;
    }, { timeoutMs: request.timeoutMs, what: `the choices of "${request.title}"` });
    const chosen = await typeAndChoose(page, request.choose, request.choose, request.timeoutMs);
    return { offered, chosen };
  },

  async inputBox(page: Page, request: Request<'inputBox'>): Promise<BridgeResults['inputBox']> {
    await waitForQuickInput(page, request.timeoutMs, request.title);
    // The box may hold a proposed value (selected); Ctrl+A then typing replaces it, as a person would.
    await page.keyboard.press('Control+A');
    await page.keyboard.type(request.text);
    await page.keyboard.press('Enter');
    return { typed: request.text };
  },

  async hoverWord(page: Page, request: Request<'hoverWord'>): Promise<BridgeResults['hoverWord']> {
    const expected = new RegExp(request.expect);
    let last = '';
    return pollUntil(
      async () => {
        const box = await wordBox(page, request.line, request.word);
        if (!box) return undefined;
        // Away from the word first, so that each attempt opens the hover afresh (an early one may have shown only
        // what the first language server to answer knew), then onto the word's middle in a few steps, as a hand moves.
        await page.mouse.move(box.x + box.width / 2, box.y + box.height * 6);
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
        const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content').first();
        // The editor shows its hover after a delay (300 ms by default) and fills it as its providers answer.
        return pollUntil(
          async () => {
            if (!(await hover.isVisible().catch(() => false))) return undefined;
            last = (await hover.innerText().catch(() => '')) ?? '';
            return expected.test(last) ? { text: last } : undefined;
          },
          { timeoutMs: 4000, what: 'the hover' },
        ).catch(() => undefined);
      },
      { timeoutMs: request.timeoutMs, what: `the hover on "${request.word}" to show /${request.expect}/`, details: () => `last shown: ${JSON.stringify(last)}` },
    );
  },

  async codeLens(page: Page, request: Request<'codeLens'>): Promise<BridgeResults['codeLens']> {
    const expected = new RegExp(request.expect);
    let texts: string[] = [];
    await pollUntil(
      async () => {
        const found = await findLine(page, request.line);
        if (!found) return false;
        // A lens is drawn in a zone right above its line: its bottom edge touches the line's top.
        texts = await found.editor.evaluate((editor, top) => {
          return [...editor.querySelectorAll('.codelens-decoration')]
            .filter(lens => Math.abs(lens.getBoundingClientRect().bottom - top) < 3)
            .map(lens => (lens.textContent ?? '').trim());
        }, found.box.y);
        return texts.some(text => expected.test(text));
      },
      { timeoutMs: request.timeoutMs, what: `a code lens matching /${request.expect}/ above "${request.line}"`, details: () => `lenses above it: ${JSON.stringify(texts)}` },
    );
    return { texts };
  },

  async lineHeat(page: Page, request: Request<'lineHeat'>): Promise<BridgeResults['lineHeat']> {
    let lines: number[] = [];
    let target: number | undefined;
    await pollUntil(
      async () => {
        const found = await findLine(page, request.line);
        if (!found) return false;
        // Line heat draws its gutter bars as SVG images in the glyph margin; anything else there is a font icon.
        const ys = await found.editor.evaluate(editor =>
          [...editor.querySelectorAll('.glyph-margin-widgets .cgmr, .margin-view-overlays .cgmr')]
            .filter(glyph => glyph.ownerDocument.defaultView!.getComputedStyle(glyph).backgroundImage.includes('data:image/svg'))
            .map(glyph => {
              const r = glyph.getBoundingClientRect();
              return r.top + r.height / 2;
            }),
        );
        const numbers = await lineNumbersAt(found.editor, [found.box.y + found.box.height / 2, ...ys]);
        target = numbers[0];
        lines = [...new Set(numbers.slice(1).filter((n): n is number => n !== undefined))].sort((a, b) => a - b);
        return target !== undefined && lines.includes(target);
      },
      { timeoutMs: request.timeoutMs, what: `a line-heat bar in the gutter of "${request.line}"`, details: () => `line ${target}; bars on lines ${JSON.stringify(lines)}` },
    );
    return { lines };
  },

  async debugToolbar(page: Page, request: Request<'debugToolbar'>): Promise<BridgeResults['debugToolbar']> {
    const expect = new RegExp(request.expect);
    let labels: string[] = [];
    await pollUntil(
      async () => {
        labels = await page
          .locator('.debug-toolbar .action-item .action-label')
          .evaluateAll(items => items.filter(i => i.getClientRects().length > 0).map(i => (i.getAttribute('aria-label') ?? i.getAttribute('title') ?? '').trim()))
          .catch(() => [] as string[]);
        return labels.some(label => expect.test(label)) || undefined;
      },
      { timeoutMs: request.timeoutMs, what: `a debug toolbar action matching /${request.expect}/`, details: () => `actions: ${JSON.stringify(labels)}` },
    );
    return { labels };
  },

  async clickTab(page: Page, request: Request<'clickTab'>): Promise<BridgeResults['clickTab']> {
    let seen: string[] = [];
    const tab = await pollUntil(
      async () => {
        const tabs = page.locator('.tabs-container .tab');
        seen = [];
        for (let i = 0, n = await tabs.count(); i < n; i++) {
          const candidate = tabs.nth(i);
          // The tab's ARIA label is its label followed by its state and group: "primes.js, preview, Editor Group 2".
          const label = ((await candidate.getAttribute('aria-label').catch(() => null)) ?? '').trim();
          seen.push(label);
          if (label.split(', ')[0] === request.label && (await candidate.isVisible().catch(() => false))) return candidate;
        }
        return undefined;
      },
      { timeoutMs: request.timeoutMs, what: `an editor tab labelled "${request.label}"`, details: () => `tabs: ${JSON.stringify(seen)}` },
    );
    await tab.click();
    return { clicked: request.label };
  },

  async clickWorkbenchButton(page: Page, request: Request<'clickWorkbenchButton'>): Promise<BridgeResults['clickWorkbenchButton']> {
    const button = await pollUntil(
      async () => {
        const found = page.getByRole('button', { name: request.name, exact: true });
        for (let i = 0, n = await found.count(); i < n; i++) if (await found.nth(i).isVisible().catch(() => false)) return found.nth(i);
        return undefined;
      },
      { timeoutMs: request.timeoutMs, what: `a visible workbench button named "${request.name}"` },
    );
    await button.click();
    return { clicked: request.name };
  },

  async treeItem(page: Page, request: Request<'treeItem'>): Promise<BridgeResults['treeItem']> {
    const label = new RegExp(request.label);
    let rows: string[] = [];
    const found = await pollUntil(
      async () => {
        const all = page.locator('.part.sidebar .monaco-list-row');
        // Their ARIA labels, as a screen reader reads them: a run's is its name, branch, time and length.
        rows = await all
          .evaluateAll(elements => elements.map(e => (e.getClientRects().length > 0 ? (e.getAttribute('aria-label') ?? '') : '')))
          .catch(() => [] as string[]);
        const index = rows.findIndex(row => label.test(row));
        return index >= 0 ? { row: all.nth(index), name: rows[index]! } : undefined;
      },
      { timeoutMs: request.timeoutMs, what: `a row of the side bar named /${request.label}/`, details: () => `rows: ${JSON.stringify(rows.filter(Boolean))}` },
    );
    await found.row.click();
    return { clicked: found.name, rows: rows.filter(Boolean) };
  },

  async pressKeyInEditor(page: Page, request: Request<'pressKeyInEditor'>): Promise<BridgeResults['pressKeyInEditor']> {
    const found = await waitForLine(page, request.line, request.timeoutMs);
    // A click at the line's end puts the cursor there and the keyboard focus in that editor, as a person does.
    await page.mouse.click(found.box.x + found.box.width - 2, found.box.y + found.box.height / 2);
    await page.keyboard.press(request.key);
    return { pressed: request.key };
  },
};
