import { defaultBreakdownKey, WALL_BESIDE_KEYS, type LabelBreakdownQuery, type LabelBreakdownResult } from '../../../common/labelBreakdown';
import { CPU_TIME_PROFILE_TYPE, displayUnitOf, preferredProfileType, SPAN_WALL_TIME_PROFILE_TYPE, toDisplayUnit } from '../../../common/profileTypes';
import { formatSelector } from '../../../common/selector';
import { COLUMN, LABEL_KEY_PATTERN, labelColumn } from '../../../storage/schema';
import type { Store } from '../../../storage/store';
import { parseMatchers } from '../parseMatchers';
import { profileTypes } from '../selectionProfileTypes';
import { labelKeys } from './labelQueries';
import { eachGroupedRow, type GroupedTable } from './groupedRows';
import { spanWallBeside } from './spanWallBeside';
import { count, executePlan, groupKey, runSliced, scan, selectionPredicate, sum, type ScanSource, type Selection } from '../../../storage/query';

/** One value of the label and what the selected samples carrying it add up to, in the store's unit. */
export interface LabelShare {
  /** The label's value; null for the samples without the label (or with it empty: `{key=""}` selects both). */
  value: string | null;
  total: number;
  samples: number;
}

/** What a selection's samples add up to per value of one label: the largest `limit` values and the rest summed. */
export interface LabelBreakdown {
  /** Largest total first; ties by value, so the answer is the same however the rows were stored. */
  shares: LabelShare[];
  /** The values beyond the first `limit`, summed: how many, and their total and samples. */
  others: { values: number; total: number; samples: number };
  /** The whole selection: the shares and the others add up to it. */
  total: number;
  samples: number;
}


/**
 * The selected samples grouped by the label `key` (one scan: group by the label's column, sum of value and count),
 * then the `limit` values with the largest totals kept and the rest summed into `others`, so a label with a value per
 * request (`trace_id`) answers with a page, never a million rows. The top-N selection runs in slices
 * (yieldSlice.ts), like the scan, so a high-cardinality label does not hold the agent's thread.
 */
export async function labelBreakdown(source: ScanSource, key: string, selection: Selection, limit: number): Promise<LabelBreakdown> {
  if (!LABEL_KEY_PATTERN.test(key)) throw new Error(`invalid label name ${JSON.stringify(key)}`);
  // Made first, so a wrong limit is refused before the scan.
  const ranking = new ShareRanking(limit);
  const column = labelColumn(key);
  // A label no row ever had has no column: every selected sample then lacks it.
  const grouped = source.columnNames().includes(column) ? [groupKey(column, undefined, 'label')] : [];
  const plan = scan()
    .where(selectionPredicate(selection))
    .aggregate(grouped, [sum(COLUMN.value, 'total'), count('samples')])
    .build();
  const { table } = await executePlan(plan, source);
  return runSliced(source, topShares(table, grouped.length > 0, ranking));
}

/** The grouped rows ranked (a bounded min-heap, so a million values cost n log limit), a step at a time. */
function* topShares(table: GroupedTable, byLabel: boolean, ranking: ShareRanking): Generator<void, LabelBreakdown> {
  yield* eachGroupedRow(table, byLabel, (label, total, samples) => ranking.add(label, total, samples));
  return ranking.finish();
}

/**
 * The ranking of a label's values by total, in one home for every breakdown (the By Label tab, `icicle top --by`, a
 * function's split across routes in the source): each distinct value offered once with its total, absent and empty
 * merged into one "(none)" share, the largest `limit` kept (a bounded min-heap) and the rest summed as others.
 */
export class ShareRanking {
  private readonly none: LabelShare = { value: null, total: 0, samples: 0 };
  private readonly heap: LabelShare[] = [];
  private total = 0;
  private samples = 0;
  private distinct = 0;

  constructor(private readonly limit: number) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new Error(`the number of values to list must be a positive integer, got ${limit}`);
  }

  /** One distinct value (null or '': the samples without the label) and what its samples add up to. */
  add(value: string | null, total: number, samples: number): void {
    if (samples === 0) return;
    this.total += total;
    this.samples += samples;
    // Absent and empty read alike in selectors (`{key=""}` selects both), so they are one "(none)" share.
    if (value === null || value === '') {
      this.none.total += total;
      this.none.samples += samples;
    } else this.offer({ value, total, samples });
  }

  finish(): LabelBreakdown {
    if (this.none.samples > 0) this.offer(this.none);
    const shares = this.heap.sort((a, b) => (smaller(a, b) ? 1 : smaller(b, a) ? -1 : 0));
    const keptTotal = shares.reduce((s, share) => s + share.total, 0);
    const keptSamples = shares.reduce((s, share) => s + share.samples, 0);
    return { shares, others: { values: this.distinct - shares.length, total: this.total - keptTotal, samples: this.samples - keptSamples }, total: this.total, samples: this.samples };
  }

  private offer(share: LabelShare): void {
    const heap = this.heap;
    this.distinct++;
    if (heap.length < this.limit) {
      heap.push(share);
      siftUp(heap, heap.length - 1);
    } else if (smaller(heap[0]!, share)) {
      heap[0] = share;
      siftDown(heap, 0);
    }
  }
}

