// The compare panel's page: what changed between two branches, function by function. Built with DOM calls and
// textContent only (function names and paths come from profiles); every message is validated on arrival.
import { describeProfileType } from '../../common/profileTypes';
import { toCompareViewSchema, type FromCompareView, type ToCompareView } from '../../common/protocol/compareViewProtocol';
import { formatBytes, formatCount, formatMicros } from '../../common/valueFormat';
import { hostConnection } from '../vscodeApi';
import { groupChanges } from './changeGroups';
import { DiffFlameGraph } from './diffFlameGraph';
// The flame graph page's styles (tooltip, buttons, d3-flame-graph's), then the panel's own on top.
import '../styles.css';
import './compare.css';

type Comparison = Extract<ToCompareView, { type: 'comparison' }>;
type Row = Comparison['changes'][number];

const host = hostConnection<FromCompareView>();
const app = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
const post = (message: FromCompareView): void => host.post(message);

window.addEventListener('message', event => {
  const parsed = toCompareViewSchema.safeParse(event.data);
  if (!parsed.success) {
    show(paragraph('Icicle could not read a message from the extension.', 'icicle-compare-error'));
    return;
  }
  handle(parsed.data);
});
post({ type: 'ready' });

function handle(message: ToCompareView): void {
  switch (message.type) {
    case 'empty':
      show(paragraph('No comparison yet.'), startButton('Compare Branches…'));
      return;
    case 'progress':
      show(paragraph(`${message.message} (${message.done} of ${message.total} runs done)`, 'icicle-compare-progress'));
      return;
    case 'error':
      show(paragraph(message.message, 'icicle-compare-error'), startButton('Compare Branches…'));
      return;
    case 'comparison':
      showComparison(message);
      return;
    default: {
      const unexpected: never = message;
      throw new Error(`unhandled message ${JSON.stringify(unexpected)}`);
    }
  }
}

function show(...children: HTMLElement[]): void {
  app.replaceChildren(...children);
}

function paragraph(text: string, className = 'icicle-compare-note'): HTMLElement {
  const p = document.createElement('p');
  p.className = className;
  p.textContent = text;
  return p;
}

/** The two ways to start a comparison: run two branches, or compare samples already stored. */
function startButton(label: string): HTMLElement {
  const row = document.createElement('div');
  row.className = 'icicle-compare-actions';
  for (const [text, type] of [[label, 'compareBranches'], ['Compare Selections…', 'compareSelections']] as const) {
    const button = row.appendChild(document.createElement('button'));
    button.type = 'button';
    button.className = 'icicle-button';
    button.textContent = text;
    button.addEventListener('click', () => post({ type }));
  }
  return row;
}

/** The types both sides hold ("CPU time", "Allocated bytes"): choosing one compares the same sides in it. */
function typePicker(types: readonly string[], shown: string | undefined): HTMLElement {
  const picker = document.createElement('select');
  picker.className = 'icicle-type-picker';
  picker.setAttribute('aria-label', 'Compare which cost');
  for (const type of types) {
    const option = picker.appendChild(document.createElement('option'));
    option.value = type;
    option.textContent = describeProfileType(type);
    option.selected = type === shown;
  }
  picker.addEventListener('change', () => post({ type: 'chooseType', profileType: picker.value }));
  return picker;
}

function value(v: number, unit: Comparison['unit']): string {
  return unit === 'micros' ? formatMicros(v) : unit === 'bytes' ? formatBytes(v) : formatCount(v);
}

function side(s: Row['a'], unit: Comparison['unit']): string {
  return s.runs > 1 ? `${value(s.mean, unit)} ± ${value(s.sd, unit)}` : value(s.mean, unit);
}

function percent(row: Row): string {
  if (row.deltaPercent === null) return 'new';
  return `${row.deltaPercent >= 0 ? '+' : '−'}${Math.abs(row.deltaPercent).toFixed(1)}%`;
}

const VERDICT_TEXT: Record<Row['verdict'], string> = {
  regression: 'slower',
  improvement: 'faster',
  unchanged: 'within noise',
  unknown: 'unknown',
};

/** A verdict in words: time is slower or faster; bytes and counts (allocations) are more or less. */
function verdictText(verdict: Row['verdict'], unit: Comparison['unit']): string {
  if (unit === 'micros') return VERDICT_TEXT[verdict];
  return verdict === 'regression' ? 'more' : verdict === 'improvement' ? 'less' : VERDICT_TEXT[verdict];
}

/** What the page keeps across reloads: the flame graph's mode and which folded groups the user opened. */
interface SavedState {
  normalise?: unknown;
  expanded?: unknown;
}

