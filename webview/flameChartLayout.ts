import type { TimeOrderedSamples } from '../common/timeOrder';
import { trackName } from '../common/timeOrder';

/**
 * Where the flame chart's frames are, computed once per answer (pure, no DOM): per track and stack depth, the spans
 * of consecutive samples whose stacks share the node at that depth, as sorted typed arrays. Drawing and hit tests
 * then find what a pixel shows by binary search, so a redraw costs the pixels drawn, not the samples held.
 *
 * Times are microseconds after the answer's `startMs`.
 */
export interface SpanRow {
  start: Float64Array;
  end: Float64Array;
  node: Int32Array;
}

export interface TrackLayout {
  name: string;
  /** Rows by depth: rows[0] is depth 1 (the root itself is not drawn). */
  rows: SpanRow[];
  /** Each sample's start and end, for counting the samples under a span and finding the sample at a time. */
  sampleStart: Float64Array;
  sampleEnd: Float64Array;
  /** Index of the track's first sample in the answer's columns. */
  firstSample: number;
}

export interface ChartLayout {
  tracks: TrackLayout[];
  /** The end of the last sample of any track. */
  endMicros: number;
  sampleCount: number;
}

/**
 * A gap between samples longer than this and than twice the previous sample ends every frame open across it: the
 * program was idle or unsampled there. Shorter gaps are rounding (timestamps are whole milliseconds).
 */
const SPLIT_GAP_MICROS = 2000;

export function layoutChart(samples: TimeOrderedSamples): ChartLayout {
  const { parent } = samples.tree;
  const depth = new Uint16Array(parent.length);
  // Pre-order: a parent precedes its children.
  for (let i = 1; i < parent.length; i++) depth[i] = depth[parent[i]!]! + 1;
  const tracks: TrackLayout[] = [];
  let endMicros = 0;
  let k = 0;
  for (const track of samples.tracks) {
    const layout = layoutTrack(samples, depth, k, track.sampleCount);
    tracks.push({ name: trackName(track), ...layout });
    if (track.sampleCount > 0) endMicros = Math.max(endMicros, layout.sampleEnd[track.sampleCount - 1]!);
    k += track.sampleCount;
  }
  return { tracks, endMicros, sampleCount: k };
}

function layoutTrack(samples: TimeOrderedSamples, depth: Uint16Array, first: number, count: number): Omit<TrackLayout, 'name'> {
  const { parent } = samples.tree;
  const builders: SpanRowBuilder[] = [];
  const openNode: number[] = [];
  const openStart: number[] = [];
  const sampleStart = new Float64Array(count);
  const sampleEnd = new Float64Array(count);
  let openDepth = 0;
  let previousLeaf = -1;
  let previousEnd = 0;
  let previousDuration = 0;
  const close = (from: number, at: number) => {
    for (let d = from; d <= openDepth; d++) {
      (builders[d - 1] ??= new SpanRowBuilder()).add(openStart[d]!, at, openNode[d]!);
    }
    openDepth = Math.min(openDepth, from - 1);
  };
  for (let i = 0; i < count; i++) {
    const k = first + i;
    const leaf = samples.node[k]!;
    const gap = samples.gapMicros[k]!;
    const start = previousEnd + gap;
    const end = start + samples.durationMicros[k]!;
    sampleStart[i] = start;
    sampleEnd[i] = end;
    const split = gap > SPLIT_GAP_MICROS && gap > 2 * previousDuration;
    if (split || leaf !== previousLeaf) {
      const shared = split || previousLeaf < 0 ? 0 : sharedDepth(parent, depth, previousLeaf, leaf);
      close(shared + 1, previousEnd);
      const leafDepth = depth[leaf]!;
      for (let at = leaf, d = leafDepth; d > shared; at = parent[at]!, d--) {
        openNode[d] = at;
        openStart[d] = start;
      }
      openDepth = leafDepth;
    }
    previousLeaf = leaf;
    previousEnd = end;
    previousDuration = end - start;
  }
  close(1, previousEnd);
  const rows = builders.map(b => b.build());
  return { rows, sampleStart, sampleEnd, firstSample: first };
}

/** A row's spans in growing typed arrays: a million samples make millions of spans, too many for number[] pushes. */
class SpanRowBuilder {
  private start = new Float64Array(1024);
  private end = new Float64Array(1024);
  private node = new Int32Array(1024);
  private count = 0;

  add(start: number, end: number, node: number): void {
    if (this.count === this.start.length) {
      const grow = <T extends Float64Array | Int32Array>(from: T, to: T): T => (to.set(from), to);
      this.start = grow(this.start, new Float64Array(this.count * 2));
      this.end = grow(this.end, new Float64Array(this.count * 2));
      this.node = grow(this.node, new Int32Array(this.count * 2));
    }
    this.start[this.count] = start;
    this.end[this.count] = end;
    this.node[this.count++] = node;
  }

  build(): SpanRow {
    return { start: this.start.slice(0, this.count), end: this.end.slice(0, this.count), node: this.node.slice(0, this.count) };
  }
}

/** The depth of the deepest node two stacks share (0: only the root). */
function sharedDepth(parent: number[], depth: Uint16Array, a: number, b: number): number {
  while (depth[a]! > depth[b]!) a = parent[a]!;
  while (depth[b]! > depth[a]!) b = parent[b]!;
  while (a !== b) {
    a = parent[a]!;
    b = parent[b]!;
  }
  return depth[a]!;
}

/** The first index whose `end` is after `time` (ends ascend within a row and among samples), from `from`. */
export function firstEndingAfter(end: Float64Array, time: number, from = 0): number {
  let lo = from;
  let hi = end.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (end[mid]! > time) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The span of a row at a time, or -1. */
export function spanAt(row: SpanRow, time: number): number {
  const i = firstEndingAfter(row.end, time);
  return i < row.end.length && row.start[i]! <= time ? i : -1;
}

/** The track's sample at a time (its index in the answer's columns), or -1 when none runs then. */
export function sampleAt(track: TrackLayout, time: number): number {
  const i = firstEndingAfter(track.sampleEnd, time);
  return i < track.sampleEnd.length && track.sampleStart[i]! <= time ? track.firstSample + i : -1;
}

/** How many of the track's samples start within [from, to). */
export function samplesWithin(track: TrackLayout, from: number, to: number): number {
  return lowerBound(track.sampleStart, to) - lowerBound(track.sampleStart, from);
}

function lowerBound(values: Float64Array, time: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The shortest sample of the chart, in microseconds (at least 1): how far a zoom may go. */
export function shortestSample(samples: TimeOrderedSamples): number {
  let shortest = Infinity;
  for (const d of samples.durationMicros) if (d > 0 && d < shortest) shortest = d;
  return Number.isFinite(shortest) ? shortest : 1;
}
