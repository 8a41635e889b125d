import type { FrameKind } from '../common/callTree';

/**
 * The module of the pseudo-frame that names an OpenTelemetry span in the span wall time profile
 * (agent/import/spanWallTime.ts): no program's frame has it, so the store never merges the two, and a view knows it
 * for a span, not a function.
 */
export const SPAN_FRAME_MODULE = '(opentelemetry span)';

/**
 * Classifies a JavaScript frame by its function name and script URL, the way a reader of a flame graph
 * groups code: V8's pseudo-frames, native code without a script, Node's own modules, installed
 * dependencies, and everything else as the user's code.
 */
export function classifyJavaScriptFrame(name: string, url: string, line: number): FrameKind {
  switch (name) {
    case '(program)':
      return 'program';
    case '(idle)':
      return 'idle';
    case '(garbage collector)':
      return 'gc';
    case '(root)':
      return 'root';
  }
  // Without a script, a frame with a position is evaluated code (eval, new Function); without one, it is native.
  if (url === '') return line >= 0 ? 'user' : 'native';
  if (url.startsWith('node:') || url.startsWith('internal/') || isBareNodeInternal(url)) return 'runtime';
  if (/[\\/]node_modules[\\/]/.test(url)) return 'dependency';
  return 'user';
}

/**
 * Old Node versions (before node: URLs) name their built-in modules by bare file name ("module.js",
 * "bootstrap_node.js"): no scheme and no directory, which user scripts never have since V8 reports their full path.
 */
function isBareNodeInternal(url: string): boolean {
  return !url.includes('/') && !url.includes('\\') && !url.includes(':') && url.endsWith('.js');
}

/** The parts of a stored frame the classification looks at (storage/metadata's StoredFrame has them all). */
interface FrameFields {
  functionName: string;
  file: string;
  line: number;
  module: string;
}

/**
 * Classifies a frame from the store, whatever format it came from, for colouring the flame graph: V8 pseudo-frames
 * and JavaScript by name and script URL (as classifyJavaScriptFrame), Go's runtime and module cache, and frames
 * without source (kernel, shared objects, unsymbolised addresses) as native.
 */
export function classifyStoredFrame(frame: FrameFields): FrameKind {
  const { functionName: name, module } = frame;
  // A span stands for a request's wall time, like V8's `(program)` a pseudo-frame of no source.
  if (module === SPAN_FRAME_MODULE) return 'program';
  // Profiles from Windows name files with backslashes; the patterns below are written with slashes.
  const file = frame.file.includes('\\') ? frame.file.replace(/\\/g, '/') : frame.file;
  if (module.startsWith('[kernel')) return 'native';
  if (name.startsWith('runtime.') || file.includes('/src/runtime/') || file.startsWith('runtime/')) return 'runtime';
  if (file.includes('/pkg/mod/') || file.includes('/vendor/')) return 'dependency';
  if (file === '' && module !== '' && !module.includes(':')) return 'native';
  // Stored lines are 1-based with 0 for unknown; V8's classification takes 0-based lines with -1 for unknown.
  return classifyJavaScriptFrame(name, file, frame.line - 1);
}
