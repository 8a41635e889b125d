/**
 * The flame graph page's views, one tab each, declared once. The toolbar's tab buttons, the page's panels, which
 * tab shows the zoom path, and the validation of saved view state are all derived from this list; main.ts gives
 * each tab what it draws in a record keyed by these ids, so a tab declared here without one does not compile.
 * A new tab is an entry here, its drawing in main.ts, and its own view file.
 */
export interface TabDeclaration {
  /** The button's text, which is also the tab's accessible name. */
  readonly label: string;
  /** The class of the tab's panel: styles.css lays it out by this class, and the browser tests find it by it. */
  readonly panelClass: string;
  /** Whether the main graph's zoom path (the breadcrumbs) shows above the panel: only the main graph zooms. */
  readonly showsZoomPath: boolean;
}

/** In toolbar order; the first is the default, shown at first and when saved state names a tab that is gone. */
export const TABS = {
  graph: { label: 'Graph', panelClass: 'icicle-chart', showsZoomPath: true },
  table: { label: 'Table', panelClass: 'icicle-table-host', showsZoomPath: false },
  sandwich: { label: 'Sandwich', panelClass: 'icicle-sandwich', showsZoomPath: false },
  chart: { label: 'Flame Chart', panelClass: 'icicle-flamechart', showsZoomPath: false },
  labels: { label: 'By Label', panelClass: 'icicle-by-label', showsZoomPath: false },
} as const satisfies Record<string, TabDeclaration>;

export type Tab = keyof typeof TABS;

/** The tab ids in declaration order, as a non-empty tuple (zod's enum needs one). */
export const TAB_IDS = Object.keys(TABS) as [Tab, ...Tab[]];

export const DEFAULT_TAB: Tab = TAB_IDS[0];

/** A value for every declared tab, made in declaration order. */
export function byTab<T>(make: (tab: Tab) => T): Record<Tab, T> {
  return Object.fromEntries(TAB_IDS.map(tab => [tab, make(tab)])) as unknown as Record<Tab, T>;
}
