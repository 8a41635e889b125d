import { functionLocation } from '../common/functionIdentity';
import { FRAME_KINDS, type PackedCallTree } from '../common/callTree';
import { valueColumns, type ValueUnit } from './callTreeHierarchy';
import { formatValue } from '../common/valueFormat';
import { functionRows, type FunctionRow } from './functionRows';

/** Rows drawn at once; a filter narrows the rest. Thousands of DOM rows would slow every keystroke. */
const MAX_ROWS = 500;

type SortColumn = 'self' | 'total' | 'name';

export interface FunctionTableEvents {
  /** The user chose a row: show that function in the flame graph. */
  select(row: FunctionRow): void;
  /** The user asked for a row's source (double-click, Ctrl+Enter). */
  openSource(row: FunctionRow): void;
}

/**
 * The table of functions: self and total cost with their share of the whole, sortable by each column and filtered
 * by name or file as the user types. Built with DOM calls and textContent only (names are untrusted). Every row
 * is reachable by keyboard: Tab into the table, arrows between rows, Enter to show in the flame graph,
 * Ctrl+Enter to open the source.
 */
export class FunctionTable {
  readonly element: HTMLElement;
  private readonly filterInput: HTMLInputElement;
  private readonly note: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private readonly headers = new Map<SortColumn, HTMLButtonElement>();
  private rows: FunctionRow[] = [];
  private whole = 0;
  private unit: ValueUnit = 'micros';
  private sortColumn: SortColumn = 'self';
  private descending = true;

  constructor(private readonly events: FunctionTableEvents) {
    this.element = document.createElement('div');
    this.element.className = 'icicle-table-view';
    this.filterInput = document.createElement('input');
    this.filterInput.type = 'search';
    this.filterInput.className = 'icicle-table-filter';
    this.filterInput.placeholder = 'Filter functions by name or file';
    this.filterInput.setAttribute('aria-label', 'Filter functions by name or file');
    this.filterInput.addEventListener('input', () => this.render());
    this.element.appendChild(this.filterInput);
    this.note = document.createElement('div');
    this.note.className = 'icicle-table-note';
    this.element.appendChild(this.note);

    const table = document.createElement('table');
    table.className = 'icicle-table';
    table.setAttribute('aria-label', 'Functions by cost');
    const head = table.createTHead().insertRow();
    for (const [column, label] of [['self', 'Self'], ['total', 'Total'], ['name', 'Function']] as [SortColumn, string][]) {
      const cell = document.createElement('th');
      cell.scope = 'col';
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'icicle-sort';
      button.textContent = label;
      button.addEventListener('click', () => this.sortBy(column));
      cell.appendChild(button);
      head.appendChild(cell);
      this.headers.set(column, button);
    }
    this.body = table.createTBody();
    this.element.appendChild(table);
    this.body.addEventListener('keydown', event => this.onKey(event));
  }

  show(tree: PackedCallTree, unit: ValueUnit): void {
    this.unit = unit;
    this.rows = functionRows(tree, unit);
    this.whole = valueColumns(tree, unit).total[0] ?? 0;
    this.render();
  }

  sortBy(column: SortColumn): void {
    this.descending = column === this.sortColumn ? !this.descending : column !== 'name';
    this.sortColumn = column;
    this.render();
  }

  /** The function names of the rows shown, in order, for tests. */
  shownNames(): string[] {
    return [...this.body.rows].map(row => row.dataset['name'] ?? '');
  }

  private render(): void {
    const needle = this.filterInput.value.trim().toLowerCase();
    const filtered = needle === '' ? this.rows : this.rows.filter(r => r.name.toLowerCase().includes(needle) || r.url.toLowerCase().includes(needle));
    const direction = this.descending ? -1 : 1;
    const column = this.sortColumn;
    const sorted = [...filtered].sort((a, b) =>
      column === 'name' ? direction * a.name.localeCompare(b.name) : direction * (a[column] - b[column]) || a.name.localeCompare(b.name),
    );
    for (const [name, button] of this.headers) {
      const cell = button.parentElement!;
      if (name === column) cell.setAttribute('aria-sort', this.descending ? 'descending' : 'ascending');
      else cell.removeAttribute('aria-sort');
    }
    const shown = sorted.slice(0, MAX_ROWS);
    this.note.textContent =
      sorted.length > shown.length ? `Showing ${shown.length} of ${sorted.length} functions; type to filter.` : `${sorted.length} function${sorted.length === 1 ? '' : 's'}`;
    this.body.replaceChildren(...shown.map(row => this.rowElement(row)));
    const first = this.body.rows[0];
    if (first) first.tabIndex = 0;
  }

  private rowElement(row: FunctionRow): HTMLTableRowElement {
    const tr = document.createElement('tr');
    tr.className = 'icicle-table-row';
    tr.tabIndex = -1;
    tr.dataset['name'] = row.name;
    tr.dataset['kind'] = FRAME_KINDS[row.kind] ?? 'user';
    tr.dataset['vscodeContext'] = JSON.stringify({ webviewSection: 'frame', icicleFunction: row.name.slice(0, 10_000), icicleFile: row.url.slice(0, 8192), preventDefaultContextMenuItems: true });
    const where = functionLocation({ name: row.name, file: row.url, line: row.line, column: row.column });
    tr.setAttribute('aria-label', `${row.name}, self ${this.share(row.self)}, total ${this.share(row.total)}${where ? `, ${where}` : ''}`);
    this.cell(tr, `${this.value(row.self)} · ${this.share(row.self)}`, 'icicle-number');
    this.cell(tr, `${this.value(row.total)} · ${this.share(row.total)}`, 'icicle-number');
    const name = this.cell(tr, row.name, 'icicle-function');
    if (where) {
      const file = document.createElement('span');
      file.className = 'icicle-function-file';
      file.textContent = where;
      name.appendChild(file);
    }
    tr.addEventListener('click', () => this.events.select(row));
    tr.addEventListener('dblclick', () => this.events.openSource(row));
    tr.addEventListener('focus', () => {
      for (const other of this.body.rows) other.tabIndex = other === tr ? 0 : -1;
    });
    return tr;
  }

  private onKey(event: KeyboardEvent): void {
    const row = (event.target as HTMLElement).closest('tr');
    if (!row) return;
    const index = row.sectionRowIndex;
    const move = (to: number) => {
      const target = this.body.rows[Math.max(0, Math.min(this.body.rows.length - 1, to))];
      target?.focus();
      event.preventDefault();
    };
    if (event.key === 'ArrowDown') move(index + 1);
    else if (event.key === 'ArrowUp') move(index - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(this.body.rows.length - 1);
    else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      row.dispatchEvent(new MouseEvent(event.ctrlKey || event.metaKey ? 'dblclick' : 'click'));
    }
  }

  private cell(tr: HTMLTableRowElement, text: string, className: string): HTMLTableCellElement {
    const td = tr.insertCell();
    td.className = className;
    td.textContent = text;
    return td;
  }

  private value(v: number): string {
    return formatValue(v, this.unit);
  }

  private share(v: number): string {
    return this.whole > 0 ? `${((100 * v) / this.whole).toFixed(1)}%` : '—';
  }
}
