import { attributeSamples, invalid, normalise, readCpuProfileJson, type V8CallFrame, type V8Node } from '../../importers/cpuprofile';
import { ProfileBuilder, type ImportedProfile } from '../importedProfile';

/** CPU time whose value is nanoseconds, Parca's name; a row stands for one sample. */
export const CPU_TIME_PROFILE_TYPE = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';

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
 * DevTools does, agent/importers/cpuprofile.ts), at `startMs` plus its offset.
 */
export function cpuProfileToImported(input: string | { json: unknown }, displayName: string, startMs: number): ImportedProfile {
  // Callers that already parsed the JSON (to detect the format) pass it, so a big file is parsed once.
  const profile = typeof input === 'string' ? readCpuProfileJson(input, displayName) : normalise(input.json, displayName);
  const { nodes } = profile;
  const n = nodes.length;
  const indexById = new Map<number, number>();
  for (let i = 0; i < n; i++) indexById.set(nodes[i]!.id, i);
  const parent = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const node = nodes[i]!;
    const children = node.children;
    if (children) {
      for (let c = 0; c < children.length; c++) {
        const child = indexById.get(children[c]!);
        if (child === undefined) throw invalid(displayName, `node ${node.id} names a child ${children[c]} that does not exist.`);
        parent[child] = i;
      }
    }
    if (typeof node.parent === 'number') {
      const p = indexById.get(node.parent);
      if (p !== undefined) parent[i] = p;
    }
  }

  const builder = new ProfileBuilder('cpuprofile', [{ profileType: CPU_TIME_PROFILE_TYPE, unit: 'nanoseconds' }]);
  // Per node: its frame (-2 not yet computed, -1 none: V8's own root) and its stack (-1 not yet computed).
  const frameOf = new Int32Array(n).fill(-2);
  const stackOf = new Int32Array(n).fill(-1);
  const frameIds = new Map<string, number>();
  const frame = (i: number): number => {
    let id = frameOf[i]!;
    if (id !== -2) return id;
    const call: V8CallFrame = nodes[i]!.callFrame;
    if (parent[i]! < 0 && call.functionName === '(root)' && call.url === '') {
      id = -1;
    } else {
      const key = `${call.functionName}\u0000${call.url}\u0000${call.lineNumber}\u0000${call.columnNumber}`;
      const known = frameIds.get(key);
      if (known !== undefined) {
        id = known;
      } else {
        id = builder.frame({
          name: call.functionName === '' ? '(anonymous)' : call.functionName,
          file: call.url,
          line: call.lineNumber >= 0 ? call.lineNumber + 1 : 0,
          column: call.columnNumber >= 0 ? call.columnNumber + 1 : 0,
          module: '',
          address: 0,
        });
        frameIds.set(key, id);
      }
    }
    frameOf[i] = id;
    return id;
  };
  const path: number[] = [];
  const stack = (i: number): number => {
    const known = stackOf[i]!;
    if (known >= 0) return known;
    path.length = 0;
    for (let at = i, steps = 0; at >= 0; at = parent[at]!, steps++) {
      if (steps > n) throw invalid(displayName, 'its nodes form a cycle.');
      const f = frame(at);
      if (f >= 0) path.push(f);
    }
    const id = builder.stack(path);
    stackOf[i] = id;
    return id;
  };
  const sampleNodes: number[] = [];
  attributeSamples(profile, indexById, displayName, (index, offsetMicros, micros) => {
    builder.sample(stack(index), [Math.round(micros * 1000)], startMs + offsetMicros / 1000);
    sampleNodes.push(index);
  });
  const built = builder.build({ startMs, durationNs: Math.round(Math.max(0, profile.endTime - profile.startTime) * 1000) });
  const sampleLines = linesFromPositionTicks(profile.nodes, sampleNodes);
  return sampleLines ? { ...built, sampleLines } : built;
}

/**
 * The line each sample was executing, from V8's `positionTicks` (per node, samples per line of its function).
 * V8 records how many of a node's samples fell on each line but not which ones, so a node's samples, in time
 * order, are given lines in proportion to the ticks (lowest line first): per-line totals are exact, the order within
 * one node's samples is not. Undefined when the profile has no positionTicks.
 */
function linesFromPositionTicks(nodes: readonly V8Node[], sampleNodes: readonly number[]): number[] | undefined {
  if (!nodes.some(node => Array.isArray(node.positionTicks) && node.positionTicks.length > 0)) return undefined;
  const samplesOfNode = new Map<number, number>();
  for (const node of sampleNodes) samplesOfNode.set(node, (samplesOfNode.get(node) ?? 0) + 1);
  const seen = new Map<number, number>();
  const lines = new Array<number>(sampleNodes.length).fill(0);
  for (let s = 0; s < sampleNodes.length; s++) {
    const node = sampleNodes[s]!;
    const ticks = validTicks(nodes[node]!.positionTicks);
    if (ticks.length === 0) continue;
    const total = ticks.reduce((sum, t) => sum + t.ticks, 0);
    const k = seen.get(node) ?? 0;
    seen.set(node, k + 1);
    // The k-th of the node's n samples stands at k/n of its ticks.
    const position = ((k + 0.5) / samplesOfNode.get(node)!) * total;
    let cumulative = 0;
    for (const t of ticks) {
      cumulative += t.ticks;
      if (position < cumulative) {
        lines[s] = t.line;
        break;
      }
    }
  }
  return lines;
}

function validTicks(ticks: V8Node['positionTicks']): { line: number; ticks: number }[] {
  if (!Array.isArray(ticks)) return [];
  return ticks
    .filter(t => typeof t === 'object' && t !== null && Number.isInteger(t.line) && t.line > 0 && Number.isFinite(t.ticks) && t.ticks > 0)
    .sort((a, b) => a.line - b.line);
}
