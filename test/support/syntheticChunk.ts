import type { V8CpuProfile } from '../../common/protocol/probeProtocol';

/**
 * Synthetic V8 CPU profile chunks, as a probe sends them (a JSON value, not text), for load and crash tests that need many distinct chunks
 * quickly: `samples` samples 1 ms apart over a tree of `functions` functions in a few files, distinct for each `i`
 * (its start time and its mix of leaves), so that no two are stored as one.
 */
export function syntheticChunk(i: number, samples = 1000, functions = 5): V8CpuProfile {
  const frame = (id: number, functionName: string, children: number[]) => ({
    id,
    callFrame: { functionName, scriptId: String(1 + (id % 4)), url: `file:///app/worker${id % 4}.js`, lineNumber: id * 10, columnNumber: 0 },
    hitCount: 0,
    children,
  });
  // A root, `main`, then `functions` nodes each calling the next, so that a leaf's stack is as deep as its index.
  const ids = Array.from({ length: functions }, (_, k) => 3 + k);
  const nodes = [frame(1, '(root)', [2]), frame(2, 'main', [ids[0]!]), ...ids.map((id, k) => frame(id, `work${id}`, k + 1 < ids.length ? [ids[k + 1]!] : []))];
  const sampled = Array.from({ length: samples }, (_, k) => ids[(i + k * (1 + (i % 3))) % ids.length]!);
  const startTime = 1_000_000 * i;
  return { nodes, startTime, endTime: startTime + samples * 1000, samples: sampled, timeDeltas: sampled.map(() => 1000) };
}
