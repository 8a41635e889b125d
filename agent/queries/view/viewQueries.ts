import { findFramePath } from '../../../common/framePath';
import type { CallTreeColumns } from '../../../common/callTree';
import { describeProfileType, displayUnitOf, toDisplayUnit, preferredProfileType } from '../../../common/profileTypes';
import { pruneCallTreeSteps } from '../../../common/pruneCallTree';
import { formatSelector } from '../../../common/selector';
import { parseMatchers } from '../parseMatchers';
import { timelineBucketMs, type Timeline, type ViewQuery, type ViewResult } from '../../../common/viewQuery';
import { executePlan, firstLabelValues, max, runSliced, scan, selectionPredicate, type LabelValuePage, type ScanSource, type Selection } from '../../../storage/query';
import { buildCallTreeWithLeavesSliced, callTreeForSelection } from './callTree';
import { cutStackTreeSteps, stackTreeSteps, type StackTree } from './rangeTree';
import { mergeStacks, type MergedStacks } from '../stacks/mergeStacks';
import { CachedResults, dataVersionOf, viewCacheOf, type DataVersion, type ViewCache } from './viewCache';
import { labelKeys } from '../labels/labelQueries';
import { profileTypes } from '../selectionProfileTypes';
import { timeSeries, timeSpan } from './timeSeries';
import { timeOrderedSamples } from './timeOrder';
import type { Store } from '../../../storage/store';
import type { StoreSnapshot } from '../../../storage/storeSnapshot';
import { classifyStoredFrame } from '../../frameKind';

/**
 * The queries behind a profile view: one call answers everything the view draws for a selection (its call tree,
 * the profile types it offers, its timeline), read from one snapshot so the parts agree with each other.
 *
 * What it computes is kept (viewCache.ts) for as long as the store's rows stay the same: the selection's types,
 * span and timeline, the whole (unpruned) tree of each time range, the selection's tree with each stack's leaf,
 * and the flame chart's samples in time order: a zoom prunes a kept tree, and another time range merges its stacks
 * (one scan, no tree built) and cuts its tree out of the selection's.
 * `cache: false` computes everything from the store, as the cache's tests compare. This runs on the calling thread;
 * the agent answers views from the view query worker instead (viewWorkerClient.ts), which runs queryViewOf.
 */
export async function queryView(store: Store, query: ViewQuery, minShare = 0, { cache = true }: { cache?: boolean } = {}): Promise<ViewResult> {
  const snapshot = store.snapshot();
  // Read in the same synchronous step as the snapshot, so the version names exactly the rows it sees.
  const version = dataVersionOf(store, snapshot);
  try {
    return await queryViewOf({ snapshot, version, cache: cache ? viewCacheOf(store) : undefined }, query, minShare);
  } finally {
    snapshot.release();
  }
}

/** A snapshot to answer a view from, the version of its rows, and the cache that keeps results of that version. */
export interface ViewSource {
  snapshot: StoreSnapshot;
  version: DataVersion;
  cache: ViewCache | undefined;
}

/** queryView's work on a snapshot its caller took and releases (the agent's thread, or the view query worker). */
export async function queryViewOf({ snapshot, version, cache }: ViewSource, query: ViewQuery, minShare = 0): Promise<ViewResult> {
  return viewOf(snapshot, cache ? new CachedResults(cache, version, snapshot) : undefined, query, minShare);
}

/**
 * A view of rows that are not the store's (a selection read from a dataset, agent/dataset/): the same queries, nothing
 * kept here (the rows read are kept by their reader, and a tree is rebuilt from them in a few slices).
 */
export async function queryViewOfSource(source: ScanSource, query: ViewQuery, minShare = 0): Promise<ViewResult> {
  return viewOf(source, undefined, query, minShare);
}

