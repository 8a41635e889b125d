/**
 * What a person reads in the workbench while a run is profiled, read from the real page for the suite: the status
 * bar item (and a click on it), a webview's text such as the flame graph's header, the widths of the flame graph's
 * frames, and the flame chart's canvas (its pixels, and the tooltip the mouse brings up over a frame).
 */
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { labelNames, type BridgeRequest, type BridgeResults } from './handshake';
import { pollUntil } from '../support/poll';
import { frames, visibleWebviews } from './webviewPage';

type Request<A extends BridgeRequest['action']> = Extract<BridgeRequest, { action: A }>;

/** The status bar item whose accessible name (its own, or its label's) matches `label`, with its text. */
async function findStatusBarItem(page: Page, label: RegExp): Promise<{ item: Locator; text: string; ariaLabel: string } | undefined> {
  const items = page.locator('.part.statusbar .statusbar-item');
  const found = await items
    .evaluateAll(
      (elements, source) => {
        const pattern = new RegExp(source);
        for (let i = 0; i < elements.length; i++) {
          const element = elements[i]!;
          if (element.getClientRects().length === 0) continue;
          const named = [element, ...element.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label') ?? '');
          const ariaLabel = named.find(name => pattern.test(name));
          if (ariaLabel !== undefined) return { index: i, ariaLabel, text: (element.textContent ?? '').trim() };
        }
        return undefined;
      },
      label.source,
    )
    .catch(() => undefined);
  return found ? { item: items.nth(found.index), text: found.text, ariaLabel: found.ariaLabel } : undefined;
}

async function statusBarItem(page: Page, request: Request<'statusBarItem'>): Promise<BridgeResults['statusBarItem']> {
  const label = new RegExp(request.label);
  const found = await pollUntil(() => findStatusBarItem(page, label), { timeoutMs: request.timeoutMs, what: `a status bar item named /${request.label}/` });
  if (request.click) await found.item.click();
  return { text: found.text, ariaLabel: found.ariaLabel };
}

async function webviewText(page: Page, request: Request<'webviewText'>): Promise<BridgeResults['webviewText']> {
  const expected = new RegExp(request.expect);
  let seen: string[] = [];
  return pollUntil(
    async () => {
      seen = [];
      for (const webview of await visibleWebviews(page)) {
        const element = webview.locator(request.selector).first();
        if (!(await element.isVisible().catch(() => false))) continue;
        const text = ((await element.textContent().catch(() => null)) ?? '').trim();
        seen.push(text);
        if (expected.test(text)) return { text };
      }
      return undefined;
    },
    { timeoutMs: request.timeoutMs, what: `${request.selector} in a shown webview to read /${request.expect}/`, details: () => `it reads ${JSON.stringify(seen)}` },
  );
}

async function frameWidths(page: Page, request: Request<'frameWidths'>): Promise<BridgeResults['frameWidths']> {
  let drawn: { label: string; width: number }[] = [];
  await pollUntil(
    async () => {
      drawn = (await frames(page)).filter(f => request.names.some(name => labelNames(f.label, name))).map(f => ({ label: f.label, width: f.width }));
      return request.names.every(name => drawn.some(f => labelNames(f.label, name) && f.width > 0));
    },
    { timeoutMs: request.timeoutMs, what: `flame-graph frames for ${request.names.join(', ')}`, details: () => `drawn: ${JSON.stringify(drawn)}` },
  );
  return { frames: drawn };
}

/** What a sweep of the pointer over the chart found: its caption, its coloured pixels, and where each name is shown. */
interface ChartSurvey {
  caption: string;
  colouredPixels: number;
  canvasPixels: number;
  /** Each frame name shown, with a point (CSS pixels from the canvas's top left) where the tooltip names it. */
  names: Record<string, { x: number; y: number; run: number }>;
}

/**
 * Counts the canvas's coloured pixels (frames are filled with the palette's colours; labels and the background are
 * grey or transparent) and moves a synthetic pointer over a grid of points, reading the tooltip's name at each.
 * Runs in the webview in one round trip; it declares no named functions (tsx would wrap them in a helper the page
 * does not have).
 */
async function surveyChart(canvas: Locator): Promise<ChartSurvey | undefined> {
  return canvas
    .evaluate(element => {
      // The suite compiles without the DOM library: the few members used here.
      const c = element as unknown as {
        width: number;
        height: number;
        clientWidth: number;
        clientHeight: number;
        ownerDocument: { querySelector(s: string): { textContent: string | null; hidden?: boolean } | null };
        getBoundingClientRect(): { left: number; top: number };
        getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
        dispatchEvent(event: unknown): boolean;
      };
      const context = c.getContext('2d');
      if (!context || c.width === 0 || c.height === 0) return undefined;
      const data = context.getImageData(0, 0, c.width, c.height).data;
      let coloured = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
        if (a > 200 && Math.max(r, g, b) - Math.min(r, g, b) > 40) coloured++;
      }
      const box = c.getBoundingClientRect();
      // Per name, the middle of the longest stretch of a row where the tooltip names it: a point that stays on the
      // frame while the chart redraws a little differently (a live run grows between here and the real mouse).
      const names: Record<string, { x: number; y: number; run: number }> = {};
      const MouseEventClass = (globalThis as unknown as { MouseEvent: new (type: string, init: object) => unknown }).MouseEvent;
      const height = Math.min(c.clientHeight, 1500);
      const steps = 120;
      for (let y = 3; y < height; y += 9) {
        let runName = '';
        let runStart = 0;
        for (let step = 1; step <= steps; step++) {
          let name = '';
          if (step < steps) {
            c.dispatchEvent(new MouseEventClass('mousemove', { clientX: box.left + (c.clientWidth * step) / steps, clientY: box.top + y, bubbles: true }));
            const tip = c.ownerDocument.querySelector('.icicle-flamechart-tooltip');
            const shown = c.ownerDocument.querySelector('.icicle-flamechart-tooltip .icicle-tooltip-name');
            name = tip && !tip.hidden ? (shown?.textContent ?? '') : '';
          }
          if (name === runName) continue;
          const run = step - runStart;
          if (runName !== '' && run > (names[runName]?.run ?? 0)) names[runName] = { x: (c.clientWidth * (runStart + (run - 1) / 2)) / steps, y, run };
          runName = name;
          runStart = step;
        }
      }
      c.dispatchEvent(new MouseEventClass('mouseleave', { bubbles: false }));
      const caption = c.ownerDocument.querySelector('.icicle-flamechart-caption')?.textContent ?? '';
      return { caption, colouredPixels: coloured, canvasPixels: c.width * c.height, names };
    })
    .catch(() => undefined);
}

