import type { V8CallFrame, V8Profile } from './cpuprofile';

/**
 * A V8 CPU profile held column-wise: one entry per node in typed or plain arrays instead of one object per node.
 * The byte scanner (v8ProfileScanner.ts) fills it straight from the file without building per-node objects; a
 * profile that went through JSON.parse is converted to it (columnsOfV8Profile), so the importer has one input form.
 */
export interface V8ProfileColumns {
  nodeCount: number;
  nodeIds: ArrayLike<number>;
  /** Per node: its call frame, an index into `frames`. Equal frames may or may not share an index. */
  nodeFrame: Int32Array;
  frames: V8CallFrame[];
  /** Per node: its `hitCount` (0 when absent). */
  hitCounts: ArrayLike<number>;
  /**
   * Per node: its `parent` id, NaN when the node has none (the trace-chunk form of the tree); absent when no node
   * names its parent (a `.cpuprofile` as V8 writes it), so that a huge profile holds no column of NaNs.
   */
  parentIds?: ArrayLike<number>;
  /** Node i's child ids are `childIds[childStart[i] .. childStart[i + 1])`. */
  childStart: Int32Array;
  childIds: ArrayLike<number>;
  /** Node i's position ticks are entries `tickStart[i] .. tickStart[i + 1]` of `tickLines` and `tickCounts`. */
  tickStart: Int32Array;
  tickLines: ArrayLike<number>;
  tickCounts: ArrayLike<number>;
  startTime: number;
  endTime: number;
  samples?: ArrayLike<number>;
  timeDeltas?: ArrayLike<number>;
}

/** The columns of a profile read by JSON.parse and checked by `normalise`. */
export function columnsOfV8Profile(profile: V8Profile): V8ProfileColumns {
  const { nodes } = profile;
  const n = nodes.length;
  const nodeIds = new Array<number>(n);
  const nodeFrame = new Int32Array(n);
  const frames = new Array<V8CallFrame>(n);
  const hitCounts = new Array<number>(n);
  const parentIds = new Array<number>(n);
  const childStart = new Int32Array(n + 1);
  const childIds: number[] = [];
  const tickStart = new Int32Array(n + 1);
  const tickLines: number[] = [];
  const tickCounts: number[] = [];
  for (let i = 0; i < n; i++) {
    const node = nodes[i]!;
    nodeIds[i] = node.id;
    nodeFrame[i] = i;
    frames[i] = node.callFrame;
    hitCounts[i] = typeof node.hitCount === 'number' ? node.hitCount : 0;
    parentIds[i] = typeof node.parent === 'number' ? node.parent : NaN;
    childStart[i] = childIds.length;
    if (node.children) for (const child of node.children) childIds.push(child);
    tickStart[i] = tickLines.length;
    if (Array.isArray(node.positionTicks)) {
      for (const tick of node.positionTicks as unknown[]) {
        // Entries that are not {line, ticks} objects are kept as invalid ticks, which the importer skips.
        const record = typeof tick === 'object' && tick !== null ? (tick as Record<string, unknown>) : {};
        tickLines.push(typeof record['line'] === 'number' ? record['line'] : NaN);
        tickCounts.push(typeof record['ticks'] === 'number' ? record['ticks'] : NaN);
      }
    }
  }
  childStart[n] = childIds.length;
  tickStart[n] = tickLines.length;
  return {
    nodeCount: n,
    nodeIds,
    nodeFrame,
    frames,
    hitCounts,
    parentIds,
    childStart,
    childIds,
    tickStart,
    tickLines,
    tickCounts,
    startTime: profile.startTime,
    endTime: profile.endTime,
    samples: profile.samples,
    timeDeltas: profile.timeDeltas,
  };
}
