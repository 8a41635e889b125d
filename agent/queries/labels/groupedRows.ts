/** Rows of a grouped result read per step, between which the query may pause. */
const ROWS_PER_STEP = 16_384;

/** A label's grouped totals as the engine returns them: columns `label` (when grouped by it), `total`, `samples`. */
export interface GroupedTable {
  readonly numRows: number;
  getChild(name: string): { get(index: number): unknown } | null;
}

/**
 * Visits each row of a grouped table (its label, or null without one; its total and sample count), pausing every
 * ROWS_PER_STEP rows so that a label with a million values does not hold the agent's thread (run it with runSliced).
 */
export function* eachGroupedRow(table: GroupedTable, byLabel: boolean, visit: (label: string | null, total: number, samples: number) => void): Generator<void, void> {
  const labels = byLabel ? table.getChild('label') : null;
  const totals = table.getChild('total');
  const counts = table.getChild('samples');
  for (let start = 0; start < table.numRows; start += ROWS_PER_STEP) {
    const end = Math.min(table.numRows, start + ROWS_PER_STEP);
    for (let i = start; i < end; i++) visit((labels?.get(i) as string | null | undefined) ?? null, Number(totals?.get(i) ?? 0), Number(counts?.get(i) ?? 0));
    yield;
  }
}
