import { findFramePath } from '../../../common/framePath';
import type { CallTreeColumns } from '../../../common/callTree';
import { describeProfileType, displayUnitOf, toDisplayUnit, preferredProfileType } from '../../../common/profileTypes';
import { pruneCallTree } from '../../../common/pruneCallTree';
import { formatSelector } from '../../../common/selector';
import { parseMatchers } from '../parseMatchers';
import { timelineBucketMs, type Timeline, type ViewQuery, type ViewResult } from '../../../common/viewQuery';
import { executePlan, firstLabelValues, max, scan, selectionPredicate, type LabelValuePage, type ScanSource, type Selection } from '../../../storage/query';
import { buildCallTreeWithLeaves, callTreeForSelection } from './callTree';
import { cutStackTree, stackTreeOf, type StackTree } from './rangeTree';
import { sumTimeRange, timedStacks, timedStacksBytes } from './timedStacks';
import { mergeStacks } from '../stacks/mergeStacks';
import { CachedResults, dataVersionOf, viewCacheOf } from './viewCache';
import { labelKeys } from '../labels/labelQueries';
import { profileTypes } from '../selectionProfileTypes';
import { timeSeries, timeSpan } from './timeSeries';
import { timeOrderedSamples } from './timeOrder';
import type { Store } from '../../../storage/store';
import { classifyStoredFrame } from '../../frameKind';

/** The largest selection whose samples a view keeps in time order (28 bytes each) to answer time ranges from. */
const MAX_TIMED_SAMPLES = 2_000_000;

/**
 * The queries behind a profile view: one call answers everything the view draws for a selection (its call tree,
 * the profile types it offers, its timeline), read from one snapshot so the parts agree with each other.
 *
 * What it computes is kept (viewCache.ts) for as long as the store's rows stay the same: the selection's types,
 * span and timeline, the whole (unpruned) tree of each time range with each stack's leaf, and the selection's
 * samples in time order, so that a zoom prunes a kept tree and another time range is cut from the whole tree; and
 * the flame chart's samples in time order.
 * `cache: false` computes everything from the store, as the cache's tests compare.
 */
export async function queryView(store: Store, query: ViewQuery, minShare = 0, { cache = true }: { cache?: boolean } = {}): Promise<ViewResult> {
  const matchers = parseMatchers(query.selector);
  const snapshot = store.snapshot();
  // Read in the same synchronous step as the snapshot, so the version names exactly the rows it sees.
  const kept = cache ? new CachedResults(viewCacheOf(store), dataVersionOf(store, snapshot), snapshot) : undefined;
  const keep = <T>(key: unknown[], compute: () => Promise<T>, bytesOf: (value: T) => number): Promise<T> =>
    kept === undefined ? compute() : kept.get(JSON.stringify(key), compute, bytesOf);
  try {
    const selector = formatSelector(matchers);
    const { types, profileType, span, timeline } = await keep(['base', selector, query.profileType], () => selectionBase(snapshot, matchers, query.profileType), baseBytes);
    const base: Selection = { matchers, ...(profileType !== undefined ? { profileType } : {}) };
    const range = query.timeRange;
    const selection: Selection = { ...base, ...(range ? { timeRange: range } : {}) };
    const toDisplay = toDisplayUnit(profileType);
    const fromStore = async (): Promise<{ whole: CallTreeColumns; durationMicros: number }> => ({
      whole: await callTreeForSelection(snapshot, selection, classifyStoredFrame),
      durationMicros: await selectionDurationMicros(snapshot, selection, span),
    });
    const { whole, durationMicros } = await keep(
      ['tree', selector, profileType, range],
      async () => {
        if (kept === undefined) return fromStore();
        // The selection's whole tree, kept with the leaf of each stack, so that a time range is cut from it.
        const stackTree = await keep(['stacks', selector, profileType], () => wholeStackTree(snapshot, base, toDisplay), stackTreeBytes);
        if (range === undefined) return { whole: stackTree.tree, durationMicros: await selectionDurationMicros(snapshot, selection, span) };
        // Another time range: the selection's samples are summed from memory, not scanned again (up to a bound).
        if ((stackTree.tree.totalSamples[0] ?? 0) > MAX_TIMED_SAMPLES) return fromStore();
        const timed = await keep(['timed', selector, profileType], () => timedStacks(snapshot, base), timedStacksBytes);
        // Both list the distinct stacks of the same rows; were they ever to differ, the tree is built from the store.
        if (!sameStacks(timed.stackIds, stackTree.stackIds)) return fromStore();
        const sums = sumTimeRange(timed, range);
        return { whole: cutStackTree(stackTree, sums.samples, sums.values, toDisplay), durationMicros: durationOf(sums.longestNs / 1000, span, range) };
      },
      ({ whole }) => callTreeBytes(whole),
    );
    const focus = query.focus && query.focus.length > 0 ? findFramePath(whole, query.focus) : undefined;
    return {
      summary: { format: 'cpuprofile', sampleCount: whole.totalSamples[0] ?? 0, durationMicros, nodeCount: whole.parent.length },
      tree: pruneCallTree(whole, minShare, focus),
      query: { selector, profileType, timeRange: range, focus: focus === undefined ? undefined : query.focus },
      unit: displayUnitOf(profileType),
      profileTypes: types.map(id => ({ id, label: describeProfileType(id), unit: displayUnitOf(id) })),
      timeline,
      ...(query.timeOrder === true && profileType !== undefined
        ? {
            // The same whatever the time range (the chart zooms to it instead): kept while the chart is shown.
            timeOrder: await keep(['timeOrder', selector, profileType, query.timeOrderAfterMs], () => timeOrderedSamples(snapshot, base, classifyStoredFrame, query.timeOrderAfterMs), timeOrder =>
              callTreeBytes(timeOrder.tree) + timeOrder.node.length * 24,
            ),
          }
        : {}),
    };
  } finally {
    snapshot.release();
  }
}

