import { waitingShare, type LabelBreakdownResult as Answer } from '../common/labelBreakdown';
import type { AsSent } from '../common/protocol/answerSchemas';
import { formatCount, formatValue } from '../common/valueFormat';

/** The answer as it arrives (undefined parts left out). */
type LabelBreakdownResult = AsSent<Answer>;

/** How the values without the label are named: `{key=""}` selects them. */
export const NO_VALUE_TEXT = '(none)';

export interface LabelBreakdownEvents {
  /** The user picked another label to group by. */
  chooseKey(key: string): void;
  /** The user chose a value: narrow the selection to `{key="value"}` (null: the samples without the label). */
  narrow(key: string, value: string | null): void;
  /** The user went back to the selection they narrowed from. */
  back(selector: string): void;
}

/**
 * The By Label tab: the selection's CPU (or its type's value) per value of one label, largest first, each value's
 * share of the whole, and the values beyond the agent's page summed as "N others"; CPU by a span's label shows the
 * spans' wall time beside it and the share of it spent waiting. A value is a button that narrows
 * the selection to it; "Back" returns to the selection before. Built with DOM calls and textContent only: label
 * values come from profiled programs (a route, a span name, a trace id) and are never parsed as HTML.
 */
export class LabelBreakdownView {
  readonly element: HTMLElement;
  private readonly keyPicker: HTMLSelectElement;
  private readonly backButton: HTMLButtonElement;
  private readonly note: HTMLElement;
  private readonly head: HTMLTableRowElement;
  private readonly body: HTMLTableSectionElement;
  /** The selections narrowed from, the latest last. */
  private readonly history: string[] = [];
  private shown: LabelBreakdownResult | undefined;

  constructor(private readonly events: LabelBreakdownEvents) {
    this.element = document.createElement('div');
    this.element.className = 'icicle-by-label-view';
    const controls = document.createElement('div');
    controls.className = 'icicle-by-label-controls';
    const pickerLabel = document.createElement('label');
    pickerLabel.textContent = 'Group by ';
    this.keyPicker = document.createElement('select');
    this.keyPicker.className = 'icicle-by-label-key icicle-type-picker';
    this.keyPicker.addEventListener('change', () => this.events.chooseKey(this.keyPicker.value));
    pickerLabel.appendChild(this.keyPicker);
    controls.appendChild(pickerLabel);
    this.backButton = document.createElement('button');
    this.backButton.type = 'button';
    this.backButton.className = 'icicle-by-label-back';
    this.backButton.hidden = true;
    this.backButton.addEventListener('click', () => {
      const previous = this.history.pop();
      this.showBack();
      if (previous !== undefined) this.events.back(previous);
    });
    controls.appendChild(this.backButton);
    this.element.appendChild(controls);
    this.note = document.createElement('div');
    this.note.className = 'icicle-table-note icicle-by-label-note';
    this.element.appendChild(this.note);

    const table = document.createElement('table');
    table.className = 'icicle-table icicle-by-label-table';
    table.setAttribute('aria-label', 'Cost by label value');
    this.head = table.createTHead().insertRow();
    this.showHead(false);
    this.body = table.createTBody();
    this.element.appendChild(table);
  }

  /**
   * The columns: each value's total and share; with the spans' wall time (a CPU breakdown by a span label), its CPU,
   * its wall time and the share of that wall time spent waiting.
   */
  private showHead(withWall: boolean): void {
    const labels = withWall ? ['CPU', 'Wall', 'Waiting', 'Share', 'Value'] : ['Total', 'Share', 'Value'];
    this.head.replaceChildren(
      ...labels.map(label => {
        const cell = document.createElement('th');
        cell.scope = 'col';
        cell.textContent = label;
        return cell;
      }),
    );
  }

  /** Says the answer is on its way (the table keeps the last one until it comes). */
  showQuerying(): void {
    this.note.textContent = 'Querying the store…';
  }

  showError(message: string): void {
    this.note.textContent = message;
  }