async function flameChart(page: Page, request: Request<'flameChart'>): Promise<BridgeResults['flameChart']> {
  let survey: ChartSurvey | undefined;
  let shown: { webview: FrameLocator; canvas: Locator } | undefined;
  await pollUntil(
    async () => {
      for (const webview of await visibleWebviews(page)) {
        const canvas = webview.locator('.icicle-flamechart-canvas').first();
        if (!(await canvas.isVisible().catch(() => false))) continue;
        survey = await surveyChart(canvas);
        shown = { webview, canvas };
        return survey !== undefined && survey.colouredPixels > 0 && request.names.every(name => Object.keys(survey!.names).some(n => labelNames(n, name)));
      }
      return false;
    },
    {
      timeoutMs: request.timeoutMs,
      what: `the flame chart to draw frames of ${request.names.join(', ')}`,
      details: () => (survey ? `${survey.colouredPixels} coloured pixels; names shown: ${JSON.stringify(Object.keys(survey.names).slice(0, 40))}; caption: ${survey.caption}` : 'no chart drawn'),
    },
  );
  // The real mouse over the first name's frame: the tooltip a person sees. A live run's chart redraws as samples
  // land, so the point is looked for again until the tooltip there names the frame.
  const { caption, colouredPixels, canvasPixels } = survey!;
  let tooltip = '';
  await pollUntil(
    async () => {
      const { webview, canvas } = shown!;
      const point = Object.entries(survey?.names ?? {}).find(([name]) => labelNames(name, request.names[0]!))?.[1];
      if (point) {
        await canvas.hover({ position: { x: point.x, y: point.y } });
        const tip = webview.locator('.icicle-flamechart-tooltip');
        tooltip = (await tip.isVisible().catch(() => false)) ? ((await tip.textContent().catch(() => '')) ?? '') : '';
        if (tooltip.includes(request.names[0]!)) return true;
      }
      survey = (await surveyChart(shown!.canvas)) ?? survey;
      return false;
    },
    { timeoutMs: Math.max(20_000, request.timeoutMs / 2), what: `the flame chart's tooltip to name ${request.names[0]}`, details: () => `the tooltip reads ${JSON.stringify(tooltip)}` },
  );
  return { caption, colouredPixels, canvasPixels, names: Object.keys(survey!.names), tooltip };
}

/**
 * The By Label tab's rows as the user reads them, once it groups by the key asked for and lists every value asked
 * for (a tab just shown, or a key just picked, shows the previous answer until the store answers).
 */
async function byLabelRows(page: Page, request: Request<'byLabelRows'>): Promise<BridgeResults['byLabelRows']> {
  let seen: BridgeResults['byLabelRows'] | undefined;
  return pollUntil(
    async () => {
      for (const webview of await visibleWebviews(page)) {
        const view = webview.locator('.icicle-by-label-view').first();
        if (!(await view.isVisible().catch(() => false))) continue;
        seen = await view
          // No named functions inside: tsx would wrap them in a helper the page does not have.
          .evaluate(element => {
            return {
              key: (element.querySelector('select.icicle-by-label-key') as unknown as { value: string } | null)?.value ?? '',
              note: (element.querySelector('.icicle-by-label-note')?.textContent ?? '').trim(),
              // By the cells' classes, not their places: a grouping by a span label adds the wall time columns.
              rows: [...element.querySelectorAll('tr.icicle-by-label-row')].map(row => {
                const [value, total, share, wall, waiting] = ['td.icicle-function', 'td.icicle-number', 'td.icicle-by-label-share', 'td.icicle-by-label-wall', 'td.icicle-by-label-waiting'].map(
                  selector => (row.querySelector(selector)?.textContent ?? '').trim(),
                );
                return { value: value!, total: total!, share: share!, wall: wall!, waiting: waiting! };
              }),
            };
          })
          .catch(() => undefined);
        if (seen && seen.key === request.key && !seen.note.startsWith('Querying') && request.include.every(value => seen!.rows.some(row => row.value === value))) return seen;
      }
      return undefined;
    },
    { timeoutMs: request.timeoutMs, what: `the By Label tab to list ${request.include.join(', ')} by ${request.key}`, details: () => `it shows ${JSON.stringify(seen)}` },
  );
}

export const workbenchReads = { statusBarItem, webviewText, frameWidths, flameChart, byLabelRows };
