import { ProfileImportError, type ProfileBuilder } from '../../importedProfile';
import { MAX_STACK_DEPTH, maxOf, minOf, type LabelsOf, type TraceSpan } from '../chromeTrace/traceSupport';
import { isRecord, numberField, StackInterner, type ImportNotes } from '../parseSupport';

/**
 * The V8 CPU profiles inside a Chrome trace (../chromeTrace/chromeTrace.ts finds them): a `Profile` event and the
 * `ProfileChunk` events sharing its id, each chunk carrying new nodes (with `parent` ids), samples and `timeDeltas`;
 * or a whole profile in one `CpuProfile` event. Errors name the Chrome trace, the file the user opened.
 */

/** A V8 CPU profile found in a trace: its thread, times and chunks (a `CpuProfile` event is one chunk). */
export interface TraceProfileRecord {
  pid: string | undefined;
  tid: string | undefined;
  /** From the `Profile` event: the thread the profile is of (chunks are often written by the sampler thread). */
  fromProfileEvent: boolean;
  startTime: number;
  endTime: number;
  chunks: { ts: number; order: number; data: Record<string, unknown> }[];
}

interface TraceNode {
  callFrame: Record<string, unknown>;
  parent: number | undefined;
  frame: number;
}

/**
 * Adds one V8 profile's samples. Each sample's value is the time until the next sample, as DevTools and
 * cpuprofile.ts attribute it; negative deltas (samples arriving out of order) count as zero. The last
 * sample gets the time until the profile's end when a chunk gives `endTime`, else the interval before it, the best
 * estimate of the sampling interval left. Samples naming nodes the trace never defined (the chunk with the nodes was
 * written before the recording started) are left out and counted in the notes.
 */