function savedState(): SavedState {
  return (host.getState() as SavedState | undefined) ?? {};
}

function saveState(change: { normalise?: boolean; expanded?: string[] }): void {
  host.setState({ ...savedState(), ...change });
}

const COLUMNS = 6;

function showComparison(c: Comparison): void {
  const header = document.createElement('div');
  header.className = 'icicle-compare-header';
  const titleRow = header.appendChild(document.createElement('div'));
  titleRow.className = 'icicle-compare-title';
  const title = titleRow.appendChild(document.createElement('h1'));
  title.textContent = `${c.head} against ${c.base}`;
  if (c.profileTypes && c.profileTypes.length > 1) titleRow.appendChild(typePicker(c.profileTypes, c.profileType));
  titleRow.appendChild(startButton('Compare again…'));
  const regressions = c.changes.filter(r => r.verdict === 'regression').length;
  const improvements = c.changes.filter(r => r.verdict === 'improvement').length;
  const summary =
    c.a.runs < 2 || c.b.runs < 2
      ? `Significance unknown: ${c.a.runs} base and ${c.b.runs} head run(s); two or more on each side tell a change from noise.`
      : `${regressions} significantly ${verdictText('regression', c.unit)}, ${improvements} significantly ${verdictText('improvement', c.unit)} · per run: ${side(c.a, c.unit)} → ${side(c.b, c.unit)}`;
  header.appendChild(paragraph(summary));
  // The one statistic every figure of the panel is, said once: the source's hovers say the same of theirs.
  const cost = c.unit === 'micros' ? 'self time' : 'self cost';
  const statistic = header.appendChild(paragraph(`Each row: the function's ${cost} per run, mean of ${runs(c.a.runs)} on ${c.base} and ${runs(c.b.runs)} on ${c.head}. `, 'icicle-compare-method'));
  const method = statistic.appendChild(document.createElement('span'));
  method.className = 'icicle-compare-significance';
  method.textContent = `Significance: ${c.method}.`;

  const groups = groupChanges(c.changes, Math.max(c.a.mean, c.b.mean));
  const table = document.createElement('table');
  table.className = 'icicle-compare-table';
  table.setAttribute('aria-label', 'Functions by change');
  const head = table.createTHead().insertRow();
  for (const label of ['', 'Function', 'Change', 'Delta', `Base (${runs(c.a.runs)})`, `Head (${runs(c.b.runs)})`]) {
    const th = document.createElement('th');
    th.textContent = label;
    head.appendChild(th);
  }
  const shown = table.appendChild(document.createElement('tbody'));
  shown.className = 'icicle-compare-shown';
  for (const row of groups.shown.slice(0, MAX_ROWS)) changeRow(shown, row, c.unit);
  if (groups.shown.length === 0) {
    const empty = shown.insertRow().insertCell();
    empty.colSpan = COLUMNS;
    empty.className = 'icicle-compare-none';
    empty.textContent = c.changes.length === 0 ? 'No functions to compare.' : 'No function changed significantly.';
  }
  const expanded = new Set(Array.isArray(savedState().expanded) ? (savedState().expanded as unknown[]).filter((g): g is string => typeof g === 'string') : []);
  const folded = (group: string, label: string, rows: readonly Row[]) => {
    if (rows.length === 0) return;
    const toggleBody = table.appendChild(document.createElement('tbody'));
    toggleBody.className = 'icicle-compare-fold';
    const cell = toggleBody.insertRow().insertCell();
    cell.colSpan = COLUMNS;
    const button = cell.appendChild(document.createElement('button'));
    button.type = 'button';
    button.className = 'icicle-fold-toggle';
    button.dataset['group'] = group;
    const body = table.appendChild(document.createElement('tbody'));
    body.className = `icicle-compare-folded icicle-group-${group}`;
    let filled = false;
    const set = (open: boolean) => {
      // Rows are made the first time the group opens: most comparisons never open the unchanged ones.
      if (open && !filled) {
        for (const row of rows.slice(0, MAX_ROWS)) changeRow(body, row, c.unit);
        filled = true;
      }
      body.hidden = !open;
      button.setAttribute('aria-expanded', String(open));
      button.textContent = `${open ? '▾' : '▸'} ${rows.length} ${label}`;
      if (open) expanded.add(group);
      else expanded.delete(group);
    };
    button.addEventListener('click', () => {
      set(body.hidden !== false);
      saveState({ expanded: [...expanded] });
    });
    set(expanded.has(group));
  };
  folded('noise', 'within noise', groups.withinNoise);
  folded('zero', 'unchanged (zero)', groups.zero);

  const changes = document.createElement('div');
  changes.className = 'icicle-compare-changes';
  changes.appendChild(table);
  const content = document.createElement('div');
  content.className = 'icicle-compare-content';
  content.appendChild(changes);
  if (!c.diff) {
    content.classList.add('icicle-compare-no-graph');
    show(header, content);
    return;
  }
  const diff = c.diff;
  const graphPane = content.appendChild(document.createElement('div'));
  graphPane.className = 'icicle-compare-graph';
  const toggle = graphPane.appendChild(document.createElement('div'));
  toggle.className = 'icicle-diff-toggle';
  toggle.setAttribute('role', 'radiogroup');
  toggle.setAttribute('aria-label', 'Compare');
  const graphHost = graphPane.appendChild(document.createElement('div'));
  // The changes and the graph side by side when the panel is wide (the usual bottom panel), one above the other when
  // it is narrow, with the table's height bounded: either way the graph is in view without scrolling.
  show(header, content);
  const graph = new DiffFlameGraph(graphHost, (name, file) => post({ type: 'openFunction', name, file }));
  let normalised = true;
  const draw = (normalise: boolean) => {
    normalised = normalise;
    for (const button of toggle.querySelectorAll('button')) button.setAttribute('aria-checked', String((button.dataset['mode'] === 'normalised') === normalise));
    saveState({ normalise });
    graph.show(diff.tree, diff.baseSelf, c.unit, normalise);
  };
  for (const [mode, label, title] of [
    ['normalised', 'Normalised by total', 'The base scaled to the head’s total: only changes in where the time goes are coloured'],
    ['absolute', 'Absolute', 'Time per run as measured: a branch slower everywhere is red everywhere'],
  ] as const) {
    const button = toggle.appendChild(document.createElement('button'));
    button.type = 'button';
    button.className = 'icicle-button icicle-toggle';
    button.setAttribute('role', 'radio');
    button.dataset['mode'] = mode;
    button.textContent = label;
    button.title = title;
    button.addEventListener('click', () => draw(mode === 'normalised'));
  }
  draw(savedState().normalise !== false);
  // The graph is drawn at its host's width: drawn again when the panel is resized (the layout may switch too).
  let width = graphHost.clientWidth;
  let pending = false;
  new ResizeObserver(() => {
    if (pending || !graphHost.isConnected) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      if (Math.abs(graphHost.clientWidth - width) < 2) return;
      width = graphHost.clientWidth;
      graph.show(diff.tree, diff.baseSelf, c.unit, normalised);
    });
  }).observe(graphHost);
}

