import { z } from 'zod';
import { findCallTreeProblem, type PackedCallTree } from './callTree';

/**
 * A selection's samples in time order, per process and thread: what the flame chart draws (x = time, y = stack
 * depth, one column per sample). It crosses boundaries column-wise, like the call tree: a million samples are three
 * arrays of small integers, never an object per sample.
 *
 * The stacks the samples ran are the nodes of `tree`, the selection's unpruned call tree (so two samples with the
 * same stack refer to the same node, and two with a common prefix share its nodes: a flame chart's frame spans the
 * consecutive samples whose stacks share the node at its depth). A sample refers to its leaf node.
 *
 * Positions are whole microseconds after `startMs`. Samples are laid end to end: a sample starts at its timestamp
 * (whole milliseconds in the store) or where the previous one in its track ended, whichever is later, and lasts its
 * value (times) or its share of its millisecond (other types, such as allocations, whose values are not times).
 */
export interface TimeOrderedSamples {
  tree: PackedCallTree;
  /** The first sample's timestamp, milliseconds since the epoch; positions are relative to it. */
  startMs: number;
  /** One per process or thread, by first sample; track k's samples follow track k - 1's in the columns. */
  tracks: TimeOrderTrack[];
  /** Per sample: its leaf node in `tree` (0, the root, for a sample without a stack). */
  node: number[];
  /** Per sample: microseconds between the end of the track's previous sample (or `startMs`) and its start. */
  gapMicros: number[];
  /** Per sample: how long it lasts, in microseconds. */
  durationMicros: number[];
  /** The last sample's timestamp in the store (milliseconds): a later query asks for the samples after it. */
  throughMs: number;
  /** The selection's samples over its whole span: what a page holds once it has appended a tail to what it had. */
  totalSamples: number;
  /**
   * Present on a tail: the answer holds only the samples after this timestamp (the query's `timeOrderAfterMs`), in
   * tracks of the same labels, over the selection's whole tree; the page appends them (webview/appendTimeOrder.ts).
   */
  afterMs?: number;
}

export interface TimeOrderTrack {
  /** The labels that tell this track from the others (`pid`, `thread`...); empty when the selection has one track. */
  labels: Record<string, string>;
  sampleCount: number;
}

/**
 * The labels that make a track, in the order a track's name shows them: one file or run, one process, one thread.
 * Only those that tell the selection's samples apart are used.
 */
export const TRACK_LABEL_KEYS = ['profile_id', 'session_id', 'pid', 'tid', 'thread'] as const;

/** A track's name, for its heading in the chart: its labels, or 'all samples'. */
export function trackName(track: TimeOrderTrack): string {
  const parts = TRACK_LABEL_KEYS.filter(key => track.labels[key] !== undefined).map(key => `${key} ${track.labels[key]}`);
  return parts.length === 0 ? 'all samples' : parts.join(' · ');
}

/** At most this many samples are answered at once (ten million samples are about 100 MB of JSON). */
export const MAX_TIME_ORDER_SAMPLES = 10_000_000;

/**
 * Checks samples that arrived from another process, in one pass per column (a per-element schema would take seconds
 * on a million samples). Returns the first problem, or undefined.
 */
export function findTimeOrderProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'the samples are not an object';
  const samples = value as Record<string, unknown>;
  const treeProblem = findCallTreeProblem(samples['tree']);
  if (treeProblem !== undefined) return treeProblem;
  if (typeof samples['startMs'] !== 'number' || !Number.isFinite(samples['startMs'])) return 'startMs must be a number';
  if (typeof samples['throughMs'] !== 'number' || !Number.isFinite(samples['throughMs'])) return 'throughMs must be a number';
  if (!Number.isInteger(samples['totalSamples']) || (samples['totalSamples'] as number) < 0) return 'totalSamples must be a count';
  if (samples['afterMs'] !== undefined && (typeof samples['afterMs'] !== 'number' || !Number.isFinite(samples['afterMs']))) return 'afterMs must be a number';
  const tracks = samples['tracks'];
  if (!Array.isArray(tracks) || tracks.length > 100_000) return 'tracks must be an array';
  let total = 0;
  for (const track of tracks as unknown[]) {
    if (typeof track !== 'object' || track === null) return 'a track is not an object';
    const { labels, sampleCount } = track as Record<string, unknown>;
    if (!Number.isInteger(sampleCount) || (sampleCount as number) < 0) return 'a track has no sample count';
    if (typeof labels !== 'object' || labels === null || Object.values(labels).some(v => typeof v !== 'string')) return 'a track has malformed labels';
    total += sampleCount as number;
  }
  if (total > MAX_TIME_ORDER_SAMPLES) return 'too many samples';
  const nodeCount = (samples['tree'] as PackedCallTree).parent.length;
  for (const column of ['node', 'gapMicros', 'durationMicros'] as const) {
    const values = samples[column];
    if (!Array.isArray(values) || values.length !== total) return `column ${column} must hold ${total} numbers`;
    for (let i = 0; i < total; i++) {
      const v = values[i] as unknown;
      if (!Number.isInteger(v) || (v as number) < 0) return `column ${column} holds a bad value at ${i}`;
      if (column === 'node' && (v as number) >= nodeCount) return `sample ${i} refers to a node that does not exist`;
    }
  }
  return undefined;
}

export const timeOrderedSamplesSchema = z.custom<TimeOrderedSamples>(value => findTimeOrderProblem(value) === undefined, {
  message: 'malformed time-ordered samples',
});
