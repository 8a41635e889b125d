import type { PackedCallTree } from '../common/callTree';
import type { TimeOrderedSamples } from '../common/timeOrder';

/**
 * Appends a tail (the samples after what `kept` holds, TimeOrderedSamples.afterMs) to `kept` (pure). The result uses
 * the tail's tree, which is the selection's whole tree now: `kept`'s leaves are found in it by their calls (parent,
 * name, file, line, column, kind). Each track's new samples follow its old ones; a new track is added after the
 * others. Undefined when the two do not join up: a leaf missing from the new tree, a tail starting before `kept`, a
 * kept track the tail does not name (the labels that tell tracks apart changed), or a count that is not the
 * selection's total (a chunk stored late, before the watermark): the caller then asks for the whole run again.
 */
export function appendTimeOrder(kept: TimeOrderedSamples, tail: TimeOrderedSamples): TimeOrderedSamples | undefined {
  const keptCount = kept.node.length;
  if (keptCount + tail.node.length !== tail.totalSamples) return undefined;
  if (tail.node.length > 0 && tail.startMs < kept.startMs) return undefined;
  const remap = nodeMap(kept.tree, tail.tree);
  if (!remap) return undefined;

  // Each track's columns, by its labels: the kept ones in order, then new tracks in the tail's order.
  const order: string[] = [];
  const parts = new Map<string, { labels: Record<string, string>; old: [number, number]; added: [number, number] }>();
  let at = 0;
  for (const track of kept.tracks) {
    const key = JSON.stringify(track.labels);
    order.push(key);
    parts.set(key, { labels: track.labels, old: [at, at + track.sampleCount], added: [0, 0] });
    at += track.sampleCount;
  }
  // The tail names every track of the selection: a kept track it lacks was named otherwise (a second process now
  // tells tracks apart by pid), and the whole run is asked for again.
  const tailKeys = new Set(tail.tracks.map(track => JSON.stringify(track.labels)));
  if (order.some(key => !tailKeys.has(key))) return undefined;
  at = 0;
  for (const track of tail.tracks) {
    const key = JSON.stringify(track.labels);
    const part = parts.get(key);
    if (part) part.added = [at, at + track.sampleCount];
    else {
      order.push(key);
      parts.set(key, { labels: track.labels, old: [0, 0], added: [at, at + track.sampleCount] });
    }
    at += track.sampleCount;
  }

  const total = tail.totalSamples;
  const node = new Array<number>(total);
  const gapMicros = new Array<number>(total);
  const durationMicros = new Array<number>(total);
  const shift = Math.round((tail.startMs - kept.startMs) * 1000);
  let k = 0;
  const tracks = order.map(key => {
    const { labels, old, added } = parts.get(key)!;
    let end = 0;
    for (let i = old[0]; i < old[1]; i++, k++) {
      node[k] = remap[kept.node[i]!]!;
      gapMicros[k] = kept.gapMicros[i]!;
      durationMicros[k] = kept.durationMicros[i]!;
      end += kept.gapMicros[i]! + kept.durationMicros[i]!;
    }
    // The tail's positions count from its own start; its first sample in this track starts where the tail says, or
    // where the track's kept samples end, whichever is later (as the agent lays samples end to end).
    let tailEnd = 0;
    for (let i = added[0]; i < added[1]; i++, k++) {
      const start = tailEnd + tail.gapMicros[i]!;
      tailEnd = start + tail.durationMicros[i]!;
      node[k] = tail.node[i]!;
      gapMicros[k] = i === added[0] ? Math.max(0, shift + start - end) : tail.gapMicros[i]!;
      durationMicros[k] = tail.durationMicros[i]!;
    }
    return { labels, sampleCount: old[1] - old[0] + (added[1] - added[0]) };
  });
  return { tree: tail.tree, startMs: kept.startMs, tracks, node, gapMicros, durationMicros, throughMs: tail.throughMs, totalSamples: total };
}

/** Each node of `from` as its index in `to`, found by its calls from the root; undefined if one is missing. */
function nodeMap(from: PackedCallTree, to: PackedCallTree): Int32Array | undefined {
  const key = (tree: PackedCallTree, i: number, parent: number) =>
    `${parent}\u0000${tree.strings[tree.name[i]!]}\u0000${tree.strings[tree.url[i]!]}\u0000${tree.line[i]}\u0000${tree.column[i]}\u0000${tree.kind[i]}`;
  const inTo = new Map<string, number>();
  for (let i = 1; i < to.parent.length; i++) inTo.set(key(to, i, to.parent[i]!), i);
  const map = new Int32Array(from.parent.length);
  // Pre-order: a node's parent is mapped before it.
  for (let i = 1; i < from.parent.length; i++) {
    const found = inTo.get(key(from, i, map[from.parent[i]!]!));
    if (found === undefined) return undefined;
    map[i] = found;
  }
  return map;
}
