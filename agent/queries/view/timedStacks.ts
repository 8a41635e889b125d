import { COLUMN } from '../../../storage/schema';
import { executePlan, numbers, scan, selectionPredicate, type ScanSource, type Selection } from '../../../storage/query';

/**
 * A selection's samples in time order, as columns: what a view keeps so that another time range of the same
 * selection is summed from memory, by a binary search and one pass over the samples in the range, instead of
 * scanning the store again. 28 bytes a sample; the view keeps it only for selections of up to a few million.
 */
export interface TimedStacks {
  /** Ascending. */
  timestamps: Float64Array;
  /** Each sample's stack, as an index into `stackIds`. */
  stackIndex: Uint32Array;
  values: Float64Array;
  /** Each sample's `duration_ns` (its profile's own duration, for the view's summary). */
  durationNs: Float64Array;
  /** The distinct stacks, ascending. */
  stackIds: Uint32Array;
}

/** The selection's samples in time order; the selection's own time range, if any, applies. */
export async function timedStacks(source: ScanSource, selection: Selection): Promise<TimedStacks> {
  const plan = scan([COLUMN.timestamp, COLUMN.stackId, COLUMN.value, COLUMN.duration]).where(selectionPredicate(selection)).build();
  const { table } = await executePlan(plan, source);
  const timestamps = numbers(table, COLUMN.timestamp);
  const stacks = numbers(table, COLUMN.stackId);
  const values = numbers(table, COLUMN.value);
  const durations = numbers(table, COLUMN.duration);
  const n = timestamps.length;
  const stackIds = Uint32Array.from(new Set(stacks)).sort();
  const indexOf = new Map<number, number>();
  stackIds.forEach((id, i) => indexOf.set(id, i));
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = timestamps[i - 1]! <= timestamps[i]!;
  // Blocks are sorted by their labels, so samples come in time order per block at best: sorted here when they don't.
  const order = sorted ? undefined : Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => timestamps[a]! - timestamps[b]! || a - b);
  const out: TimedStacks = { timestamps: new Float64Array(n), stackIndex: new Uint32Array(n), values: new Float64Array(n), durationNs: new Float64Array(n), stackIds };
  for (let i = 0; i < n; i++) {
    const row = order === undefined ? i : order[i]!;
    out.timestamps[i] = timestamps[row]!;
    out.stackIndex[i] = indexOf.get(stacks[row]!)!;
    out.values[i] = values[row]!;
    out.durationNs[i] = durations[row]!;
  }
  return out;
}

/**
 * The rows with startMs ≤ timestamp < endMs summed per stack (`samples[k]` and `values[k]` for `stackIds[k]`): the
 * sums mergeStacks makes of the range, since values are whole numbers and the order of addition does not change
 * them. With the longest duration among them (0 when the range holds no sample, as the store's max over no rows reads).
 */
export function sumTimeRange(timed: TimedStacks, range: { startMs: number; endMs: number }): { samples: Float64Array; values: Float64Array; longestNs: number } {
  const from = firstAtOrAfter(timed.timestamps, range.startMs);
  const to = firstAtOrAfter(timed.timestamps, range.endMs);
  const k = timed.stackIds.length;
  const values = new Float64Array(k);
  const samples = new Float64Array(k);
  let longest = -Infinity;
  for (let r = from; r < to; r++) {
    const s = timed.stackIndex[r]!;
    values[s]! += timed.values[r]!;
    samples[s]!++;
    if (timed.durationNs[r]! > longest) longest = timed.durationNs[r]!;
  }
  return { samples, values, longestNs: to > from ? longest : 0 };
}

/** The memory the columns hold, for the cache's bound. */
export function timedStacksBytes(timed: TimedStacks): number {
  return timed.timestamps.length * (8 + 4 + 8 + 8) + timed.stackIds.length * 4;
}

/** The index of the first element ≥ `at` in an ascending array (its length when there is none). */
function firstAtOrAfter(sorted: Float64Array, at: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
