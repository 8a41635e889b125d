// The flame graph webview's entry point: receives messages from the extension, validates each one, and
// drives the page. It never throws on bad input; it shows what went wrong as text in the page instead.
import type { PackedCallTree } from '../common/callTree';
import { findFramePath, framePathOf } from '../common/framePath';
import { PRUNED_NAME } from '../common/pruneCallTree';
import type { FramePathStep } from '../common/viewQuery';
import { toWebviewMessageSchema, type ToWebviewMessage, type ViewSettings } from '../common/protocol/webviewProtocol';
import { WEBVIEW_PROTOCOL_VERSION } from '../common/version';
import { chooseValueUnit, frameName, valueColumns, type ValueUnit } from './callTreeHierarchy';
import { formatValue } from '../common/valueFormat';
import { QueryControls } from './queryControls';
import { datasetName } from './selectionBar';
import { FlameGraphView } from './flameGraphView';
import { FlameChartView } from './flameChartView';
import type { TimeOrderedSamples } from '../common/timeOrder';
import { KeptTimeOrder } from './keptTimeOrder';
import { functionKey, searchTree, type FunctionRow } from './functionRows';
import { FunctionTable } from './functionTable';
import { LabelBreakdownView } from './labelBreakdownView';
import { narrowSelector } from './narrowSelector';
import { MAX_BREAKDOWN_VALUES, type LabelBreakdownQuery } from '../common/labelBreakdown';
import { sandwichTrees } from '../common/sandwich';
import { describeInvalidMessage } from './invalidMessage';
import { PageLayout } from './pageLayout';
import { DEFAULT_TAB, type Tab } from './tabs';
import { effectiveOrientation, readViewState, type Orientation, type ViewState } from './viewState';
import { hostConnection } from './vscodeApi';
// d3-flame-graph's ES build imports its own stylesheet (its package does not export the file by path); esbuild
// puts that and ours, which overrides it, into out/webview/main.css in import order, so ours is imported last.
import './styles.css';

type ProfileMessage = Extract<ToWebviewMessage, { type: 'profile' }>;

interface ShownProfile {
  /** Identifies the profile in saved state, so a saved zoom is applied only to the profile it belongs to. */
  key: string;
  settings: ViewSettings;
  orientation: Orientation;
  tree: PackedCallTree;
  unit: ValueUnit;
  /** The zoomed frame the agent kept in detail for this tree (see ViewQuery.focus), as a path. */
  focus: FramePathStep[] | undefined;
}

const host = hostConnection();
let state: ViewState = readViewState(host.getState());
let shown: ShownProfile | undefined;
/** The zoomed frame's index in the shown tree, if the graph is zoomed. */
let zoomed: number | undefined;
/** The tree the function table shows (it is filled when its tab is shown). */
let tableFilled: PackedCallTree | undefined;
/** The tab shown now. */
let currentTab: Tab = DEFAULT_TAB;
/** The flame chart's samples between answers, and whether a query should ask for them again. */
const chartSamples = new KeptTimeOrder();
/** The time range of the last answer, so that the chart follows a new range but keeps its zoom on a refresh. */
let lastRange: string | undefined;

const app = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
const layout = new PageLayout(app, { resetZoom: () => view.resetZoom(), toggleOrientation, search, showTab, toggleColourBy });
/** The function the sandwich view shows: the last one chosen in the table or clicked in the graph. */
let chosen: { key: string; name: string } | undefined;
const sandwichEvents = {
  openSource: (url: string, line: number, column: number) => host.post({ type: 'openSource', url, line, column }),
  zoomChanged: () => undefined,
};
/** The sandwich's two graphs, made when the sandwich is first shown. */
let sandwichViews: { callers: FlameGraphView; callees: FlameGraphView } | undefined;
const table = new FunctionTable({
  select: row => {
    chosen = { key: row.key, name: row.name };
    showFunction(row);
  },
  openSource: row => {
    if (row.url !== '') host.post({ type: 'openSource', url: row.url, line: row.line, column: row.column });
  },
});
layout.panels.table.appendChild(table.element);
const controls = new QueryControls(
  layout.selectionHost,
  layout.timelineHost,
  message => host.post(message),
  query => layout.showStatus(query.source === undefined ? 'Querying the store…' : `Querying the dataset ${datasetName(query.source)}…`),
  () => (shown && zoomed !== undefined && zoomed > 0 ? framePathOf(shown.tree, zoomed) : undefined),
  {
    wantsTimeOrder: () => currentTab === 'chart' && chartSamples.wanted,
    timeOrderAfterMs: () => chartSamples.afterMs,
    rangeChosen: range => chart.showRange(range),
  },
);
/** The By Label tab: asked for when shown, again when the shown tree changes (another selection, a refresh). */
const breakdown = new LabelBreakdownView({
  chooseKey: key => askBreakdown(key),
  narrow: (key, value) => {
    if (!shown) return;
    const current = controls.shownQuery();
    showTab('graph');
    controls.send({ selector: narrowSelector(current?.selector ?? '', key, value), timeRange: current?.timeRange });
  },
  back: selector => controls.send({ selector }),
});
layout.panels.labels.appendChild(breakdown.element);
/** The label the tab groups by (the agent picks one while none was chosen), and the tree and request it was asked for. */
let breakdownKey: string | undefined = state.breakdownKey;
let breakdownAskedFor: PackedCallTree | undefined;
let breakdownRequest = 0;

