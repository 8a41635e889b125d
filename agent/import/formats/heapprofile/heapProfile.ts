import { ALLOCATED_BYTES_PROFILE_TYPE, LIVE_BYTES_PROFILE_TYPE } from '../../../../common/profileTypes';
import { ProfileBuilder, ProfileImportError, type ImportedProfile, type ValueType } from '../../importedProfile';
import type { FormatReader } from '../formatReader';
import { isRecord, parseJsonText } from '../parseSupport';

/**
 * V8's sampling heap profile: what `node --heap-prof` writes (`.heapprofile`), DevTools' "Allocation sampling"
 * saves, and the probe records beside its CPU chunks (agent/probe/allocationSampler.ts). A tree of call frames from
 * `head`, each node with the bytes allocated in that function itself (`selfSize`, already scaled by V8 from its
 * samples to an estimate of all bytes allocated there) and its `children`; newer files also list the samples
 * (`samples`: size, node id, ordinal), which add nothing the tree lacks and carry no time.
 *
 * Each node with allocations becomes one sample whose value is its `selfSize`, with the node's stack. The file says
 * neither when the allocations happened nor how long it ran: every sample is at the profile's start, which the caller
 * places in time (a chunk's start, a file's last write).
 *
 * What the bytes are depends on how the profile was recorded, which the file does not say. By default V8 forgets a
 * sample once its object is collected, so the profile holds the bytes still alive when it was taken: Node 20's
 * `--heap-prof` (measured: a program that allocated 440 MB and kept nothing wrote one 64 KB sample) and DevTools'
 * default. Files are therefore stored as live bytes (`inuse_space`). The probe asks V8 to keep collected objects'
 * samples too, so its chunks are allocated bytes (`alloc_space`), and it says so (storeRecordedProfile.ts).
 */

/** Bytes allocated, freed since or not: the probe's allocation sampling. */
export const ALLOCATED_BYTES: ValueType = { profileType: ALLOCATED_BYTES_PROFILE_TYPE, unit: 'bytes' };

/** Bytes still alive when the profile was taken: a `.heapprofile` file. */
export const LIVE_BYTES: ValueType = { profileType: LIVE_BYTES_PROFILE_TYPE, unit: 'bytes' };

/** The JSON signature of a sampling heap profile: a `head` node with a `callFrame` and a `selfSize`. */
export function looksLikeHeapProfile(input: unknown): boolean {
  if (typeof input === 'string') {
    const head = input.slice(0, 65536);
    return /^\ufeff?\s*\{\s*"head"\s*:\s*\{/.test(head) && /"callFrame"\s*:/.test(head) && /"selfSize"\s*:/.test(head);
  }
  if (!isRecord(input) || !isRecord(input['head'])) return false;
  const head = input['head'];
  return isRecord(head['callFrame']) && typeof head['selfSize'] === 'number';
}

/** The deepest tree read: far beyond any real stack, and a bound on a hostile file's nesting. */
const MAX_DEPTH = 10_000;

/**
 * Reads a sampling heap profile (its text, or JSON already parsed) into one profile of bytes (live bytes unless the
 * caller knows better). Throws
 * ProfileImportError naming the first node that is not what V8 writes.
 */
export function heapProfileToImported(input: string | { json: unknown }, displayName: string, valueType: ValueType = LIVE_BYTES): ImportedProfile {
  const json = typeof input === 'string' ? parseJsonText(input, displayName, 'heapprofile') : input.json;
  if (!isRecord(json) || !isRecord(json['head'])) throw invalid(displayName, 'it has no "head" node.');
  const builder = new ProfileBuilder('heapprofile', [valueType]);
  // The frames from the root to the node being visited, root first; its stack is them reversed (leaf first). Each
  // pending node carries the length of its parent's path.
  const path: number[] = [];
  // Iterative, so a deep (or hostile) tree cannot overflow the agent's stack.
  const pending: { node: unknown; depth: number }[] = [{ node: json['head'], depth: 0 }];
  let nodes = 0;
  while (pending.length > 0) {
    const { node, depth } = pending.pop()!;
    nodes++;
    if (!isRecord(node) || !isRecord(node['callFrame'])) throw invalid(displayName, `node ${nodes} has no callFrame.`);
    if (depth > MAX_DEPTH) throw invalid(displayName, `its tree is deeper than ${MAX_DEPTH} calls.`);
    const call = node['callFrame'];
    const selfSize = node['selfSize'];
    if (typeof selfSize !== 'number' || !(selfSize >= 0) || !Number.isFinite(selfSize)) throw invalid(displayName, `node ${nodes} has no valid selfSize.`);
    path.length = depth;
    // V8's "(root)" node has no frame of its own: it is the tree's root.
    const isRoot = depth === 0 && call['functionName'] === '(root)' && (call['url'] ?? '') === '';
    if (!isRoot) {
      const name = typeof call['functionName'] === 'string' && call['functionName'] !== '' ? call['functionName'] : '(anonymous)';
      const line = typeof call['lineNumber'] === 'number' && call['lineNumber'] >= 0 ? call['lineNumber'] + 1 : 0;
      const column = typeof call['columnNumber'] === 'number' && call['columnNumber'] >= 0 ? call['columnNumber'] + 1 : 0;
      path.push(builder.frame({ name, file: typeof call['url'] === 'string' ? call['url'] : '', line, column, module: '', address: 0 }));
    }
    if (selfSize > 0 && path.length > 0) builder.sample(builder.stack(path.slice().reverse()), [Math.round(selfSize)]);
    const children = node['children'] ?? [];
    if (!Array.isArray(children)) throw invalid(displayName, `node ${nodes}'s children are not a list.`);
    for (let i = children.length - 1; i >= 0; i--) pending.push({ node: children[i], depth: path.length });
  }
  return builder.build({});
}

function invalid(displayName: string, reason: string): ProfileImportError {
  return new ProfileImportError(displayName, 'heapprofile', reason);
}

/** Sampling heap profiles in the format registry (agent/import/formatReaders.ts): recognised from their JSON. */
export const heapProfileReader: FormatReader = {
  sniff: {
    json: json => (looksLikeHeapProfile(json) ? 'sure' : false),
    brokenJson: text => (looksLikeHeapProfile(text) ? 'sure' : false),
  },
  parse: (file, displayName) => [heapProfileToImported(file.json ? { json: file.json.value } : file.text, displayName)],
};
