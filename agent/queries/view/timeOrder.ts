import { displayUnitOf, toDisplayUnit } from '../../../common/profileTypes';
import type { LabelMatcher } from '../../../common/selector';
import { TRACK_LABEL_KEYS, type TimeOrderedSamples, type TimeOrderTrack } from '../../../common/timeOrder';
import { COLUMN, labelColumn } from '../../../storage/schema';
import { count, executePlan, max, min, numbers, scan, selectionPredicate, strings, type ScanSource, type Selection } from '../../../storage/query';
import { mergeStacks } from '../stacks/mergeStacks';
import { buildCallTreeWithLeavesSliced, type FrameClassifier } from './callTree';

/**
 * The selected samples in time order, per track (process, thread, run: common/timeOrder.ts), for the flame chart.
 *
 * Three scans: the tracks (the track labels' distinct values), the stacks merged once (the call tree whose nodes the
 * samples refer to), then each track's samples, which are sorted by timestamp keeping the store's order within a
 * millisecond (a profile's own sample order). Everything per sample stays in typed arrays until the answer's columns.
 */
export async function timeOrderedSamples(source: ScanSource, selection: Selection, classify: FrameClassifier, afterMs?: number): Promise<TimeOrderedSamples> {
  const tracks = await trackLabels(source, selection);
  const totalSamples = tracks.reduce((sum, t) => sum + t.samples, 0);
  const throughMs = tracks.reduce((last, t) => Math.max(last, t.lastMs), -Infinity);
  // A tail: the samples after `afterMs` (timestamps are whole milliseconds), in the same tracks, over the whole tree.
  const tail: Selection = afterMs === undefined ? selection : { ...selection, timeRange: { startMs: Math.floor(afterMs) + 1, endMs: Number.MAX_SAFE_INTEGER } };
  const merged = await mergeStacks(source, selection);
  const { tree, leafOf } = await buildCallTreeWithLeavesSliced(source, merged, classify, toDisplayUnit(selection.profileType));
  const nodeOfStack = new Map<number, number>();
  for (let s = 0; s < merged.stackIds.length; s++) nodeOfStack.set(merged.stackIds[s]!, leafOf[s]!);

  const perTrack = await Promise.all(tracks.map(t => trackSamples(source, { ...tail, matchers: [...tail.matchers, ...t.matchers] })));
  const startMs = Math.min(...perTrack.map(t => (t.timestamps.length > 0 ? t.timestamps[0]! : Infinity)));
  const isTime = displayUnitOf(selection.profileType) === 'micros';
  const toMicros = toDisplayUnit(selection.profileType);
  const total = perTrack.reduce((sum, t) => sum + t.timestamps.length, 0);
  const node = new Array<number>(total);
  const gapMicros = new Array<number>(total);
  const durationMicros = new Array<number>(total);
  const answerTracks: TimeOrderTrack[] = [];
  let k = 0;
  perTrack.forEach((samples, t) => {
    const n = samples.timestamps.length;
    // A tail names every track, also those without new samples, so that the page can tell its tracks are the same.
    if (n === 0 && afterMs === undefined) return;
    answerTracks.push({ labels: tracks[t]!.labels, sampleCount: n });
    const shares = isTime ? undefined : sharesOfMilliseconds(samples.timestamps);
    let end = 0;
    for (let i = 0; i < n; i++) {
      const at = Math.round((samples.timestamps[i]! - startMs) * 1000);
      const start = Math.max(at, end);
      const duration = shares ? shares[i]! : Math.max(0, Math.round(toMicros(samples.values[i]!)));
      node[k] = nodeOfStack.get(samples.stackIds[i]!) ?? 0;
      gapMicros[k] = start - end;
      durationMicros[k] = duration;
      end = start + duration;
      k++;
    }
  });
  return {
    tree,
    startMs: Number.isFinite(startMs) ? startMs : 0,
    tracks: answerTracks,
    node,
    gapMicros,
    durationMicros,
    throughMs: Number.isFinite(throughMs) ? throughMs : 0,
    totalSamples,
    ...(afterMs !== undefined ? { afterMs } : {}),
  };
}

/**
 * The tracks of the selection, by first sample: the distinct values of the track labels it holds, keeping only the
 * labels that tell its tracks apart (one run's single `session_id` says nothing). Each with the matchers that select it.
 */