const chart = new FlameChartView(layout.panels.chart, {
  visibleRangeChanged: range => controls.showRange(range),
  showRangeAsGraph: range => {
    showTab('graph');
    controls.send({ timeRange: range });
  },
});
const view = new FlameGraphView(layout.panels.graph, {
  openSource: (url, line, column) => host.post({ type: 'openSource', url, line, column }),
  frameSelected: index => {
    if (shown) chosen = { key: functionKey(shown.tree, index), name: frameName(shown.tree, index) };
  },
  zoomChanged: nodeIndex => {
    zoomed = nodeIndex;
    layout.toolbar.setZoomed(nodeIndex !== undefined);
    showBreadcrumbs(nodeIndex);
    if (!shown) return;
    saveState({ ...state, zoom: nodeIndex === undefined ? undefined : { profileKey: shown.key, nodeIndex } });
    if (nodeIndex !== undefined && needsDetail(shown, nodeIndex)) controls.send({});
  },
});

window.addEventListener('message', event => receive(event.data));
host.post({ type: 'ready', protocolVersion: WEBVIEW_PROTOCOL_VERSION });

function receive(data: unknown): void {
  // Marks for the browser tests and the developer tools: how long a message takes from arrival to drawing.
  // Only the latest is kept, so a long session does not accumulate entries.
  performance.clearMarks('icicle:message-received');
  performance.mark('icicle:message-received');
  const parsed = toWebviewMessageSchema.safeParse(data);
  if (!parsed.success) {
    console.warn('Icicle: refused a message from the extension', parsed.error.issues);
    layout.showError('Icicle could not read a message from the extension', describeInvalidMessage(data, parsed.error));
    return;
  }
  try {
    handle(parsed.data);
  } catch (error) {
    // A bug of ours must not leave a blank page: say so, and keep the stack for the developer tools.
    console.error(error);
    layout.showError('Icicle could not show this profile', error instanceof Error ? error.message : String(error));
  }
}

function handle(message: ToWebviewMessage): void {
  switch (message.type) {
    case 'loading':
      layout.clearError();
      layout.showTitle(message.title);
      layout.showStatus(`Loading ${message.title}…`);
      return;
    case 'profile':
      showProfile(message);
      return;
    case 'completions':
      controls.completed(message.requestId, message.items, message.truncated);
      return;
    case 'breakdown':
      if (message.requestId !== breakdownRequest) return;
      if (message.result) {
        breakdownKey = message.result.key;
        if (breakdownKey !== undefined && breakdownKey !== state.breakdownKey) saveState({ ...state, breakdownKey });
        breakdown.show(message.result);
      } else breakdown.showError(message.error ?? 'Icicle could not group the samples by that label.');
      return;
    case 'settings':
      applySettings(message.settings);
      return;
    case 'error':
      layout.showStatus(undefined);
      layout.showError(message.title, message.message);
      return;
    default: {
      // The schema admits only the cases above; this makes the compiler say so when one is added.
      const unexpected: never = message;
      throw new Error(`unhandled message ${JSON.stringify(unexpected)}`);
    }
  }
}

