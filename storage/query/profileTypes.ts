import { COLUMN } from '../schema';
import { executePlan } from './execute';
import { max, min, scan } from './logicalPlan';
import type { ScanSource } from './scanSource';
import { selectionPredicate, type Selection } from './selection';

/** The distinct profile types among the selected samples, sorted (a selection's own type, if any, is ignored). */
export async function profileTypes(source: ScanSource, selection: Selection): Promise<string[]> {
  if (!source.columnNames().includes(COLUMN.profileType)) return [];
  const { profileType: _ignored, ...rest } = selection;
  const plan = scan([COLUMN.profileType]).where(selectionPredicate(rest)).distinct(COLUMN.profileType).build();
  const { table } = await executePlan(plan, source);
  const column = table.getChild(COLUMN.profileType);
  const out: string[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const value = column?.get(i) as string | null | undefined;
    if (value !== null && value !== undefined) out.push(value);
  }
  return out.sort();
}

/** The first and last sample timestamps of the selection, or undefined when it selects nothing. */
export async function timeSpan(source: ScanSource, selection: Selection): Promise<{ startMs: number; endMs: number } | undefined> {
  const plan = scan([COLUMN.timestamp]).where(selectionPredicate(selection)).aggregate([], [min(COLUMN.timestamp, 'first'), max(COLUMN.timestamp, 'last')]).build();
  const { table } = await executePlan(plan, source);
  if (table.numRows === 0) return undefined;
  // Read through get(): an aggregate over no rows is null, which the raw values would show as 0.
  const first = table.getChild('first')?.get(0) as number | null | undefined;
  const last = table.getChild('last')?.get(0) as number | null | undefined;
  if (typeof first !== 'number' || typeof last !== 'number' || !Number.isFinite(first) || !Number.isFinite(last)) return undefined;
  return { startMs: first, endMs: last };
}