async function trackLabels(source: ScanSource, selection: Selection): Promise<TrackOfSelection[]> {
  const present = new Set(source.columnNames());
  const keys = TRACK_LABEL_KEYS.filter(key => present.has(labelColumn(key)));
  // A recorded run stores each 2 s chunk under its own profile_id: within a run (a session_id), the profile_id does
  // not tell tracks apart, or a run would show one track per chunk. It still tells files (no session) apart. So the
  // tracks are grouped without it, and only the samples outside any run are grouped by it too (grouping a long run
  // by its thousands of chunk ids cost most of a live refresh of the chart).
  const inRuns = keys.includes('session_id') && keys.includes('profile_id');
  const groups = await trackGroups(source, selection, inRuns ? keys.filter(key => key !== 'profile_id') : keys);
  const outside = inRuns ? groups.filter(group => group.values['session_id'] === null) : [];
  const tracks = outside.length === 0 ? groups : [...groups.filter(group => !outside.includes(group)), ...(await trackGroups(source, withoutRun(selection), keys))];
  tracks.sort((a, b) => a.first - b.first);
  const telling = keys.filter(key => new Set(tracks.map(track => track.values[key] ?? null)).size > 1);
  return tracks.map(track => {
    const labels: Record<string, string> = {};
    const matchers: LabelMatcher[] = [];
    for (const key of keys) {
      if (!(key in track.values)) continue;
      const value = track.values[key] ?? null;
      // An absent label reads as '' in a matcher (Prometheus' rule), so `key=""` selects the rows without it.
      matchers.push({ key, op: '=', value: value ?? '' });
      if (value !== null && telling.includes(key)) labels[key] = value;
    }
    return { labels, matchers, samples: track.samples, lastMs: track.last };
  });
}

/** The selection's samples outside any recorded run (files opened, imports): those without a session_id. */
function withoutRun(selection: Selection): Selection {
  return { ...selection, matchers: [...selection.matchers, { key: 'session_id', op: '=', value: '' }] };
}

/** The distinct values of `keys` among the selected samples (null: absent), with their first and last time and count. */
async function trackGroups(source: ScanSource, selection: Selection, keys: readonly string[]): Promise<{ values: Record<string, string | null>; first: number; last: number; samples: number }[]> {
  const plan = scan()
    .where(selectionPredicate(selection))
    .aggregate(keys.map(labelColumn), [min(COLUMN.timestamp, 'first'), max(COLUMN.timestamp, 'last'), count('samples')])
    .build();
  const { table } = await executePlan(plan, source);
  const first = numbers(table, 'first');
  const last = numbers(table, 'last');
  const counts = numbers(table, 'samples');
  const columns = keys.map(key => strings(table, labelColumn(key)));
  return Array.from(first, (_f, r) => ({
    values: Object.fromEntries(keys.map((key, j) => [key, columns[j]![r] ?? null])),
    first: first[r]!,
    last: last[r]!,
    samples: counts[r]!,
  })).filter(group => group.samples > 0);
}

/** A track of the selection: its telling labels, the matchers that select it, and its samples' count and last time. */
interface TrackOfSelection {
  labels: Record<string, string>;
  matchers: LabelMatcher[];
  samples: number;
  lastMs: number;
}

/** One track's timestamps, values and stacks, in time order. */
async function trackSamples(source: ScanSource, selection: Selection): Promise<{ timestamps: Float64Array; values: Float64Array; stackIds: Float64Array }> {
  const plan = scan([COLUMN.timestamp, COLUMN.value, COLUMN.stackId])
    .where(selectionPredicate(selection))
    .project(COLUMN.timestamp, COLUMN.value, COLUMN.stackId)
    .build();
  const { table } = await executePlan(plan, source);
  const timestamps = numbers(table, COLUMN.timestamp);
  const values = numbers(table, COLUMN.value);
  const stackIds = numbers(table, COLUMN.stackId);
  let sorted = true;
  for (let i = 1; i < timestamps.length && sorted; i++) sorted = timestamps[i - 1]! <= timestamps[i]!;
  if (sorted) return { timestamps, values, stackIds };
  // Blocks are read in no particular order of time; a stable sort keeps each profile's order within a millisecond.
  const order = Uint32Array.from(timestamps, (_t, i) => i).sort((a, b) => timestamps[a]! - timestamps[b]! || a - b);
  const pick = (column: Float64Array) => Float64Array.from(order, i => column[i]!);
  return { timestamps: pick(timestamps), values: pick(values), stackIds: pick(stackIds) };
}

/**
 * Samples' widths when their values are not times (allocations, counts): each millisecond shared equally among the
 * track's samples taken in it, at least a microsecond each. One pass over the runs of equal timestamps.
 */
function sharesOfMilliseconds(timestamps: Float64Array): Uint32Array {
  const shares = new Uint32Array(timestamps.length);
  for (let from = 0; from < timestamps.length; ) {
    let to = from + 1;
    while (to < timestamps.length && timestamps[to] === timestamps[from]) to++;
    shares.fill(Math.max(1, Math.floor(1000 / (to - from))), from, to);
    from = to;
  }
  return shares;
}
