import { isRecord } from '../parseSupport';

/** The depth to which frames are renamed: far beyond real stacks (deeper frames keep V8's names). */
const MAX_RENAMED_DEPTH = 2000;

interface CallFrame {
  functionName?: unknown;
  scriptId?: unknown;
  url?: unknown;
  lineNumber?: unknown;
  columnNumber?: unknown;
}

/**
 * A heap profile recorded beside a CPU profile of the same moments (a probe's chunk), with its call frames named as
 * the CPU profile names them.
 *
 * V8's sampling heap profiler keeps only a script id and a position per node, and finds the script's URL and line
 * when the profile is taken, among the scripts still on the heap: a script the garbage collector freed meanwhile
 * (a program's main module once it is done, as at exit, where the probe takes its last chunk) leaves its frames
 * without URL or line (`url: ""`, `lineNumber: -1`; measured on Node 20: every frame of a short program). And a
 * script it does find is named by its path (`/app/main.js`) where the CPU profiler says `file:///app/main.js`. The
 * CPU profiler names frames as it samples them, so the chunk's CPU profile knows both: a heap frame takes the URL
 * of the CPU profile's frames of the same script id, and, when it lacks a position, the line and column of the CPU
 * profile's one function of that name in that script (none when several functions share the name). Frames of
 * scripts the CPU profile never sampled stay as they are.
 *
 * Returns a copy of the heap profile's tree; the input is not changed.
 */
export function withFramesFromCpuProfile(heapProfile: unknown, cpuProfile: unknown): unknown {
  if (!isRecord(heapProfile) || !isRecord(cpuProfile) || !Array.isArray(cpuProfile['nodes'])) return heapProfile;
  const urls = new Map<string, string>();
  // By script id and function name: its position, or null when two functions of that name differ.
  const positions = new Map<string, { lineNumber: number; columnNumber: number } | null>();
  for (const node of cpuProfile['nodes'] as unknown[]) {
    const call = isRecord(node) && isRecord(node['callFrame']) ? (node['callFrame'] as CallFrame) : undefined;
    if (!call || typeof call.scriptId !== 'string' || call.scriptId === '0' || typeof call.url !== 'string' || call.url === '') continue;
    urls.set(call.scriptId, call.url);
    if (typeof call.lineNumber !== 'number' || typeof call.columnNumber !== 'number' || call.lineNumber < 0) continue;
    const key = `${call.scriptId}\u0000${String(call.functionName)}`;
    const known = positions.get(key);
    if (known === undefined) positions.set(key, { lineNumber: call.lineNumber, columnNumber: call.columnNumber });
    else if (known !== null && (known.lineNumber !== call.lineNumber || known.columnNumber !== call.columnNumber)) positions.set(key, null);
  }
  if (urls.size === 0) return heapProfile;
  const rename = (node: unknown, depth: number): unknown => {
    // Deeper than any real stack: left as it is, so a hostile chunk cannot overflow the agent's stack here.
    if (!isRecord(node) || depth > MAX_RENAMED_DEPTH) return node;
    const children = Array.isArray(node['children']) ? (node['children'] as unknown[]).map(child => rename(child, depth + 1)) : node['children'];
    const call = isRecord(node['callFrame']) ? (node['callFrame'] as CallFrame) : undefined;
    const url = call && typeof call.scriptId === 'string' ? urls.get(call.scriptId) : undefined;
    if (!call || url === undefined) return { ...node, children };
    const unplaced = typeof call.lineNumber !== 'number' || call.lineNumber < 0;
    const position = unplaced ? positions.get(`${String(call.scriptId)}\u0000${String(call.functionName)}`) : undefined;
    return { ...node, callFrame: { ...call, url, ...(position ? position : {}) }, children };
  };
  return { ...heapProfile, head: rename(heapProfile['head'], 0) };
}
