import { attributeSamples, invalid, normalise, readCpuProfileJson, type V8CallFrame } from './cpuprofile';
import { columnsOfV8Profile, type V8ProfileColumns } from './v8ProfileColumns';
import { ProfileBuilder, type ImportedProfile } from '../../importedProfile';
import { extendStackHash, STACK_HASH_SEED, stackHashKey } from '../../../../storage/metadata/stackTable';

import { CPU_TIME_PROFILE_TYPE } from '../../../../common/profileTypes';

/** The JSON signature of a V8 CPU profile: a `nodes` array, or the legacy format's `head` tree of call frames. */
export function looksLikeCpuProfile(json: unknown): boolean {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  const record = json as Record<string, unknown>;
  if (Array.isArray(record['nodes'])) return true;
  const head = record['head'];
  // A heap profile also has a `head`, whose nodes carry `callFrame` and `selfSize` instead.
  return typeof head === 'object' && head !== null && 'functionName' in head && !('selfSize' in head);
}

/**
 * A V8 `.cpuprofile` in the common imported form, read straight from V8's nodes: only the sampled nodes and their
 * ancestors are visited, each node's frame and stack are computed once, and no merged tree is built (the store
 * merges when it is queried). Each sample becomes a row whose value is its time in nanoseconds (attributed as
 * DevTools does, attributeSamples in cpuprofile.ts), at its offset from the profile's start: V8's startTime and endTime
 * are microseconds of a monotonic clock, not the epoch, so the caller places the profile in time. The input is the file's text, JSON
 * already parsed (to detect the format, so a big file is parsed once), or columns from the byte scanner.
 */
export function cpuProfileToImported(input: string | { json: unknown } | { columns: V8ProfileColumns }, displayName: string): ImportedProfile {
  const profile =
    typeof input === 'string'
      ? columnsOfV8Profile(readCpuProfileJson(input, displayName))
      : 'columns' in input
        ? input.columns
        : columnsOfV8Profile(normalise(input.json, displayName));
  const { nodeCount: n, nodeIds, nodeFrame, frames, childStart, childIds, parentIds } = profile;
  const indexById = nodeIndex(nodeIds, n);
  const parent = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    for (let c = childStart[i]!; c < childStart[i + 1]!; c++) {
      const child = indexById.get(childIds[c]!);
      if (child === undefined) throw invalid(displayName, `node ${nodeIds[i]} names a child ${childIds[c]} that does not exist.`);
      parent[child] = i;
    }
    const parentId = parentIds ? parentIds[i]! : NaN;
    if (!Number.isNaN(parentId)) {
      const p = indexById.get(parentId);
      if (p !== undefined) parent[i] = p;
    }
  }

  const builder = new ProfileBuilder('cpuprofile', [{ profileType: CPU_TIME_PROFILE_TYPE, unit: 'nanoseconds' }]);
  // V8's own "(root)" node has no frame of its own: it is the tree's root.
  const isRoot = (i: number): boolean => parent[i]! < 0 && frames[nodeFrame[i]!]!.functionName === '(root)' && frames[nodeFrame[i]!]!.url === '';
  // Per call frame of the input, its frame id (-1 not yet made); per node, its stack (-1 not yet made). Equal call
  // frames at different indexes (every node has its own in a parsed profile) are made one frame by the builder, the
  // profile's only frame map: this array only remembers what the builder said for each index.
  const idOfCallFrame = new Int32Array(frames.length).fill(-1);
  const stackOf = new Int32Array(n).fill(-1);
  const frameId = (callIndex: number): number => {
    const call: V8CallFrame = frames[callIndex]!;
    const name = call.functionName === '' ? '(anonymous)' : call.functionName;
    const line = call.lineNumber >= 0 ? call.lineNumber + 1 : 0;
    const column = call.columnNumber >= 0 ? call.columnNumber + 1 : 0;
    // Keyed by the builder's own frame identity: a shorter key of V8's four fields measured no faster.
    const id = builder.frame({ name, file: call.url, line, column, module: '', address: 0 });
    idOfCallFrame[callIndex] = id;
    return id;
  };
  // One scratch stack, leaf first: the builder copies a stack only when it is new. No array per node beyond stackOf:
  // on this machine a page of fresh memory costs about 10 µs to touch, and a huge profile has millions of nodes.
  let ids = new Uint32Array(256);
  const stack = (i: number): number => {
    const known = stackOf[i]!;
    if (known >= 0) return known;
    // The walk goes up to V8's root, which has no frame, or to the nearest ancestor whose stack is already made: its
    // ids are copied whole, and its key gives the hash of its frames from the root (stackTable.ts), so only the
    // frames below it are hashed.
    let d = 0;
    let length = -1;
    let prefix = STACK_HASH_SEED;
    for (let at = i; at >= 0; at = parent[at]!) {
      if (d > 0 && stackOf[at]! >= 0) {
        const above = builder.stackFrames(stackOf[at]!);
        length = d + above.length;
        if (length > ids.length) ids = grown(ids, length);
        ids.set(above, d);
        prefix = builder.stackKey(stackOf[at]!) ^ above.length;
        break;
      }
      if (parent[at]! < 0 && isRoot(at)) break;
      if (d >= n) throw invalid(displayName, 'its nodes form a cycle.');
      if (d === ids.length) ids = grown(ids, 2 * d);
      const callIndex = nodeFrame[at]!;
      const id = idOfCallFrame[callIndex]!;
      ids[d++] = id >= 0 ? id : frameId(callIndex);
    }
    if (length < 0) length = d;
    for (let k = d - 1; k >= 0; k--) prefix = extendStackHash(prefix, ids[k]!);
    const id = builder.hashedStack(ids, length, stackHashKey(prefix, length));
    stackOf[i] = id;
    return id;
  };
  const sampleNodes: number[] = [];
  attributeSamples(profile, indexById, displayName, (index, offsetMicros, micros) => {
    builder.sample(stack(index), [Math.round(micros * 1000)], offsetMicros / 1000);
    sampleNodes.push(index);
  });
  const built = builder.build({ durationNs: Math.round(Math.max(0, profile.endTime - profile.startTime) * 1000) });
  const sampleLines = linesFromPositionTicks(profile, sampleNodes);
  return sampleLines ? { ...built, sampleLines } : built;
}

