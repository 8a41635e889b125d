// Locators for the flame graph's parts, named after what a user sees rather than after d3-flame-graph's markup.
import type { Locator, Page } from 'playwright-core';

/** A frame's group: d3-flame-graph writes the frame's name into a `name` attribute. */
export function frame(page: Page, name: string): Locator {
  return page.locator(`.icicle-chart svg g[name=${JSON.stringify(name)}]`);
}

/** The frame's rectangle: the part that takes the pointer (the label above it lets events through). */
export function frameRect(page: Page, name: string): Locator {
  return frame(page, name).locator('rect');
}

/** The frame's visible label, matched by its whole text. */
export function frameLabel(page: Page, name: string): Locator {
  return page.locator('.icicle-chart .d3-flame-graph-label').getByText(name, { exact: true });
}

export function tooltip(page: Page): Locator {
  return page.locator('.icicle-tooltip');
}

export function errorBanner(page: Page): Locator {
  return page.getByRole('alert');
}