/** Whether `a` ranks below `b`: a smaller total, or the same and a later value (null, "(none)", last). */
function smaller(a: LabelShare, b: LabelShare): boolean {
  if (a.total !== b.total) return a.total < b.total;
  if (a.value === b.value) return false;
  if (a.value === null) return true;
  if (b.value === null) return false;
  return a.value > b.value;
}

function siftUp(heap: LabelShare[], at: number): void {
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (!smaller(heap[at]!, heap[parent]!)) return;
    [heap[at], heap[parent]] = [heap[parent]!, heap[at]!];
    at = parent;
  }
}

function siftDown(heap: LabelShare[], at: number): void {
  for (;;) {
    const left = 2 * at + 1;
    const right = left + 1;
    let least = at;
    if (left < heap.length && smaller(heap[left]!, heap[least]!)) least = left;
    if (right < heap.length && smaller(heap[right]!, heap[least]!)) least = right;
    if (least === at) return;
    [heap[at], heap[least]] = [heap[least]!, heap[at]!];
    at = least;
  }
}

/**
 * A view's selection broken down by a label, for the flame graph's By Label tab: the selection's label keys, the
 * label grouped by (the one asked for, else a default), and its values in the view's type (the preferred one when
 * none is given), converted to the type's display unit, all read from one snapshot.
 */
export async function queryLabelBreakdown(store: Pick<Store, 'snapshot'>, query: LabelBreakdownQuery): Promise<LabelBreakdownResult> {
  const snapshot = store.snapshot();
  try {
    return await labelBreakdownOf(snapshot, query);
  } finally {
    snapshot.release();
  }
}

/** queryLabelBreakdown's work on any source of rows: a store snapshot, or a selection read from a dataset. */
export async function labelBreakdownOf(source: ScanSource, query: LabelBreakdownQuery): Promise<LabelBreakdownResult> {
  const matchers = parseMatchers(query.selector);
  const types = await profileTypes(source, { matchers });
  const profileType = query.profileType !== undefined && types.includes(query.profileType) ? query.profileType : preferredProfileType(types);
  const selection: Selection = { matchers, ...(profileType !== undefined ? { profileType } : {}), ...(query.timeRange ? { timeRange: query.timeRange } : {}) };
  const keys = await labelKeys(source, selection);
  const key = defaultBreakdownKey(keys, query.key);
  const toDisplay = toDisplayUnit(profileType);
  const answer = {
    key,
    keys,
    selector: formatSelector(matchers),
    profileType,
    timeRange: query.timeRange,
    unit: displayUnitOf(profileType),
  };
  if (key === undefined || profileType === undefined) return { ...answer, shares: [], others: { values: 0, total: 0, samples: 0 }, total: 0, samples: 0 };
  const breakdown = await labelBreakdown(source, key, selection, query.limit);
  // CPU by a span's label: the spans' wall time beside it, from the same source, selection and range.
  const withWall = profileType === CPU_TIME_PROFILE_TYPE && WALL_BESIDE_KEYS.includes(key) && types.includes(SPAN_WALL_TIME_PROFILE_TYPE);
  const wall = withWall ? await spanWallBeside(source, key, { ...selection, profileType: SPAN_WALL_TIME_PROFILE_TYPE }, breakdown.shares) : undefined;
  const wallToDisplay = toDisplayUnit(SPAN_WALL_TIME_PROFILE_TYPE);
  return {
    ...answer,
    shares: breakdown.shares.map((share, i) => {
      const shareWall = wall?.shares[i];
      return { ...share, total: toDisplay(share.total), ...(shareWall !== undefined ? { wall: wallToDisplay(shareWall) } : {}) };
    }),
    others: { ...breakdown.others, total: toDisplay(breakdown.others.total) },
    total: toDisplay(breakdown.total),
    samples: breakdown.samples,
    ...(wall ? { wall: { profileType: SPAN_WALL_TIME_PROFILE_TYPE, total: wallToDisplay(wall.total), others: wallToDisplay(wall.others) } } : {}),
  };
}
