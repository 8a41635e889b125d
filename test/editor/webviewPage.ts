/**
 * Finding things in the webviews the workbench shows: their content frames, and the flame graph's drawn frames.
 * Shared by the driver's request handlers (workbench.ts, workbenchReads.ts).
 */
import type { FrameLocator, Locator, Page } from 'playwright-core';

/** The content frames of the webviews currently shown (hidden editors keep their iframes, but not visible). */
export async function visibleWebviews(page: Page): Promise<FrameLocator[]> {
  const iframes = page.locator('iframe.webview');
  const shown: FrameLocator[] = [];
  for (let i = 0, n = await iframes.count(); i < n; i++) {
    const iframe = iframes.nth(i);
    if (await iframe.isVisible()) shown.push(iframe.contentFrame().locator('#active-frame').contentFrame());
  }
  return shown;
}

/** Flame-graph frames (`g.frame`) in the shown webviews, with their label text. */
export async function frames(page: Page): Promise<{ frame: Locator; label: string; width: number }[]> {
  const found: { frame: Locator; label: string; width: number }[] = [];
  for (const webview of await visibleWebviews(page)) {
    const all = webview.locator('g.frame');
    // One round trip per webview: the label text and drawn width of every frame, in document order.
    const described = await all
      .evaluateAll(elements =>
        elements.map(element => ({
          label: element.querySelector('div.d3-flame-graph-label')?.textContent?.trim() ?? '',
          width: element.getBoundingClientRect().width,
        })),
      )
      .catch(() => [] as { label: string; width: number }[]);
    described.forEach((d, i) => found.push({ frame: all.nth(i), ...d }));
  }
  return found;
}
