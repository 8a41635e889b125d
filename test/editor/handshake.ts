/**
 * The file handshake between the suite (inside the extension host) and the driver (outside, holding the page).
 *
 * The suite cannot see the workbench's DOM: webviews live in iframes of the browser page. So it writes
 * `<dir>/request-<id>.json`, the driver notices it, runs a check in the real page with Playwright and writes
 * `<dir>/response-<id>.json`, which the suite is polling for. Both sides write to a temporary name and rename,
 * so a reader never sees half a file. The folder comes from ICICLE_E2E_DIR, set by the driver.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const e2eDirVariable = 'ICICLE_E2E_DIR';

/**
 * Which suite the extension host runs, set by the driver like ICICLE_RESULTS_FILE: the whole suite in a trusted
 * folder, the short one in a folder the editor does not trust, or the demo README's walk in a fresh demo workspace
 * (suite/index.ts reads it).
 */
export const suiteVariable = 'ICICLE_EDITOR_SUITE';
export type EditorSuite = 'trusted' | 'untrusted' | 'demo' | 'requests';

export type BridgeRequest =
  /** Waits until the visible webviews' flame graphs show every label in `include` (or the time is up), and returns the labels. */
  | { action: 'frameLabels'; include: string[]; timeoutMs: number }
  /** Clicks, with the mouse, the first visible flame-graph frame whose label names the function `label`. */
  | { action: 'clickFrame'; label: string; timeoutMs: number }
  /** Clicks, with the mouse, the first visible element of that ARIA role and name in the shown webviews. */
  | { action: 'clickRole'; role: 'tab' | 'row' | 'button'; name: string; timeoutMs: number }
  /**
   * Waits for the editor's hover widget (shown by the suite with `editor.action.showHover`) to show text matching
   * `expect` (a regular expression's source), and returns everything it shows.
   */
  | { action: 'editorHover'; expect: string; timeoutMs: number }
  /**
   * Chooses, as a person does in a drop-down, the option labelled `option` of the first visible combobox named `name`
   * in the shown webviews (the flame graph's "Profile type"), waiting for that option; returns the options offered.
   */
  | { action: 'selectOption'; name: string; option: string; timeoutMs: number }
  /** Types `text` into the first visible element of that ARIA role and name in the shown webviews, then presses `press`. */
  | { action: 'typeInto'; role: 'combobox' | 'searchbox'; name: string; text: string; press: 'Enter' | 'Escape'; timeoutMs: number }
  /**
   * Waits for a drawn flame graph (or, with `selector`, for a visible element matching it in a shown webview; with
   * `pageSelector`, in the workbench itself), then
   * screenshots the whole workbench into test-results/editor/<name>.png.
   */
  | { action: 'screenshot'; name: string; timeoutMs: number; selector?: string; pageSelector?: string }
  /**
   * Waits until one of the workbench's notifications shows text matching `expect` (a regular expression's source),
   * and returns the text of every notification shown then: what the user reads, from the page itself.
   */
  | { action: 'notifications'; expect: string; timeoutMs: number }
  /**
   * Waits until the page has logged at least `count` lines matching `expect` (a regular expression's source) and
   * returns every such line (`count: 0` answers at once). The workbench logs there what it does not show in tests: it
   * refuses to open modal dialogs while extension tests run, and logs each one's text instead.
   */
  | { action: 'pageConsole'; expect: string; count: number; timeoutMs: number }
  /**
   * Quick open as a person does it: Ctrl+P, types `text`, waits for a result row naming it (the first rows shown are
   * the recently opened files, before the search answers), presses Enter.
   */
  | { action: 'quickOpen'; text: string; timeoutMs: number }
  /** Runs a command from the Command Palette: F1, types its `title` ("Icicle: Toggle Line Heat"), waits for its row, Enter. */
  | { action: 'runCommand'; title: string; timeoutMs: number }
  /**
   * Answers the quick pick whose title contains `title` (waits for it): types `choose`, waits for the row naming it,
   * presses Enter. Returns the rows the pick offered before typing.
   */
  | { action: 'quickPick'; title: string; choose: string; timeoutMs: number }
  /** Answers the input box whose title contains `title`: replaces its text with `text` and presses Enter. */
  | { action: 'inputBox'; title: string; text: string; timeoutMs: number }
  /**
   * Hovers, with the mouse, the word `word` on the line containing `line` in the text editor showing that line, until
   * the editor's hover widget shows text matching `expect` (a regular expression's source); returns the hover's text.
   */
  | { action: 'hoverWord'; line: string; word: string; expect: string; timeoutMs: number }
  /**
   * Waits until the text editor showing the line containing `line` draws a code lens right above it whose text
   * matches `expect`, and returns the texts of the lenses above that line.
   */
  | { action: 'codeLens'; line: string; expect: string; timeoutMs: number }
  /**
   * Waits until the text editor showing the line containing `line` draws line heat (gutter bars) on that line, and
   * returns the numbers (1-based, as the editor shows them) of every line with a gutter bar.
   */
  | { action: 'lineHeat'; line: string; timeoutMs: number }
  /**
   * Waits until the debug toolbar shows an action whose label (its ARIA label or title) matches `expect` (a regular
   * expression's source), and returns the labels of every action it shows.
   */
  | { action: 'debugToolbar'; expect: string; timeoutMs: number }
  /**
   * Waits until a tree in the side bar (the Profiles view) shows a row whose accessible name matches `label` (a
   * regular expression's source), clicks it with the mouse, and returns the accessible names of the rows shown.
   */
  | { action: 'treeItem'; label: string; timeoutMs: number }
  /**
   * Waits until the shown flame graph's By Label tab groups by `key` and lists a row for each of `include`, and
   * returns what its rows read (value, total and share, as the user reads them) and the note above them.
   */
  | { action: 'byLabelRows'; key: string; include: string[]; timeoutMs: number }
  /** Clicks, with the mouse, the editor tab whose label is `label`. */
  | { action: 'clickTab'; label: string; timeoutMs: number }
  /** Clicks, with the mouse, the first visible button of the workbench itself (not a webview's) named exactly `name`. */
  | { action: 'clickWorkbenchButton'; name: string; timeoutMs: number }
  /** Clicks, with the mouse, into the text of the line containing `line` (to focus that editor), then presses `key`. */
  | { action: 'pressKeyInEditor'; line: string; key: string; timeoutMs: number }
  /**
   * Waits for the workbench's status bar to show an item whose accessible name matches `label` (a regular
   * expression's source), returns its text and accessible name, and with `click` clicks it with the mouse.
   */
  | { action: 'statusBarItem'; label: string; click: boolean; timeoutMs: number }
  /**
   * Waits until the first visible element matching `selector` in a shown webview has text matching `expect` (a regular
   * expression's source), and returns that text (what the user reads, e.g. the flame graph's header).
   */
  | { action: 'webviewText'; selector: string; expect: string; timeoutMs: number }
  /** Waits until the shown flame graph draws a frame for each of `names`, and returns every frame naming one of them with its width. */
  | { action: 'frameWidths'; names: string[]; timeoutMs: number }
  /**
   * Waits until the shown flame chart's canvas is drawn (coloured pixels) and shows, somewhere, a frame of each of
   * `names` (found by moving the pointer over it); then moves the real mouse over the first of `names` and returns the
   * tooltip's text.
   */
  | { action: 'flameChart'; names: string[]; timeoutMs: number };

