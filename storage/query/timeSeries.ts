import { COLUMN } from '../schema';
import { executePlan } from './execute';
import { count, groupKey, scan, sum } from './logicalPlan';
import { numbers } from './resultColumns';
import type { ScanSource } from './scanSource';
import { selectionPredicate, type Selection } from './selection';

/** Summed value and sample count per time bucket, ascending; buckets without samples are absent. */
export interface TimeSeries {
  /** Start of each bucket: floor(timestamp / bucketMs) * bucketMs. */
  bucketStartMs: Float64Array;
  values: Float64Array;
  samples: Float64Array;
}

/** The selected samples over time, for the timeline above a profile view. */
export async function timeSeries(source: ScanSource, selection: Selection, bucketMs: number): Promise<TimeSeries> {
  const plan = scan()
    .where(selectionPredicate(selection))
    .aggregate([groupKey(COLUMN.timestamp, bucketMs, 'bucket')], [sum(COLUMN.value, 'value'), count('samples')])
    .build();
  const { table } = await executePlan(plan, source);
  return { bucketStartMs: numbers(table, 'bucket'), values: numbers(table, 'value'), samples: numbers(table, 'samples') };
}