function showProfile(message: ProfileMessage): void {
  const { title, summary, tree, settings } = message;
  controls.showSources(settings.sources ?? []);
  const key = `${title}\u0000${summary.nodeCount}\u0000${tree.totalSamples[0] ?? 0}`;
  const orientation = effectiveOrientation(settings.orientation, state);
  // A refresh (samples landed) keeps the frame zoomed now, found again by its path, or none if the user zoomed out
  // since the query that carried a zoom. Otherwise a tree answered for a zoomed frame is zoomed to it again, or a zoom
  // saved for this same profile is restored.
  const refresh = message.refresh === true && shown !== undefined;
  const focused = message.query.focus ? findFramePath(tree, message.query.focus) : undefined;
  const savedZoom = refresh
    ? zoomed !== undefined && zoomed > 0 && shown
      ? findFramePath(tree, framePathOf(shown.tree, zoomed))
      : undefined
    : (focused ?? (state.zoom?.profileKey === key ? state.zoom.nodeIndex : undefined));
  const unit = chooseValueUnit(tree, message.unit);
  shown = { key, settings, orientation, tree, unit, focus: focused === undefined ? undefined : message.query.focus };
  if (message.restore && JSON.stringify(message.restore) !== JSON.stringify(state.restore)) saveState({ ...state, restore: message.restore });
  zoomed = undefined;
  // The function the sandwich shows stays chosen across a refresh (it is found by its key, not its index).
  if (!refresh) chosen = undefined;
  layout.clearError();
  layout.showStatus(undefined);
  const typeLabel = message.profileTypes.find(type => type.id === message.query.profileType)?.label ?? 'samples';
  layout.showSummary(title, summary, `${formatValue(valueColumns(tree, unit).total[0] ?? 0, unit)} ${unit === 'samples' ? '' : typeLabel}`.trim());
  controls.show({
    selector: message.query.selector,
    profileType: message.query.profileType,
    timeRange: message.query.timeRange,
    profileTypes: message.profileTypes,
    timeline: message.timeline,
    source: message.query.source,
  });
  layout.toolbar.setEnabled(true);
  layout.toolbar.setZoomed(false);
  layout.toolbar.showOrientation(orientation);
  showBreadcrumbs(undefined);
  view.setColourBy(state.colourBy ?? 'kind');
  chart.setColourBy(state.colourBy ?? 'kind');
  layout.toolbar.showColourBySource(state.colourBy === 'source');
  view.show({ title, tree, unit, orientation, minFramePixels: settings.minFramePixels, zoomNodeIndex: savedZoom });
  keepChartSamples(message);
  // A function asked for from the source replaces the saved search; otherwise the saved search is kept.
  if (message.search !== undefined) {
    saveState({ ...state, search: message.search, tab: DEFAULT_TAB });
  }
  layout.toolbar.setSearchText(state.search ?? '');
  search(state.search ?? '');
  showTab(state.tab ?? DEFAULT_TAB);
  performance.clearMeasures('icicle:render');
  performance.measure('icicle:render', 'icicle:message-received');
}

let toldChartState = JSON.stringify({ shown: false });

/**
 * Tells the extension whether the chart is shown and up to when it holds the run's samples: its refreshes then ask
 * for the samples in time order only while it is, and only those after (extension/liveRefresh.ts).
 */
function tellChartState(): void {
  const shown = currentTab === 'chart';
  const after = shown ? chartSamples.afterMs : undefined;
  const message = { shown, ...(after !== undefined ? { samplesThroughMs: after } : {}) };
  if (JSON.stringify(message) === toldChartState) return;
  toldChartState = JSON.stringify(message);
  host.post({ type: 'chartShown', ...message });
}

/** Keeps the answer's samples in time order for the chart, and the range the chart follows. */
function keepChartSamples(message: ProfileMessage): void {
  chartSamples.answered(message);
  tellChartState();
  const range = JSON.stringify(message.query.timeRange ?? null);
  const rangeChanged = range !== lastRange;
  lastRange = range;
  shownChartUnit = message.unit;
  chartRange = rangeChanged ? message.query.timeRange : undefined;
}

let shownChartUnit: ProfileMessage['unit'] = 'micros';
let chartRange: ProfileMessage['query']['timeRange'];

/** Draws the chart from the kept samples, asking for them once when they are not the latest answer's. */
function showChart(): void {
  if (!shown) return;
  if (chartSamples.shouldAsk()) controls.send({});
  const samples = chartSamples.samples;
  chart.show(samples === 'none' ? noSamples(shown.tree) : samples, shownChartUnit, chartRange);
  chartRange = undefined;
}