/** A copy of `ids` with room for `length` ids. */
function grown(ids: Uint32Array, length: number): Uint32Array<ArrayBuffer> {
  const bigger = new Uint32Array(Math.max(length, 2 * ids.length));
  bigger.set(ids);
  return bigger;
}

/**
 * Node indexes by id: an array up to the largest id when the ids are small non-negative integers (V8 numbers its
 * nodes 1, 2, 3...), a map otherwise. A duplicate id names its last node, as a map built in order would.
 */
function nodeIndex(nodeIds: ArrayLike<number>, n: number): { get(id: number): number | undefined } {
  let dense = true;
  let largest = 0;
  for (let i = 0; i < n && dense; i++) {
    const id = nodeIds[i]!;
    dense = Number.isInteger(id) && id >= 0 && id <= 4 * n + 16;
    if (id > largest) largest = id;
  }
  if (!dense) {
    const map = new Map<number, number>();
    for (let i = 0; i < n; i++) map.set(nodeIds[i]!, i);
    return map;
  }
  const table = new Int32Array(largest + 1).fill(-1);
  for (let i = 0; i < n; i++) table[nodeIds[i]!] = i;
  return {
    get(id: number): number | undefined {
      const index = Number.isInteger(id) && id >= 0 && id < table.length ? table[id]! : -1;
      return index >= 0 ? index : undefined;
    },
  };
}

/**
 * The line each sample was executing, from V8's `positionTicks` (per node, samples per line of its function).
 * V8 records how many of a node's samples fell on each line but not which ones, so a node's samples, in time
 * order, are given lines in proportion to the ticks (lowest line first): per-line totals are exact, the order within
 * one node's samples is not. Undefined when the profile has no positionTicks.
 */
