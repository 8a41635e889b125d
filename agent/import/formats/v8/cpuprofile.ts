import { ProfileImportError } from '../../importedProfile';

/**
 * The V8 CPU profile format, as written by `node --cpu-prof`, Chrome DevTools and the inspector's
 * `Profiler.stop`. Positions are 0-based; -1 means unknown. `timeDeltas[i]` is the time between sample i-1
 * and sample i, in microseconds.
 */
export interface V8CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
export interface V8Node {
  id: number;
  callFrame: V8CallFrame;
  hitCount?: number;
  /** Samples per source line (1-based) inside the node's function, when the profiler recorded them. */
  positionTicks?: { line: number; ticks: number }[];
  children?: number[];
  parent?: number;
}
export interface V8Profile {
  nodes: V8Node[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** The format DevTools wrote before Chrome 58: a nested `head` tree, 1-based lines, times in seconds. */
interface LegacyNode {
  functionName?: string;
  url?: string;
  lineNumber?: number;
  columnNumber?: number;
  id: number;
  hitCount?: number;
  children?: LegacyNode[];
}

/** Parses and checks the JSON of a V8 CPU profile (either format), throwing a UserFacingError naming the file. */
export function readCpuProfileJson(text: string, displayName: string): V8Profile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // V8's message quotes the text around the error; profile text is untrusted, so only the position is kept.
    const position = error instanceof SyntaxError ? /at position (\d+)/.exec(error.message)?.[1] : undefined;
    const where = position === undefined ? '' : ` (the error is at character ${position})`;
    // A file that opens like JSON but does not close is most often a profile whose writer was killed.
    const truncated = /^\s*[{[]/.test(text) && !/[}\]]\s*$/.test(text) ? ' The file looks truncated.' : '';
    throw invalid(displayName, `it is not valid JSON${where}.${truncated}`);
  }
  return normalise(json, displayName);
}

export function invalid(displayName: string, reason: string): ProfileImportError {
  return new ProfileImportError(displayName, 'cpuprofile', reason);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the shape once, up front, so the tree walk below can trust every field it reads. */
export function normalise(json: unknown, displayName: string): V8Profile {
  if (!isObject(json)) throw invalid(displayName, 'the top level is not an object.');
  if (isObject(json['head'])) return fromLegacy(json, displayName);
  const nodes = json['nodes'];
  if (!Array.isArray(nodes)) {
    const hint = Array.isArray(json['traceEvents']) || Array.isArray(json) ? ' It looks like a Chrome trace, which a later version will read.' : '';
    throw invalid(displayName, `it has no "nodes" array.${hint}`);
  }
  if (nodes.length === 0) throw invalid(displayName, 'its "nodes" array is empty.');
  for (let i = 0; i < nodes.length; i++) {
    const node: unknown = nodes[i];
    if (!isObject(node) || typeof node['id'] !== 'number' || !isObject(node['callFrame'])) {
      throw invalid(displayName, `node ${i} lacks an id or a callFrame.`);
    }
    const frame = node['callFrame'];
    if (typeof frame['functionName'] !== 'string') frame['functionName'] = '';
    if (typeof frame['url'] !== 'string') frame['url'] = '';
    if (typeof frame['lineNumber'] !== 'number') frame['lineNumber'] = -1;
    if (typeof frame['columnNumber'] !== 'number') frame['columnNumber'] = -1;
    if (node['children'] !== undefined && !isNumberArray(node['children'])) {
      throw invalid(displayName, `node ${i} has children that are not node ids.`);
    }
  }
  const samples = json['samples'];
  const timeDeltas = json['timeDeltas'];
  if (samples !== undefined && !isNumberArray(samples)) throw invalid(displayName, '"samples" is not an array of node ids.');
  if (timeDeltas !== undefined && !isNumberArray(timeDeltas)) throw invalid(displayName, '"timeDeltas" is not an array of numbers.');
  const startTime = typeof json['startTime'] === 'number' ? json['startTime'] : 0;
  const endTime = typeof json['endTime'] === 'number' ? json['endTime'] : startTime;
  return { nodes: nodes as V8Node[], startTime, endTime, samples, timeDeltas };
}

function isNumberArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every(v => typeof v === 'number');
}