export interface BridgeResults {
  frameLabels: { labels: string[] };
  clickFrame: { label: string; x: number; y: number };
  clickRole: { clicked: string };
  typeInto: { typed: string };
  selectOption: { offered: string[] };
  /** The hover's text as shown; its links' targets, images and the text of its code spans (for what data may not make). */
  editorHover: { text: string; links: string[]; images: number; code: string[] };
  screenshot: { path: string; bytes: number };
  notifications: { texts: string[] };
  pageConsole: { lines: string[] };
  quickOpen: { row: string };
  runCommand: { row: string };
  quickPick: { offered: string[]; chosen: string };
  inputBox: { typed: string };
  hoverWord: { text: string };
  codeLens: { texts: string[] };
  lineHeat: { lines: number[] };
  debugToolbar: { labels: string[] };
  clickTab: { clicked: string };
  clickWorkbenchButton: { clicked: string };
  treeItem: { clicked: string; rows: string[] };
  byLabelRows: {
    key: string;
    note: string;
    /** Each row's cells as shown; `wall` and `waiting` are '' when the grouping has no wall time columns. */
    rows: { value: string; total: string; share: string; wall: string; waiting: string }[];
  };
  pressKeyInEditor: { pressed: string };
  statusBarItem: { text: string; ariaLabel: string };
  webviewText: { text: string };
  frameWidths: { frames: { label: string; width: number }[] };
  flameChart: { caption: string; colouredPixels: number; canvasPixels: number; names: string[]; tooltip: string };
}

export type BridgeResponse<A extends BridgeRequest['action'] = BridgeRequest['action']> =
  | { ok: true; result: BridgeResults[A] }
  | { ok: false; error: string };

export const requestFile = (dir: string, id: string) => join(dir, `request-${id}.json`);
export const responseFile = (dir: string, id: string) => join(dir, `response-${id}.json`);
/** Written by the suite when run() starts, so that the driver can tell "never started" from "slow". */
export const startedFile = (dir: string) => join(dir, 'suite-started');

/** Writes JSON so that a poller sees either nothing or the whole file. */
export function writeJsonAtomically(path: string, value: unknown): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(value));
  renameSync(temporary, path);
}

/**
 * Whether a frame label names the function `name`: the label may add detail after the name ("parse file.js:12"),
 * but "parse" must not match "parseExpression".
 */
export function labelNames(label: string, name: string): boolean {
  return label.startsWith(name) && (label.length === name.length || !/[\w$]/.test(label.charAt(name.length)));
}