/** What a view of a selection shows whatever its time range: its types, the one shown, its span and timeline. */
interface SelectionBase {
  types: string[];
  profileType: string | undefined;
  span: { startMs: number; endMs: number } | undefined;
  timeline: Timeline | undefined;
}

async function selectionBase(source: ScanSource, matchers: Selection['matchers'], requestedType: string | undefined): Promise<SelectionBase> {
  const types = await profileTypes(source, { matchers });
  // A type the selection no longer holds (the selector changed under it) falls back to the preferred one.
  const profileType = requestedType !== undefined && types.includes(requestedType) ? requestedType : preferredProfileType(types);
  const base: Selection = { matchers, ...(profileType !== undefined ? { profileType } : {}) };
  const span = profileType === undefined ? undefined : await timeSpan(source, base);
  return { types, profileType, span, timeline: span === undefined ? undefined : await timeline(source, base, span) };
}

/** The selection's call tree and the leaf of each of its stacks (`StackTree`). */
async function wholeStackTree(source: ScanSource, selection: Selection, toDisplay: (value: number) => number): Promise<StackTree> {
  const merged = await mergeStacks(source, selection);
  const { tree, leafOf } = buildCallTreeWithLeaves(source.metadata, merged, classifyStoredFrame, toDisplay);
  return stackTreeOf(tree, merged.stackIds, leafOf);
}

function sameStacks(a: Uint32Array, b: Uint32Array): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

function baseBytes(base: SelectionBase): number {
  return 1024 + base.types.length * 128 + (base.timeline?.values.length ?? 0) * 32;
}

/** About what a packed tree holds in memory: ten columns of numbers per node and the strings. */
function stackTreeBytes({ tree, leafOf }: StackTree): number {
  return callTreeBytes(tree) + tree.parent.length * 8 + leafOf.length * 8;
}

function callTreeBytes(tree: CallTreeColumns): number {
  return tree.parent.length * 10 * 8 + tree.strings.reduce((sum, s) => sum + 16 + 2 * s.length, 0);
}

/** The label keys among the selected samples (all of the store's when the selector is empty). */
export async function queryLabelNames(store: Store, selector: string): Promise<string[]> {
  const matchers = parseMatchers(selector);
  const snapshot = store.snapshot();
  try {
    return await labelKeys(snapshot, matchers.length === 0 ? undefined : { matchers });
  } finally {
    snapshot.release();
  }
}

/**
 * The values of one label among the selected samples (those starting with `prefix` when one is given), at most
 * `limit` of them, sorted, and whether there were more.
 */
export async function queryLabelValues(store: Store, key: string, selector: string, limit: number, prefix = ''): Promise<LabelValuePage> {
  const matchers = parseMatchers(selector);
  const snapshot = store.snapshot();
  try {
    return await firstLabelValues(snapshot, key, { ...(matchers.length === 0 ? {} : { selection: { matchers } }), prefix, limit });
  } finally {
    snapshot.release();
  }
}

/** The selection's value per bucket over its whole span, in the display unit. */
async function timeline(source: ScanSource, selection: Selection, span: { startMs: number; endMs: number }): Promise<Timeline> {
  const bucketMs = timelineBucketMs(span.endMs - span.startMs);
  const series = await timeSeries(source, selection, bucketMs);
  const toDisplay = toDisplayUnit(selection.profileType);
  return { bucketMs, bucketStartMs: Array.from(series.bucketStartMs), values: Array.from(series.values, toDisplay), span };
}

/**
 * The wall-clock time the selection covers: the longest profile in it (one file's own duration) or the span of its
 * samples (a run's chunks, several runs), whichever is longer, cut to the time range when there is one.
 */
async function selectionDurationMicros(source: ScanSource, selection: Selection, span: { startMs: number; endMs: number } | undefined): Promise<number> {
  const plan = scan(['duration_ns']).where(selectionPredicate(selection)).aggregate([], [max('duration_ns')]).build();
  const { table } = await executePlan(plan, source);
  const longest = ((table.getChild('duration_ns')?.get(0) as number | null) ?? 0) / 1000;
  return durationOf(longest, span, selection.timeRange);
}

/** The selection's duration from its longest profile's (`longestMicros`), its span and its time range. */
function durationOf(longestMicros: number, span: { startMs: number; endMs: number } | undefined, range: { startMs: number; endMs: number } | undefined): number {
  const sampled = span === undefined ? 0 : (span.endMs - span.startMs) * 1000;
  // Timestamps are whole milliseconds, so one profile's samples can span up to a millisecond more than its own
  // duration; that is the same profile, and its own duration is the exact one.
  const whole = sampled <= longestMicros + 1000 ? longestMicros : sampled;
  return range === undefined ? whole : Math.min(whole, (range.endMs - range.startMs) * 1000);
}
