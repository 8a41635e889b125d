import { COLUMN, labelColumn } from '../../../storage/schema';
import { executePlan, max, numbers, scan, selectionPredicate, strings, type ScanSource, type Selection } from '../../../storage/query';

/**
 * The values of one label among the selected samples, newest first by their last sample, e.g. the selection's runs
 * by `session_id`. Samples without the label are not counted.
 */
export async function labelValuesByRecency(source: ScanSource, selection: Selection, key: string): Promise<{ value: string; lastMs: number }[]> {
  const column = labelColumn(key);
  if (!source.columnNames().includes(column)) return [];
  const plan = scan().where(selectionPredicate(selection)).aggregate([column], [max(COLUMN.timestamp, 'last')]).build();
  const { table } = await executePlan(plan, source);
  const values = strings(table, column);
  const last = numbers(table, 'last');
  const out: { value: string; lastMs: number }[] = [];
  values.forEach((value, row) => {
    if (value !== null && value !== '') out.push({ value, lastMs: last[row]! });
  });
  return out.sort((a, b) => b.lastMs - a.lastMs || (a.value < b.value ? -1 : 1));
}
