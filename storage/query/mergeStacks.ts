import { COLUMN } from '../schema';
import { executePlan } from './execute';
import { count, scan, sum } from './logicalPlan';
import { numbers } from './resultColumns';
import type { ScanSource } from './scanSource';
import { selectionPredicate, type Selection } from './selection';

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
