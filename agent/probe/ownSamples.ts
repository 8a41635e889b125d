/**
 * The probe's own CPU time, taken out of a profile before it leaves the program.
 *
 * The probe runs inside the program it profiles, so V8 samples it too: connecting to the agent, starting the next
 * chunk, serialising the last one. None of that is the program's: for `node -e 0` it was 45% of the run, and every
 * view (top, the flame graph, a comparison) showed `nodeProbe.js` and `chunkedProfiler` as hot functions. A sample
 * whose stack holds a frame of the probe's script is the probe's, whatever its leaf (Node's socket code called by
 * the probe is the probe's cost too), and the program never runs beneath the probe's frames: the probe calls no
 * code of the program, but through its pass-through wrappers. So those samples, and the probe's nodes, are dropped
 * here, where they are never stored. The one exception is a pass-through script (the wrapper of OpenTelemetry's
 * context manager's `with`, spanLabels.ts), under which the program's own code runs: its frames are taken out of the
 * tree (their children hang from their parent, their own samples go to it), and the samples beneath them are kept. Work Node does later on the probe's behalf without a probe frame on the stack (a socket's read
 * callback) cannot be told apart and stays.
 *
 * Each kept sample keeps its own duration (the importer charges a sample the time until the next one), and the
 * dropped samples' time is taken out of the chunk: later samples move earlier by it, and the chunk ends earlier.
 * Imports nothing, like the rest of the probe.
 */

interface ProfileNode {
  id: number;
  callFrame?: { url?: string };
  children?: number[];
}

/** The parts of a V8 CPU profile this touches; everything else passes through. */
export interface ProfileWithSamples {
  nodes?: ProfileNode[];
  samples?: unknown[];
  timeDeltas?: number[];
  startTime?: number;
  endTime?: number;
}

/**
 * Drops the nodes under (and including) every frame of the given scripts, and the samples taken in them; frames of
 * the pass-through scripts are taken out of the tree, and what ran beneath them kept.
 */
export function withoutOwnSamples<P extends ProfileWithSamples>(profile: P, ownScripts: ReadonlySet<string>, passThroughScripts: ReadonlySet<string> = new Set()): P {
  const { nodes, samples: given, timeDeltas } = profile;
  if (!Array.isArray(nodes) || !Array.isArray(given)) return profile;
  const byId = new Map<number, ProfileNode>();
  const parentOf = new Map<number, number>();
  for (const node of nodes) byId.set(node.id, node);
  for (const node of nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const own = new Set<number>();
  const mark = (id: number): void => {
    if (own.has(id)) return;
    own.add(id);
    for (const child of byId.get(id)?.children ?? []) mark(child);
  };
  for (const node of nodes) if (ownScripts.has(node.callFrame?.url ?? '')) mark(node.id);
  const passing = new Set(nodes.filter(node => !own.has(node.id) && passThroughScripts.has(node.callFrame?.url ?? '')).map(node => node.id));
  if (own.size === 0 && passing.size === 0) return profile;

  // A pass-through node's children hang from its nearest kept ancestor; its own samples are that ancestor's.
  const keptChildren = (node: ProfileNode): number[] => (node.children ?? []).filter(child => !own.has(child)).flatMap(child => (passing.has(child) ? keptChildren(byId.get(child)!) : [child]));
  const keptAncestor = (id: number): number => {
    let at = id;
    while (passing.has(at) && parentOf.has(at)) at = parentOf.get(at)!;
    return at;
  };
  const samples = passing.size === 0 ? given : given.map(id => (passing.has(id as number) ? keptAncestor(id as number) : id));
  const keptNodes = nodes.filter(node => !own.has(node.id) && !passing.has(node.id)).map(node => (node.children ? { ...node, children: keptChildren(node) } : node));
  const timed = Array.isArray(timeDeltas) && timeDeltas.length === samples.length && typeof profile.startTime === 'number' && typeof profile.endTime === 'number';
  if (!timed || own.size === 0) return { ...profile, nodes: keptNodes, samples: samples.filter(id => !own.has(id as number)) };

  // Sample i was taken at times[i] and lasts until the next one (the last one until the profile's end).
  const times: number[] = [];
  let at = profile.startTime!;
  for (const delta of timeDeltas) times.push((at += delta));
  const keptSamples: unknown[] = [];
  const keptDeltas: number[] = [];
  let removed = 0;
  let previous = profile.startTime!;
  samples.forEach((id, i) => {
    const duration = (i + 1 < samples.length ? times[i + 1]! : profile.endTime!) - times[i]!;
    if (own.has(id as number)) {
      removed += Math.max(0, duration);
      return;
    }
    const moved = times[i]! - removed;
    keptSamples.push(id);
    keptDeltas.push(moved - previous);
    previous = moved;
  });
  return { ...profile, nodes: keptNodes, samples: keptSamples, timeDeltas: keptDeltas, endTime: profile.endTime! - removed };
}