export function linesFromPositionTicks(profile: Pick<V8ProfileColumns, 'nodeCount' | 'tickStart' | 'tickLines' | 'tickCounts'>, sampleNodes: readonly number[]): number[] | undefined {
  if (profile.tickLines.length === 0) return undefined;
  // Each sampled node gets a slot, in the order first sampled, and the per-node state below is kept per slot: one
  // array the size of the profile's nodes rather than four (a 420 MB profile has 1.9M nodes and 0.2M sampled ones,
  // and fresh pages are what such arrays cost).
  const slotOf = new Int32Array(profile.nodeCount);
  const slotNode: number[] = [];
  const sampleSlots = new Int32Array(sampleNodes.length);
  for (let s = 0; s < sampleNodes.length; s++) {
    const node = sampleNodes[s]!;
    let slot = slotOf[node]! - 1;
    if (slot < 0) {
      slot = slotNode.length;
      slotNode.push(node);
      slotOf[node] = slot + 1;
    }
    sampleSlots[s] = slot;
  }
  const slots = slotNode.length;
  const samplesOfSlot = new Int32Array(slots);
  for (let s = 0; s < sampleSlots.length; s++) samplesOfSlot[sampleSlots[s]!]!++;
  const seen = new Int32Array(slots);
  // Per slot, its node's valid ticks' lines in order and their running totals, computed once into flat typed
  // arrays (`first[slot]` where they start, -1 until computed; `count[slot]` how many): a hot function's node has an
  // entry per line it ran, which each of its samples would otherwise sum and walk again. Flat arrays, not an object
  // and two arrays per node: 198k sampled nodes of a 420 MB profile made that 0.4–0.9 s, mostly garbage collection.
  const first = new Int32Array(slots).fill(-1);
  const count = new Int32Array(slots);
  const tickLines = new Float64Array(profile.tickLines.length);
  const cumulative = new Float64Array(profile.tickLines.length);
  let used = 0;
  const lines = new Array<number>(sampleNodes.length).fill(0);
  for (let s = 0; s < sampleSlots.length; s++) {
    const slot = sampleSlots[s]!;
    let from = first[slot]!;
    if (from < 0) {
      from = first[slot] = used;
      used = sortedTicks(profile, slotNode[slot]!, tickLines, cumulative, used);
      count[slot] = used - from;
    }
    const end = from + count[slot]!;
    if (end === from) continue;
    const k = seen[slot]!++;
    // The k-th of the node's n samples stands at k/n of its ticks: its line is the first whose running total passes it.
    const position = ((k + 0.5) / samplesOfSlot[slot]!) * cumulative[end - 1]!;
    let low = from;
    let high = end;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (position < cumulative[middle]!) high = middle;
      else low = middle + 1;
    }
    if (low < end) lines[s] = tickLines[low]!;
  }
  return lines;
}

/** Functions with at most this many ticked lines (nearly all) have them sorted in place; more, through an index. */
const INSERTION_SORT_TICKS = 64;

/**
 * Writes a node's valid ticks from `at`: their lines in ascending order (stable: ticks of one line keep their order)
 * into `lines`, their counts' running totals into `cumulative`. Returns where the next node's start.
 */
function sortedTicks(profile: Pick<V8ProfileColumns, 'tickStart' | 'tickLines' | 'tickCounts'>, node: number, lines: Float64Array, cumulative: Float64Array, at: number): number {
  let end = at;
  for (let t = profile.tickStart[node]!; t < profile.tickStart[node + 1]!; t++) {
    const line = profile.tickLines[t]!;
    const ticks = profile.tickCounts[t]!;
    if (!(Number.isInteger(line) && line > 0 && Number.isFinite(ticks) && ticks > 0)) continue;
    lines[end] = line;
    cumulative[end++] = ticks;
  }
  if (end - at <= INSERTION_SORT_TICKS) {
    for (let i = at + 1; i < end; i++) {
      const line = lines[i]!;
      const ticks = cumulative[i]!;
      let j = i - 1;
      for (; j >= at && lines[j]! > line; j--) {
        lines[j + 1] = lines[j]!;
        cumulative[j + 1] = cumulative[j]!;
      }
      lines[j + 1] = line;
      cumulative[j + 1] = ticks;
    }
  } else {
    const order = Array.from({ length: end - at }, (_, i) => at + i).sort((a, b) => lines[a]! - lines[b]!);
    const sortedLines = order.map(i => lines[i]!);
    const sortedTicks = order.map(i => cumulative[i]!);
    lines.set(sortedLines, at);
    cumulative.set(sortedTicks, at);
  }
  for (let i = at + 1; i < end; i++) cumulative[i] = cumulative[i - 1]! + cumulative[i]!;
  return end;
}
