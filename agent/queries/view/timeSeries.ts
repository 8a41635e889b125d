import { COLUMN } from '../../../storage/schema';
import { count, executePlan, groupKey, max, min, numbers, scan, selectionPredicate, sum, type ScanSource, type Selection } from '../../../storage/query';

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
