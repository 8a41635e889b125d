import { COLUMN } from '../../../storage/schema';
import { count, executePlan, numbers, scan, selectionPredicate, sum, type ScanSource, type Selection } from '../../../storage/query';

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
