// The compare panel's page: what changed between two branches, function by function. Built with DOM calls and
// textContent only (function names and paths come from profiles); every message is validated on arrival.
import { toCompareViewSchema, type FromCompareView, type ToCompareView } from '../../common/protocol/compareViewProtocol';
import { formatBytes, formatCount, formatMicros } from '../../common/valueFormat';
import { hostConnection } from '../vscodeApi';
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

function showComparison(c: Comparison): void {
  const header = document.createElement('div');
  header.className = 'icicle-compare-header';
  const title = header.appendChild(document.createElement('h1'));
  title.textContent = `${c.head} against ${c.base}`;
  const regressions = c.changes.filter(r => r.verdict === 'regression').length;
  const improvements = c.changes.filter(r => r.verdict === 'improvement').length;
  const summary =
    c.a.runs < 2 || c.b.runs < 2
      ? `Significance unknown: ${c.a.runs} base and ${c.b.runs} head run(s); two or more on each side tell a change from noise.`
      : `${regressions} significantly slower, ${improvements} significantly faster · per run: ${side(c.a, c.unit)} → ${side(c.b, c.unit)}`;
  header.appendChild(paragraph(summary));
  header.appendChild(paragraph(`Significance: ${c.method}.`, 'icicle-compare-method'));
  header.appendChild(startButton('Compare again…'));

  const table = document.createElement('table');
  table.className = 'icicle-compare-table';
  table.setAttribute('aria-label', 'Functions by change');
  const head = table.createTHead().insertRow();
  for (const label of ['', 'Function', 'Change', 'Delta', `Base (${c.a.runs} runs)`, `Head (${c.b.runs} runs)`]) {
    const th = document.createElement('th');
    th.textContent = label;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const row of c.changes.slice(0, 500)) {
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
    cell(VERDICT_TEXT[row.verdict], 'icicle-verdict');
    const fn = cell(row.name || '(anonymous)', 'icicle-function');
    fn.title = row.file;
    cell(percent(row), 'icicle-number');
    cell(`${row.delta >= 0 ? '+' : '−'}${value(Math.abs(row.delta), c.unit)}`, 'icicle-number');
    cell(side(row.a, c.unit), 'icicle-number');
    cell(side(row.b, c.unit), 'icicle-number');
    tr.setAttribute('aria-label', `${row.name || '(anonymous)'}: ${VERDICT_TEXT[row.verdict]}, ${percent(row)}`);
    const open = () => post({ type: 'openFunction', name: row.name, file: row.file });
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', event => {
      if (event.key === 'Enter') open();
      else if (event.key === 'ArrowDown') (tr.nextElementSibling as HTMLElement | null)?.focus();
      else if (event.key === 'ArrowUp') (tr.previousElementSibling as HTMLElement | null)?.focus();
      else return;
      event.preventDefault();
    });
  }
  if (!c.diff) {
    show(header, table);
    return;
  }
  const diff = c.diff;
  const toggle = document.createElement('div');
  toggle.className = 'icicle-diff-toggle';
  toggle.setAttribute('role', 'radiogroup');
  toggle.setAttribute('aria-label', 'Compare');
  const graphHost = document.createElement('div');
  // The table first: it is what a reader scans; the graph below shows where in the call tree the changes are.
  show(header, table, toggle, graphHost);
  const graph = new DiffFlameGraph(graphHost, (name, file) => post({ type: 'openFunction', name, file }));
  const draw = (normalise: boolean) => {
    for (const button of toggle.querySelectorAll('button')) button.setAttribute('aria-checked', String((button.dataset['mode'] === 'normalised') === normalise));
    host.setState({ normalise });
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
  const saved = host.getState() as { normalise?: unknown } | undefined;
  draw(saved?.normalise !== false);
}