function applySettings(settings: ViewSettings): void {
  controls.showSources(settings.sources ?? []);
  if (!shown) return;
  // A changed orientation setting is a fresh decision by the user and overrides an earlier toolbar pick.
  if (settings.orientation !== shown.settings.orientation && state.orientationChoice) {
    saveState({ ...state, orientationChoice: undefined });
  }
  shown.settings = settings;
  setOrientation(effectiveOrientation(settings.orientation, state));
  view.setMinFramePixels(settings.minFramePixels);
}

function toggleOrientation(): void {
  if (!shown) return;
  const next: Orientation = shown.orientation === 'icicle' ? 'flame' : 'icicle';
  saveState({ ...state, orientationChoice: { orientation: next, overSetting: shown.settings.orientation } });
  setOrientation(next);
}

function setOrientation(orientation: Orientation): void {
  if (!shown || shown.orientation === orientation) return;
  shown.orientation = orientation;
  layout.toolbar.showOrientation(orientation);
  view.setOrientation(orientation);
}

/** The path from the root to the zoomed frame above the graph; each step zooms back to it. */
function showBreadcrumbs(nodeIndex: number | undefined): void {
  if (!shown || nodeIndex === undefined || nodeIndex <= 0) {
    layout.showBreadcrumbs([], () => undefined);
    return;
  }
  const path: number[] = [];
  for (let at = nodeIndex; at >= 0; at = shown.tree.parent[at] ?? -1) path.unshift(at);
  const tree = shown.tree;
  layout.showBreadcrumbs(
    path.map(index => frameName(tree, index)),
    step => (path[step] === 0 ? view.resetZoom() : view.zoomToIndex(path[step]!)),
  );
}

/** Fades the frames the search does not match and says what it matched. Plain text, never a pattern. */
function search(term: string): void {
  if (state.search !== term) saveState({ ...state, search: term === '' ? undefined : term });
  if (!shown) return;
  if (term === '') {
    view.highlight(undefined);
    layout.toolbar.showSearchSummary('');
    return;
  }
  const result = searchTree(shown.tree, shown.unit, term);
  view.highlight(result.matches);
  layout.toolbar.showSearchSummary(
    result.matches.size === 0 ? 'No match' : `${result.functions} function${result.functions === 1 ? '' : 's'} · ${(100 * result.share).toFixed(1)}% of the total`,
  );
}

/** A function chosen in the table: the graph is shown with that function's frames standing out. */
function showFunction(row: FunctionRow): void {
  if (!shown) return;
  const frames = new Set<number>();
  for (let index = 1; index < shown.tree.parent.length; index++) if (functionKey(shown.tree, index) === row.key) frames.add(index);
  layout.toolbar.setSearchText('');
  saveState({ ...state, search: undefined });
  view.highlight(frames);
  const whole = valueColumns(shown.tree, shown.unit).total[0] ?? 0;
  layout.toolbar.showSearchSummary(`${row.name} · ${whole > 0 ? ((100 * row.total) / whole).toFixed(1) : '0'}% of the total`);
  showTab('graph');
}

function toggleColourBy(): void {
  const next = (state.colourBy ?? 'kind') === 'kind' ? 'source' : 'kind';
  saveState({ ...state, colourBy: next });
  layout.toolbar.showColourBySource(next === 'source');
  view.setColourBy(next);
  chart.setColourBy(next);
}

/**
 * The function table of the shown profile is filled when its tab is shown (showTab), not with every profile: it is
 * hidden unless its tab is chosen, and its rows cost as much as a tenth of the first paint of a big profile, which
 * they would delay, and again on every refresh of a recording run.
 */
function fillTable(): void {
  if (!shown || tableFilled === shown.tree) return;
  tableFilled = shown.tree;
  table.show(shown.tree, shown.unit);
}

/**
 * What each tab (webview/tabs.ts) draws when it is chosen, after its panel is shown (a graph measures its panel).
 * Keyed by every declared tab, so a tab declared without a drawing here does not compile.
 */
const drawTab: Record<Tab, () => void> = {
  // The flame graph is drawn when a profile arrives and kept while another tab is shown.
  graph: () => undefined,
  table: fillTable,
  sandwich: showSandwich,
  chart: showChart,
  labels: showBreakdown,
};

