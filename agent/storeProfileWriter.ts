import type { Store } from '../storage/store';
import type { ParsedProfile } from './importers/cpuprofile';

/** Parca's name for CPU time whose value is nanoseconds; a sample row's count is its number of samples. */
export const CPU_TIME_PROFILE_TYPE = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';

/** Rows per store write: large writes amortise the log's sync, bounded ones keep each record small. */
const ROWS_PER_WRITE = 100_000;

/**
 * Writes an imported profile's samples into the store: each sample's merged node becomes an interned stack
 * (frames leaf first), its time a value in nanoseconds, its offset a timestamp after `startMs`.
 */
export async function writeProfileToStore(store: Store, parsed: ParsedProfile, labels: Record<string, string>, startMs: number): Promise<number> {
  const { nodes, samples } = parsed;
  const storeFrameIds = new Map<number, number>();
  const stackIdOfNode = new Map<number, number>();
  const stackOf = (node: number): number => {
    let id = stackIdOfNode.get(node);
    if (id !== undefined) return id;
    const frames: number[] = [];
    for (let n = node; n >= 0; n = nodes.parentOf(n)) {
      const frameId = nodes.frameIdOf(n);
      if (frameId < 0) continue;
      let stored = storeFrameIds.get(frameId);
      if (stored === undefined) {
        const frame = nodes.frameOf(n)!;
        stored = store.internFrame({ functionName: frame.name, file: frame.url, line: frame.line, column: frame.column, module: '', address: 0 });
        storeFrameIds.set(frameId, stored);
      }
      frames.push(stored);
    }
    id = store.internStack(frames);
    stackIdOfNode.set(node, id);
    return id;
  };
  const n = samples.node.length;
  let lastTx = 0;
  for (let from = 0; from < n; from += ROWS_PER_WRITE) {
    const to = Math.min(n, from + ROWS_PER_WRITE);
    const stackIds = new Uint32Array(to - from);
    const timestamps = new Float64Array(to - from);
    const values = new Float64Array(to - from);
    for (let i = from; i < to; i++) {
      stackIds[i - from] = stackOf(samples.node[i]!);
      timestamps[i - from] = startMs + samples.offsetMicros[i]! / 1000;
      values[i - from] = Math.round(samples.micros[i]! * 1000);
    }
    lastTx = await store.write({
      profileType: CPU_TIME_PROFILE_TYPE,
      durationNs: Math.round(parsed.summary.durationMicros * 1000),
      labels,
      timestamps,
      values,
      stackIds,
    });
  }
  return lastTx;
}
