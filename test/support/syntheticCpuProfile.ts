/** One function frame of a synthetic profile: its name, file and 1-based line of definition. */
export interface SyntheticFrame {
  name: string;
  file: string;
  line: number;
}

/** A stack (outermost first) sampled `samples` times, each sample at one of `lines` (1-based line → samples) when given. */
export interface SyntheticStack {
  frames: SyntheticFrame[];
  samples: number;
  lines?: Record<number, number>;
}

/**
 * A V8 CPU profile (.cpuprofile JSON) of known cost: each stack sampled as often as asked, every sample 1 ms apart,
 * with V8's positionTicks when a stack says on which lines its samples fell. What Icicle reads from it is known
 * exactly, so figures computed from it can be checked against these counts.
 */
export function syntheticCpuProfile(stacks: readonly SyntheticStack[], startTime = 0): string {
  type Node = { id: number; callFrame: { functionName: string; scriptId: string; url: string; lineNumber: number; columnNumber: number }; children: number[]; positionTicks?: { line: number; ticks: number }[] };
  const nodes: Node[] = [{ id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, children: [] }];
  const childOf = new Map<string, number>();
  const samples: number[] = [];
  for (const stack of stacks) {
    let parent = 1;
    for (const frame of stack.frames) {
      const key = JSON.stringify([parent, frame.name, frame.file, frame.line]);
      let id = childOf.get(key);
      if (id === undefined) {
        id = nodes.length + 1;
        nodes.push({ id, callFrame: { functionName: frame.name, scriptId: '1', url: frame.file, lineNumber: frame.line - 1, columnNumber: 0 }, children: [] });
        nodes[parent - 1]!.children.push(id);
        childOf.set(key, id);
      }
      parent = id;
    }
    if (stack.lines) {
      const leaf = nodes[parent - 1]!;
      leaf.positionTicks = [...(leaf.positionTicks ?? []), ...Object.entries(stack.lines).map(([line, ticks]) => ({ line: Number(line), ticks }))];
    }
    for (let i = 0; i < stack.samples; i++) samples.push(parent);
  }
  const timeDeltas = samples.map(() => 1000);
  return JSON.stringify({ nodes, startTime, endTime: startTime + samples.length * 1000, samples, timeDeltas });
}