/** Asks for the shown selection by label once per shown tree (so a refresh while it is shown asks again). */
function showBreakdown(): void {
  if (!shown || breakdownAskedFor === shown.tree) return;
  askBreakdown(breakdownKey);
}

function askBreakdown(key: string | undefined): void {
  const current = controls.shownQuery();
  if (!shown || !current) return;
  breakdownAskedFor = shown.tree;
  const query: LabelBreakdownQuery = {
    selector: current.selector,
    ...(current.profileType !== undefined ? { profileType: current.profileType } : {}),
    ...(current.timeRange !== undefined ? { timeRange: current.timeRange } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(current.source !== undefined ? { source: current.source } : {}),
    limit: BREAKDOWN_ROWS,
  };
  breakdownRequest++;
  breakdown.showQuerying();
  host.post({ type: 'breakdown', requestId: breakdownRequest, query });
}

/** Values listed by the By Label tab; the rest are summed as others (a trace id per request has thousands). */
const BREAKDOWN_ROWS = Math.min(200, MAX_BREAKDOWN_VALUES);

function showTab(tab: Tab): void {
  currentTab = tab;
  tellChartState();
  layout.showTab(tab);
  if ((state.tab ?? DEFAULT_TAB) !== tab) saveState({ ...state, tab });
  drawTab[tab]();
}

/** Draws the sandwich of the chosen function: its callers (roots at the bottom) above its callees. */
function showSandwich(): void {
  if (!shown) return;
  sandwichViews ??= { callers: new FlameGraphView(layout.callersChart, sandwichEvents), callees: new FlameGraphView(layout.calleesChart, sandwichEvents) };
  const { callers: callersView, callees: calleesView } = sandwichViews;
  if (!chosen) {
    layout.sandwichCaption.textContent = 'Choose a function in the table, or click a frame in the graph, to see its callers and callees.';
    callersView.show({ title: 'no function', tree: emptyTree(shown.tree), orientation: 'flame', minFramePixels: shown.settings.minFramePixels, unit: shown.unit });
    calleesView.show({ title: 'no function', tree: emptyTree(shown.tree), orientation: 'icicle', minFramePixels: shown.settings.minFramePixels, unit: shown.unit });
    return;
  }
  const { callers, callees } = sandwichTrees(shown.tree, chosen.key);
  layout.sandwichCaption.textContent = `${chosen.name}: who calls it (above) and what it calls (below), over every call.`;
  callersView.show({ title: `callers of ${chosen.name}`, tree: callers, orientation: 'flame', minFramePixels: shown.settings.minFramePixels, unit: shown.unit });
  calleesView.show({ title: `callees of ${chosen.name}`, tree: callees, orientation: 'icicle', minFramePixels: shown.settings.minFramePixels, unit: shown.unit });
}

/**
 * Whether a zoomed frame hides detail the agent pruned (a `…` below it) that a query focused on it would show. A
 * tree already answered for this frame is as detailed as it gets, which also ends the exchange.
 */
function needsDetail(profile: ShownProfile, index: number): boolean {
  const { parent, name, strings } = profile.tree;
  const inside = new Uint8Array(parent.length);
  inside[index] = 1;
  let pruned = false;
  // The subtree is the run of nodes after `index` whose parent is inside it (pre-order).
  for (let i = index + 1; i < parent.length && inside[parent[i]!] === 1; i++) {
    inside[i] = 1;
    if (strings[name[i]!] === PRUNED_NAME) pruned = true;
  }
  if (!pruned) return false;
  const path = framePathOf(profile.tree, index);
  return JSON.stringify(path) !== JSON.stringify(profile.focus);
}

/** A tree of only the root, for an empty half. */
function emptyTree(like: PackedCallTree): PackedCallTree {
  return {
    strings: like.strings,
    parent: [-1], name: [0], url: [0], line: [0], column: [0], kind: [0],
    selfSamples: [0], totalSamples: [0], selfValue: [0], totalValue: [0],
  };
}

function noSamples(like: PackedCallTree): TimeOrderedSamples {
  return { tree: emptyTree(like), startMs: 0, tracks: [], node: [], gapMicros: [], durationMicros: [], throughMs: 0, totalSamples: 0 };
}

function saveState(next: ViewState): void {
  state = next;
  host.setState(state);
}
