import { COLUMN, LABEL_KEY_PATTERN, labelColumn } from '../../../storage/schema';
import { count, executePlan, groupKey, numbers, scan, selectionPredicate, strings, sum, type ScanSource, type Selection } from '../../../storage/query';

/** Per stack (ascending id): the summed sample value and the number of sample rows. */
export interface MergedStacks {
  stackIds: Uint32Array;
  values: Float64Array;
  samples: Float64Array;
}

/**
 * The core of every profile view (Parca's "merge"): the selected samples summed per stack id. Runs as
 * scan → filter → aggregate by stack_id, which takes the hash aggregate's dense fast path.
 */
export async function mergeStacks(source: ScanSource, selection: Selection): Promise<MergedStacks> {
  const plan = scan()
    .where(selectionPredicate(selection))
    .aggregate([COLUMN.stackId], [sum(COLUMN.value, 'value'), count('samples')])
    .build();
  const { table } = await executePlan(plan, source);
  return {
    stackIds: Uint32Array.from(numbers(table, COLUMN.stackId)),
    values: numbers(table, 'value'),
    samples: numbers(table, 'samples'),
  };
}

/**
 * The selection's stacks merged per (stack, leaf line): the value and samples of each, with the line the leaf was
 * executing (0: unknown). Without a line column (an older store), merged per stack with no leaf lines.
 */
export async function mergeStacksWithLeafLines(source: ScanSource, selection: Selection): Promise<{ merged: MergedStacks; leafLines: Float64Array | undefined }> {
  if (!source.columnNames().includes(COLUMN.line)) return { merged: await mergeStacks(source, selection), leafLines: undefined };
  const plan = scan()
    .where(selectionPredicate(selection))
    .aggregate([COLUMN.stackId, COLUMN.line], [sum(COLUMN.value, 'value'), count('samples')])
    .build();
  const { table } = await executePlan(plan, source);
  const stackIds = Uint32Array.from(numbers(table, COLUMN.stackId));
  // A null line (a block written before the column existed) reads as NaN here: unknown, like 0.
  const leafLines = Float64Array.from(numbers(table, COLUMN.line), line => (line > 0 ? line : 0));
  return { merged: { stackIds, values: numbers(table, 'value'), samples: numbers(table, 'samples') }, leafLines };
}

/**
 * The selection's stacks merged per (stack, value of the label `key`): each row's stack, value, samples and label
 * value (null: without it). Undefined when no row of the store ever had the label, so asking costs nothing then.
 */
export async function mergeStacksByLabel(source: ScanSource, selection: Selection, key: string): Promise<{ merged: MergedStacks; labels: (string | null)[] } | undefined> {
  if (!LABEL_KEY_PATTERN.test(key)) throw new Error(`invalid label name ${JSON.stringify(key)}`);
  const column = labelColumn(key);
  if (!source.columnNames().includes(column)) return undefined;
  const plan = scan()
    .where(selectionPredicate(selection))
    .aggregate([COLUMN.stackId, groupKey(column, undefined, 'label')], [sum(COLUMN.value, 'value'), count('samples')])
    .build();
  const { table } = await executePlan(plan, source);
  return {
    merged: { stackIds: Uint32Array.from(numbers(table, COLUMN.stackId)), values: numbers(table, 'value'), samples: numbers(table, 'samples') },
    labels: strings(table, 'label'),
  };
}
