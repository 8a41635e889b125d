import { LABEL_KEY_PATTERN, LABEL_PREFIX, isInternalLabel, isLabelColumn, labelColumn } from '../../../storage/schema';
import { count, executePlan, numbers, scan, selectionPredicate, strings, type ScanSource, type Selection } from '../../../storage/query';

/**
 * The label keys of the snapshot, sorted, internal ones left out. Without a selection this is the store's column
 * list (a label column exists only once some row had the label). With one, a key is listed only if some selected row has it: one
 * scan computing count(labels.k) (non-null values) per key.
 */
export async function labelKeys(source: ScanSource, selection?: Selection): Promise<string[]> {
  const columns = source.columnNames().filter(c => isLabelColumn(c) && !isInternalLabel(c.slice(LABEL_PREFIX.length))).sort();
  if (selection === undefined || columns.length === 0) return columns.map(c => c.slice(LABEL_PREFIX.length));
  const plan = scan()
    .where(selectionPredicate(selection))
    .aggregate([], columns.map(c => count(c, c)))
    .build();
  const { table } = await executePlan(plan, source);
  return columns.filter(c => numbers(table, c)[0]! > 0).map(c => c.slice(LABEL_PREFIX.length));
}

/** The distinct values of one label among the selected rows, sorted; rows without the label add nothing. */
export async function labelValues(source: ScanSource, key: string, selection?: Selection): Promise<string[]> {
  if (!LABEL_KEY_PATTERN.test(key)) throw new Error(`invalid label name ${JSON.stringify(key)}`);
  const column = labelColumn(key);
  const plan = scan()
    .where(selection === undefined ? undefined : selectionPredicate(selection))
    .distinct(column)
    .build();
  const { table } = await executePlan(plan, source);
  return strings(table, column).filter((v): v is string => v !== null);
}
