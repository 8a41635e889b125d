import { findFramePath } from '../../../common/framePath';
import { describeProfileType, displayUnitOf, toDisplayUnit, preferredProfileType } from '../../../common/profileTypes';
import { pruneCallTree } from '../../../common/pruneCallTree';
import { formatSelector } from '../../../common/selector';
import { parseMatchers } from '../parseMatchers';
import { timelineBucketMs, type Timeline, type ViewQuery, type ViewResult } from '../../../common/viewQuery';
import { executePlan, firstLabelValues, max, scan, selectionPredicate, type LabelValuePage, type ScanSource, type Selection } from '../../../storage/query';
import { callTreeForSelection } from './callTree';
import { labelKeys } from '../labels/labelQueries';
import { profileTypes } from '../selectionProfileTypes';
import { timeSeries, timeSpan } from './timeSeries';
import { timeOrderedSamples } from './timeOrder';
import type { Store } from '../../../storage/store';
import { classifyStoredFrame } from '../../frameKind';

/**
 * The queries behind a profile view: one call answers everything the view draws for a selection (its call tree,
 * the profile types it offers, its timeline), read from one snapshot so the parts agree with each other.
 */
export async function queryView(store: Store, query: ViewQuery, minShare = 0): Promise<ViewResult> {
  const matchers = parseMatchers(query.selector);
  const snapshot = store.snapshot();
  try {
    const types = await profileTypes(snapshot, { matchers });
    // A type the selection no longer holds (the selector changed under it) falls back to the preferred one.
    const profileType = query.profileType !== undefined && types.includes(query.profileType) ? query.profileType : preferredProfileType(types);
    const base: Selection = { matchers, ...(profileType !== undefined ? { profileType } : {}) };
    const span = profileType === undefined ? undefined : await timeSpan(snapshot, base);
    const selection: Selection = { ...base, ...(query.timeRange ? { timeRange: query.timeRange } : {}) };
    const whole = await callTreeForSelection(snapshot, selection, classifyStoredFrame);
    const focus = query.focus && query.focus.length > 0 ? findFramePath(whole, query.focus) : undefined;
    const durationMicros = await selectionDurationMicros(snapshot, selection, span);
    return {
      summary: { format: 'cpuprofile', sampleCount: whole.totalSamples[0] ?? 0, durationMicros, nodeCount: whole.parent.length },
      tree: pruneCallTree(whole, minShare, focus),
      query: { selector: formatSelector(matchers), profileType, timeRange: query.timeRange, focus: focus === undefined ? undefined : query.focus },
      unit: displayUnitOf(profileType),
      profileTypes: types.map(id => ({ id, label: describeProfileType(id), unit: displayUnitOf(id) })),
      timeline: span === undefined ? undefined : await timeline(snapshot, base, span),
      ...(query.timeOrder === true && profileType !== undefined ? { timeOrder: await timeOrderedSamples(snapshot, base, classifyStoredFrame, query.timeOrderAfterMs) } : {}),
    };
  } finally {
    snapshot.release();
  }
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