async function viewOf(source: ScanSource, kept: CachedResults | undefined, query: ViewQuery, minShare: number): Promise<ViewResult> {
  const matchers = parseMatchers(query.selector);
  const keep = <T>(key: unknown[], compute: () => Promise<T>, bytesOf: (value: T) => number): Promise<T> =>
    kept === undefined ? compute() : kept.get(JSON.stringify(key), compute, bytesOf);
  const selector = formatSelector(matchers);
  const { types, profileType, span, timeline } = await keep(['base', selector, query.profileType], () => selectionBase(source, matchers, query.profileType), baseBytes);
  const base: Selection = { matchers, ...(profileType !== undefined ? { profileType } : {}) };
  const range = query.timeRange;
  const selection: Selection = { ...base, ...(range ? { timeRange: range } : {}) };
  const toDisplay = toDisplayUnit(profileType);
  const fromStore = async (): Promise<{ whole: CallTreeColumns; durationMicros: number }> => ({
    whole: await callTreeForSelection(source, selection, classifyStoredFrame),
    durationMicros: await selectionDurationMicros(source, selection, span),
  });
  const { whole, durationMicros } = await keep(
    ['tree', selector, profileType, range],
    async () => {
      if (kept === undefined) return fromStore();
      // The selection's whole tree, kept with the leaf of each stack, so that a time range is cut from it.
      const stackTree = await keep(['stacks', selector, profileType], () => wholeStackTree(source, base, toDisplay), stackTreeBytes);
      if (range === undefined) return { whole: stackTree.tree, durationMicros: await selectionDurationMicros(source, selection, span) };
      // Another time range: its stacks merged (a scan of the rows in it) and its tree cut out of the whole one.
      const merged = await mergeStacks(source, selection);
      const sums = perStackOf(stackTree.stackIds, merged);
      // Both list stacks of the same rows; were one ever missing from the whole tree, the tree is built as before.
      if (sums === undefined) return fromStore();
      return { whole: await runSliced(source, cutStackTreeSteps(stackTree, sums.samples, sums.values, toDisplay)), durationMicros: await selectionDurationMicros(source, selection, span) };
    },
    ({ whole }) => callTreeBytes(whole),
  );
  const focus = query.focus && query.focus.length > 0 ? findFramePath(whole, query.focus) : undefined;
  return {
    summary: { format: 'cpuprofile', sampleCount: whole.totalSamples[0] ?? 0, durationMicros, nodeCount: whole.parent.length },
    tree: await runSliced(source, pruneCallTreeSteps(whole, minShare, focus)),
    query: { selector, profileType, timeRange: range, focus: focus === undefined ? undefined : query.focus },
    unit: displayUnitOf(profileType),
    profileTypes: types.map(id => ({ id, label: describeProfileType(id), unit: displayUnitOf(id) })),
    timeline,
    ...(query.timeOrder === true && profileType !== undefined
      ? {
          // The same whatever the time range (the chart zooms to it instead): kept while the chart is shown.
          timeOrder: await keep(['timeOrder', selector, profileType, query.timeOrderAfterMs], () => timeOrderedSamples(source, base, classifyStoredFrame, query.timeOrderAfterMs), timeOrder =>
            callTreeBytes(timeOrder.tree) + timeOrder.node.length * 24,
          ),
        }
      : {}),
  };
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

/**
 * The selection's call tree and the leaf of each of its stacks (`StackTree`), built in slices: the whole tree of a
 * big selection takes a hundred milliseconds or more, which other requests must not wait for.
 */
async function wholeStackTree(source: ScanSource, selection: Selection, toDisplay: (value: number) => number): Promise<StackTree> {
  const merged = await mergeStacks(source, selection);
  const { tree, leafOf } = await buildCallTreeWithLeavesSliced(source, merged, classifyStoredFrame, toDisplay);
  return runSliced(source, stackTreeSteps(tree, merged.stackIds, leafOf));
}

/**
 * A range's merged stacks as sums per stack of the whole selection (`samples[k]` for `stackIds[k]`), by one walk over
 * both ascending lists; undefined when the range holds a stack the selection does not.
 */
function perStackOf(stackIds: Uint32Array, merged: MergedStacks): { samples: Float64Array; values: Float64Array } | undefined {
  const samples = new Float64Array(stackIds.length);
  const values = new Float64Array(stackIds.length);
  let k = 0;
  for (let s = 0; s < merged.stackIds.length; s++) {
    const id = merged.stackIds[s]!;
    while (k < stackIds.length && stackIds[k]! < id) k++;
    if (stackIds[k] !== id) return undefined;
    samples[k] = merged.samples[s]!;
    values[k] = merged.values[s]!;
  }
  return { samples, values };
}

function baseBytes(base: SelectionBase): number {
  return 1024 + base.types.length * 128 + (base.timeline?.values.length ?? 0) * 32;
}

/** The tree, each node's children and each stack's leaf. */
function stackTreeBytes({ tree, leafOf, scratch }: StackTree): number {
  return callTreeBytes(tree) + tree.parent.length * 8 + leafOf.length * 8 + scratch.bytes;
}

/** About what a tree holds in memory: ten columns of numbers per node and the strings. */
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
  const sampled = span === undefined ? 0 : (span.endMs - span.startMs) * 1000;
  // Timestamps are whole milliseconds, so one profile's samples can span up to a millisecond more than its own
  // duration; that is the same profile, and its own duration is the exact one.
  const whole = sampled <= longest + 1000 ? longest : sampled;
  const range = selection.timeRange;
  return range === undefined ? whole : Math.min(whole, (range.endMs - range.startMs) * 1000);
}