export function addV8Profile(
  builder: ProfileBuilder,
  record: TraceProfileRecord,
  labelsOf: LabelsOf,
  span: TraceSpan,
  displayName: string,
  notes: ImportNotes,
): void {
  const chunks = [...record.chunks].sort((a, b) => (a.ts - b.ts) || (a.order - b.order));
  const nodes = new Map<number, TraceNode>();
  const childParent = new Map<number, number>();
  const samples: number[] = [];
  const deltas: number[] = [];
  let endTime = record.endTime;
  const where = `the CPU profile of thread ${record.tid ?? '?'} in process ${record.pid ?? '?'}`;
  for (const { data } of chunks) {
    const cpuProfile = isRecord(data['cpuProfile']) ? data['cpuProfile'] : {};
    const chunkNodes = cpuProfile['nodes'];
    if (chunkNodes !== undefined && !Array.isArray(chunkNodes)) throw new ProfileImportError(displayName, 'chrome-trace', `in ${where}, "nodes" is not an array.`);
    for (const node of chunkNodes ?? []) {
      if (!isRecord(node) || typeof node['id'] !== 'number' || !isRecord(node['callFrame'])) {
        throw new ProfileImportError(displayName, 'chrome-trace', `in ${where}, a node lacks an id or a callFrame.`);
      }
      const parent = typeof node['parent'] === 'number' ? node['parent'] : undefined;
      nodes.set(node['id'], { callFrame: node['callFrame'], parent, frame: -1 });
      const children = node['children'];
      if (children !== undefined) {
        if (!isNumberArray(children)) throw new ProfileImportError(displayName, 'chrome-trace', `in ${where}, node ${node['id']} has children that are not node ids.`);
        for (const child of children) childParent.set(child, node['id']);
      }
    }
    const chunkSamples = cpuProfile['samples'] ?? data['samples'];
    if (chunkSamples === undefined) {
      // An empty chunk, or the last one, which only says when the profile ended.
    } else if (!isNumberArray(chunkSamples)) {
      throw new ProfileImportError(displayName, 'chrome-trace', `in ${where}, "samples" is not an array of node ids.`);
    } else {
      const chunkDeltas = data['timeDeltas'] ?? cpuProfile['timeDeltas'];
      if (chunkDeltas !== undefined && !isNumberArray(chunkDeltas)) throw new ProfileImportError(displayName, 'chrome-trace', `in ${where}, "timeDeltas" is not an array of numbers.`);
      for (let i = 0; i < chunkSamples.length; i++) {
        samples.push(chunkSamples[i]!);
        deltas.push(chunkDeltas?.[i] ?? 0);
      }
    }
    const end = numberField(data['endTime']);
    if (Number.isFinite(end)) endTime = end;
  }
  for (const [child, parent] of childParent) {
    const node = nodes.get(child);
    if (node !== undefined && node.parent === undefined) node.parent = parent;
  }
  if (samples.length === 0) return;

  let startTime = record.startTime;
  if (!Number.isFinite(startTime)) startTime = chunks.find(c => Number.isFinite(c.ts))?.ts ?? 0;
  const labels = labelsOf(record.pid, record.tid);
  const interner = new StackInterner(builder);
  const stackOfNode = new Map<number, number>();
  const stackOf = (id: number): number | undefined => {
    const known = stackOfNode.get(id);
    if (known !== undefined) return interner.stack(known);
    if (!nodes.has(id)) return undefined;
    // Up to the nearest node whose stack is known (or the root), then down again, interning one frame a step.
    const chain: number[] = [];
    let stack = -1;
    for (let current: number | undefined = id; current !== undefined; ) {
      const memo = stackOfNode.get(current);
      if (memo !== undefined) {
        stack = memo;
        break;
      }
      const node = nodes.get(current);
      if (node === undefined) break;
      if (chain.length >= nodes.size) throw new ProfileImportError(displayName, 'chrome-trace', `in ${where}, the nodes' parents form a cycle (through node ${current}).`);
      if (chain.length >= MAX_STACK_DEPTH) throw new ProfileImportError(displayName, 'chrome-trace', `in ${where}, node ${id} is nested deeper than ${MAX_STACK_DEPTH} calls.`);
      chain.push(current);
      current = node.parent;
    }
    for (let k = chain.length - 1; k >= 0; k--) {
      const node = nodes.get(chain[k]!)!;
      if (node.frame === -1) node.frame = v8Frame(builder, node.callFrame);
      if (node.frame >= 0) stack = interner.child(stack, node.frame);
      stackOfNode.set(chain[k]!, stack);
    }
    return interner.stack(stackOfNode.get(id)!);
  };

  let elapsed = 0;
  let unknown = 0;
  for (let s = 0; s < samples.length; s++) {
    elapsed += Math.max(0, deltas[s]!);
    const time = startTime + elapsed;
    let micros: number;
    if (s + 1 < samples.length) micros = Math.max(0, deltas[s + 1]!);
    else if (Number.isFinite(endTime)) micros = Math.max(0, endTime - time);
    else micros = Math.max(0, deltas[s]!);
    const stack = stackOf(samples[s]!);
    if (stack === undefined) {
      unknown++;
      continue;
    }
    builder.sample(stack, [Math.round(micros * 1000)], time, labels);
  }
  if (unknown > 0) notes.push(`${unknown} of the ${samples.length} samples of ${where} name nodes the trace does not define and were left out.`);
  if (unknown < samples.length) {
    span.origin = minOf(span.origin, startTime);
    span.end = maxOf(span.end, Math.max(startTime + elapsed, Number.isFinite(endTime) ? endTime : 0));
  }
}

function isNumberArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every(v => typeof v === 'number' && Number.isFinite(v));
}

/** A V8 call frame as an imported frame (positions made 1-based), or -2 for V8's "(root)", which is no frame. */
function v8Frame(builder: ProfileBuilder, callFrame: Record<string, unknown>): number {
  const name = typeof callFrame['functionName'] === 'string' ? callFrame['functionName'] : '';
  const url = typeof callFrame['url'] === 'string' ? callFrame['url'] : '';
  if (name === '(root)' && url === '') return -2;
  const line = numberField(callFrame['lineNumber']);
  const column = numberField(callFrame['columnNumber']);
  return builder.frame({
    name: name === '' ? '(anonymous)' : name,
    file: url,
    line: Number.isInteger(line) && line >= 0 ? line + 1 : 0,
    column: Number.isInteger(column) && column >= 0 ? column + 1 : 0,
    module: '',
    address: 0,
  });
}