  show(result: LabelBreakdownResult): void {
    this.shown = result;
    this.keyPicker.replaceChildren(
      ...result.keys.map(key => {
        const option = document.createElement('option');
        option.value = key;
        option.textContent = key;
        return option;
      }),
    );
    if (result.key !== undefined) this.keyPicker.value = result.key;
    this.keyPicker.disabled = result.keys.length === 0;
    this.showBack();
    this.showHead(result.wall !== undefined);
    if (result.key === undefined) {
      this.note.textContent = 'The selected samples carry no labels to group them by.';
      this.body.replaceChildren();
      return;
    }
    const valueCount = result.shares.length + result.others.values;
    const wallNote = result.wall === undefined ? '' : ` · spans' wall time ${formatValue(result.wall.total, 'micros')}`;
    this.note.textContent = `${formatCount(valueCount)} value${valueCount === 1 ? '' : 's'} of ${result.key} · ${formatValue(result.total, result.unit)} in all${wallNote}`;
    const rows = result.shares.map(share => this.row(result, share.value, share.total, share.wall));
    if (result.others.values > 0) {
      const others = this.row(result, undefined, result.others.total, result.wall && result.others.values > 0 ? result.wall.others : undefined);
      rows.push(others);
    }
    this.body.replaceChildren(...rows);
  }

  /** The values shown, in order, as their cells read (for tests). */
  shownValues(): string[] {
    return [...this.body.rows].map(row => row.dataset['value'] ?? '');
  }

  /** Keeps the selection being narrowed from, so that Back returns to it. */
  narrowedFrom(selector: string): void {
    this.history.push(selector);
    this.showBack();
  }

  private showBack(): void {
    const previous = this.history[this.history.length - 1];
    this.backButton.hidden = previous === undefined;
    this.backButton.textContent = previous === undefined ? '' : `Back to ${previous === '' ? 'all samples' : previous}`;
  }

  /** A value's row; `value` undefined: the summed others, which narrow nothing. `wall`: its spans' wall time. */
  private row(result: LabelBreakdownResult, value: string | null | undefined, total: number, wall: number | undefined): HTMLTableRowElement {
    const key = result.key!;
    const tr = document.createElement('tr');
    tr.className = 'icicle-table-row icicle-by-label-row';
    const share = result.total > 0 ? `${((100 * total) / result.total).toFixed(1)}%` : '—';
    const text = value === undefined ? `${formatCount(result.others.values)} others` : value === null ? NO_VALUE_TEXT : value;
    tr.dataset['value'] = text;
    cell(tr, formatValue(total, result.unit), 'icicle-number');
    if (result.wall !== undefined) {
      // "wall 48 ms · CPU 12 ms · waiting 75%": the rest of a request's wall time was waiting (I/O, timers, the CPU).
      const waiting = waitingShare(total, wall);
      cell(tr, wall === undefined ? '—' : formatValue(wall, 'micros'), 'icicle-number icicle-by-label-wall');
      const waitingCell = cell(tr, waiting === undefined ? '—' : `${(100 * waiting).toFixed(0)}%`, 'icicle-number icicle-by-label-waiting');
      waitingCell.title =
        wall === undefined || waiting === undefined
          ? 'No span of this value ended in the selection: no wall time to compare'
          : `wall ${formatValue(wall, 'micros')} · CPU ${formatValue(total, result.unit)} · waiting ${(100 * waiting).toFixed(0)}%`;
    }
    cell(tr, share, 'icicle-number icicle-by-label-share');
    const name = cell(tr, '', 'icicle-function');
    if (value === undefined) {
      name.textContent = text;
      name.classList.add('icicle-by-label-others');
      return tr;
    }
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'icicle-by-label-value';
    button.textContent = text;
    button.title = value === null ? `Show the samples without ${key}` : `Show only ${key}=${value}`;
    button.addEventListener('click', () => {
      if (this.shown) this.narrowedFrom(this.shown.selector);
      this.events.narrow(key, value);
    });
    name.appendChild(button);
    return tr;
  }
}

function cell(tr: HTMLTableRowElement, text: string, className: string): HTMLTableCellElement {
  const td = tr.insertCell();
  td.className = className;
  td.textContent = text;
  return td;
}