function fromLegacy(json: Record<string, unknown>, displayName: string): V8Profile {
  const nodes: V8Node[] = [];
  const stack: LegacyNode[] = [json['head'] as LegacyNode];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (typeof node.id !== 'number') throw invalid(displayName, 'a node of its "head" tree has no id.');
    const children = Array.isArray(node.children) ? node.children : [];
    nodes.push({
      id: node.id,
      callFrame: {
        functionName: typeof node.functionName === 'string' ? node.functionName : '',
        url: typeof node.url === 'string' ? node.url : '',
        // Legacy positions are 1-based; the current format's are 0-based.
        lineNumber: typeof node.lineNumber === 'number' ? node.lineNumber - 1 : -1,
        columnNumber: typeof node.columnNumber === 'number' ? node.columnNumber - 1 : -1,
      },
      hitCount: typeof node.hitCount === 'number' ? node.hitCount : 0,
      children: children.map(c => c.id),
    });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  // Legacy start and end times are whole seconds, too coarse to measure with; the sample timestamps are
  // microseconds, so they bound the profile when present.
  const samples = isNumberArray(json['samples']) ? json['samples'] : undefined;
  const timestamps = isNumberArray(json['timestamps']) ? json['timestamps'].slice(0, samples?.length ?? 0) : [];
  let startTime = typeof json['startTime'] === 'number' ? json['startTime'] * 1e6 : 0;
  let endTime = typeof json['endTime'] === 'number' ? json['endTime'] * 1e6 : startTime;
  if (timestamps.length > 0) {
    startTime = timestamps[0]!;
    endTime = Math.max(timestamps[timestamps.length - 1]!, startTime);
  }
  const timeDeltas = timestamps.length > 0 ? timestamps.map((t, i) => (i === 0 ? 0 : t - timestamps[i - 1]!)) : undefined;
  return { nodes, startTime, endTime, samples, timeDeltas };
}

/**
 * Gives each sample the time until the next sample (as DevTools does), the last one the time until the
 * profile's end. Negative deltas, which Chrome writes when samples arrive out of order, count as zero rather
 * than subtracting time. Profiles without samples fall back to hit counts spread evenly over the duration.
 * Calls `add` once per sample with the index (in `profile.nodes`) of its node; returns the sample count.
 */
export function attributeSamples(
  profile: SampleSource,
  indexById: { get(id: number): number | undefined },
  displayName: string,
  add: (nodeIndex: number, offsetMicros: number, micros: number) => void,
): number {
  const { samples, timeDeltas } = profile;
  if (samples && samples.length > 0) {
    const deltas = timeDeltas && timeDeltas.length === samples.length ? timeDeltas : undefined;
    const duration = Math.max(0, profile.endTime - profile.startTime);
    const evenShare = duration / samples.length;
    let elapsed = 0;
    for (let s = 0; s < samples.length; s++) {
      const index = indexById.get(samples[s]!);
      if (index === undefined) throw invalid(displayName, `sample ${s} names node ${samples[s]}, which does not exist.`);
      let micros = evenShare;
      if (deltas) {
        elapsed += Math.max(0, deltas[s]!);
        micros = s + 1 < samples.length ? Math.max(0, deltas[s + 1]!) : Math.max(0, duration - elapsed);
      }
      add(index, deltas ? elapsed : s * evenShare, micros);
    }
    return samples.length;
  }
  const { hitCounts } = profile;
  let total = 0;
  for (let i = 0; i < hitCounts.length; i++) total += hitCounts[i]!;
  const perHit = total > 0 ? Math.max(0, profile.endTime - profile.startTime) / total : 0;
  for (let i = 0; i < hitCounts.length; i++) {
    // Without samples there are no times: each hit becomes a row at the profile's start.
    for (let h = 0; h < hitCounts[i]!; h++) add(i, 0, perHit);
  }
  return total;
}

/** What sample attribution reads of a profile: the samples and their deltas, or else each node's hit count. */
export interface SampleSource {
  startTime: number;
  endTime: number;
  samples?: ArrayLike<number>;
  timeDeltas?: ArrayLike<number>;
  /** Per node (0 when absent). */
  hitCounts: ArrayLike<number>;
}