/** At most this many rows per group: a comparison of a generated bundle can list tens of thousands. */
const MAX_ROWS = 500;

function runs(n: number): string {
  return `${n} ${n === 1 ? 'run' : 'runs'}`;
}

function changeRow(body: HTMLTableSectionElement, row: Row, unit: Comparison['unit']): void {
  const tr = body.insertRow();
  tr.className = `icicle-compare-row icicle-${row.verdict}`;
  tr.tabIndex = 0;
  tr.dataset['name'] = row.name;
  const cell = (text: string, className = '') => {
    const td = tr.insertCell();
    td.textContent = text;
    if (className) td.className = className;
    return td;
  };
  cell(verdictText(row.verdict, unit), 'icicle-verdict');
  const fn = cell(row.name || '(anonymous)', 'icicle-function');
  fn.title = row.file;
  cell(percent(row), 'icicle-number');
  cell(`${row.delta >= 0 ? '+' : '−'}${value(Math.abs(row.delta), unit)}`, 'icicle-number');
  cell(side(row.a, unit), 'icicle-number');
  cell(side(row.b, unit), 'icicle-number');
  tr.setAttribute('aria-label', `${row.name || '(anonymous)'}: ${verdictText(row.verdict, unit)}, ${percent(row)}`);
  const open = () => post({ type: 'openFunction', name: row.name, file: row.file });
  tr.addEventListener('click', open);
  tr.addEventListener('keydown', event => {
    if (event.key === 'Enter') open();
    else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      // The visible rows, across the shown group and the opened folded ones.
      const rows = [...(tr.closest('table')?.querySelectorAll<HTMLElement>('tbody:not([hidden]) .icicle-compare-row') ?? [])];
      rows[rows.indexOf(tr) + (event.key === 'ArrowDown' ? 1 : -1)]?.focus();
    } else return;
    event.preventDefault();
  });
}
