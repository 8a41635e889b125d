import { defaultBreakdownKey, WALL_BESIDE_KEYS, type LabelBreakdownQuery, type LabelBreakdownResult } from '../../../common/labelBreakdown';
import { CPU_TIME_PROFILE_TYPE, displayUnitOf, preferredProfileType, SPAN_WALL_TIME_PROFILE_TYPE, toDisplayUnit } from '../../../common/profileTypes';
import { formatSelector } from '../../../common/selector';
import { COLUMN, LABEL_KEY_PATTERN, labelColumn } from '../../../storage/schema';
import type { Store } from '../../../storage/store';
import { parseMatchers } from '../parseMatchers';
import { profileTypes } from '../selectionProfileTypes';
import { labelKeys } from './labelQueries';
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

/** Rows of the grouped result read per step of the top-N selection, between which the query may pause. */
const ROWS_PER_STEP = 16_384;

/**
 * The selected samples grouped by the label `key` (one scan: group by the label's column, sum of value and count),
 * then the `limit` values with the largest totals kept and the rest summed into `others`, so a label with a value per
 * request (`trace_id`) answers with a page, never a million rows. The top-N selection runs in slices
 * (yieldSlice.ts), like the scan, so a high-cardinality label does not hold the agent's thread.
 */
export async function labelBreakdown(source: ScanSource, key: string, selection: Selection, limit: number): Promise<LabelBreakdown> {
  if (!LABEL_KEY_PATTERN.test(key)) throw new Error(`invalid label name ${JSON.stringify(key)}`);
  if (!(Number.isInteger(limit) && limit >= 1)) throw new Error(`the number of values to list must be a positive integer, got ${limit}`);
  const column = labelColumn(key);
  // A label no row ever had has no column: every selected sample then lacks it.
  const grouped = source.columnNames().includes(column) ? [groupKey(column, undefined, 'label')] : [];
  const plan = scan()
    .where(selectionPredicate(selection))
    .aggregate(grouped, [sum(COLUMN.value, 'total'), count('samples')])
    .build();
  const { table } = await executePlan(plan, source);
  return runSliced(source, topShares(table, grouped.length > 0, limit));
}

interface GroupedTable {
  readonly numRows: number;
  getChild(name: string): { get(index: number): unknown } | null;
}

/** The grouped rows' largest `limit` (a bounded min-heap, so a million values cost n log limit), then the rest. */
function* topShares(table: GroupedTable, byLabel: boolean, limit: number): Generator<void, LabelBreakdown> {
  const labels = byLabel ? table.getChild('label') : null;
  const totals = table.getChild('total');
  const counts = table.getChild('samples');
  const none: LabelShare = { value: null, total: 0, samples: 0 };
  const heap: LabelShare[] = [];
  let total = 0;
  let samples = 0;
  let distinct = 0;
  const offer = (share: LabelShare): void => {
    distinct++;
    if (heap.length < limit) {
      heap.push(share);
      siftUp(heap, heap.length - 1);
    } else if (smaller(heap[0]!, share)) {
      heap[0] = share;
      siftDown(heap, 0);
    }
  };
  for (let start = 0; start < table.numRows; start += ROWS_PER_STEP) {
    const end = Math.min(table.numRows, start + ROWS_PER_STEP);
    for (let i = start; i < end; i++) {
      const rowTotal = Number(totals?.get(i) ?? 0);
      const rowSamples = Number(counts?.get(i) ?? 0);
      if (rowSamples === 0) continue;
      total += rowTotal;
      samples += rowSamples;
      const value = (labels?.get(i) as string | null | undefined) ?? null;
      // Absent and empty read alike in selectors (`{key=""}` selects both), so they are one "(none)" share.
      if (value === null || value === '') {
        none.total += rowTotal;
        none.samples += rowSamples;
      } else offer({ value, total: rowTotal, samples: rowSamples });
    }
    yield;
  }
  if (none.samples > 0) offer(none);
  const shares = heap.sort((a, b) => (smaller(a, b) ? 1 : smaller(b, a) ? -1 : 0));
  const keptTotal = shares.reduce((s, share) => s + share.total, 0);
  const keptSamples = shares.reduce((s, share) => s + share.samples, 0);
  return { shares, others: { values: distinct - shares.length, total: total - keptTotal, samples: samples - keptSamples }, total, samples };
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
  const matchers = parseMatchers(query.selector);
  const snapshot = store.snapshot();
  try {
    const types = await profileTypes(snapshot, { matchers });
    const profileType = query.profileType !== undefined && types.includes(query.profileType) ? query.profileType : preferredProfileType(types);
    const selection: Selection = { matchers, ...(profileType !== undefined ? { profileType } : {}), ...(query.timeRange ? { timeRange: query.timeRange } : {}) };
    const keys = await labelKeys(snapshot, selection);
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
    const breakdown = await labelBreakdown(snapshot, key, selection, query.limit);
    // CPU by a span's label: the spans' wall time beside it, from the same snapshot, selection and range.
    const withWall = profileType === CPU_TIME_PROFILE_TYPE && WALL_BESIDE_KEYS.includes(key) && types.includes(SPAN_WALL_TIME_PROFILE_TYPE);
    const wall = withWall ? await spanWallBeside(snapshot, key, { ...selection, profileType: SPAN_WALL_TIME_PROFILE_TYPE }, breakdown.shares) : undefined;
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
  } finally {
    snapshot.release();
  }
}
