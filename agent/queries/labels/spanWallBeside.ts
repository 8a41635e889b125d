import { COLUMN, labelColumn } from '../../../storage/schema';
import { and, count, executePlan, groupKey, isIn, runSliced, scan, selectionPredicate, sum, type ScanSource, type Selection } from '../../../storage/query';
import { eachGroupedRow, type GroupedTable } from './groupedRows';

/** A breakdown's values, as labelBreakdown lists them: a label's value, or null for the samples without it. */
interface ListedValue {
  value: string | null;
}

/** The spans' wall time beside a breakdown: per listed value (undefined: no span of it ended), the rest, the whole. */
export interface WallBeside {
  shares: (number | undefined)[];
  /** The wall time of the values not listed (the breakdown's `others`). */
  others: number;
  /** The wall time of every span selected. */
  total: number;
}

/**
 * The wall time of the spans in `selection` (of the span wall time type: one row per span, worth its duration) for
 * each value a breakdown of another type listed, so that a request's, a route's or a span name's wall time stands
 * beside its CPU. Two scans of the wall rows, which are one per request: the listed values' totals (the label
 * restricted to them, at most a page of values, so a label with a value per request costs no million-group
 * aggregate), and the whole; the values not listed get the difference.
 */
export async function spanWallBeside(source: ScanSource, key: string, selection: Selection, listed: readonly ListedValue[]): Promise<WallBeside> {
  const column = labelColumn(key);
  const where = selectionPredicate(selection);
  const whole = await executePlan(scan().where(where).aggregate([], [sum(COLUMN.value, 'total')]).build(), source);
  const total = Number(whole.table.getChild('total')?.get(0) ?? 0);
  const byValue = new Map<string | null, number>();
  if (listed.length > 0 && total > 0) {
    const hasColumn = source.columnNames().includes(column);
    // An absent label reads as '' (expression.ts), so '' stands for the listed null: the rows without the label.
    const values = listed.map(share => share.value ?? '');
    const restricted = hasColumn ? (where ? and(where, isIn(column, values)) : isIn(column, values)) : where;
    const grouped = hasColumn ? [groupKey(column, undefined, 'label')] : [];
    const plan = scan()
      .where(restricted)
      .aggregate(grouped, [sum(COLUMN.value, 'total'), count('samples')])
      .build();
    const { table } = await executePlan(plan, source);
    await runSliced(source, readTotals(table, hasColumn, listed.some(share => share.value === null), byValue));
  }
  const shares = listed.map(share => byValue.get(share.value));
  const listedTotal = shares.reduce<number>((s, wall) => s + (wall ?? 0), 0);
  return { shares, others: Math.max(0, total - listedTotal), total };
}

/** The grouped rows into `byValue`, '' and absent alike as null (the breakdown's "(none)") when null was listed. */
function readTotals(table: GroupedTable, byLabel: boolean, noneListed: boolean, byValue: Map<string | null, number>): Generator<void, void> {
  return eachGroupedRow(table, byLabel, (raw, total, samples) => {
    if (samples === 0) return;
    const value = raw === null || raw === '' ? null : raw;
    if (value === null && !noneListed) return;
    byValue.set(value, (byValue.get(value) ?? 0) + total);
  });
}
