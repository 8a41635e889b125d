import type { FrameKind } from '../common/callTree';

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
