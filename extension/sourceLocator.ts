import * as path from 'node:path';

/**
 * Where a profile frame's URL points, before anything is opened: a file on disk (from a `file://` URL or an
 * absolute path), a path relative to a workspace folder, or something that has no file (Node's built-in
 * modules, `http(s)://` scripts, evaluated code). Kept free of `vscode` so it is tested in plain Node.
 */
export type SourceLocation =
  | { kind: 'file'; path: string }
  | { kind: 'relative'; path: string }
  | { kind: 'none'; reason: string };

export function locateSource(url: string): SourceLocation {
  if (url === '') return { kind: 'none', reason: 'This frame has no source file (native code or a V8 pseudo-frame).' };
  if (url.startsWith('node:') || /^internal[\\/]/.test(url)) {
    return { kind: 'none', reason: `${url} is part of Node.js itself and has no file in your workspace.` };
  }
  if (url.startsWith('file://')) {
    try {
      return { kind: 'file', path: fileURLToPathSafe(url) };
    } catch {
      return { kind: 'none', reason: `${url} is not a valid file URL.` };
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    return { kind: 'none', reason: `${url} is not a local file; Icicle opens only files on this machine.` };
  }
  if (path.isAbsolute(url) || path.win32.isAbsolute(url)) return { kind: 'file', path: url };
  return { kind: 'relative', path: url };
}

function fileURLToPathSafe(url: string): string {
  // new URL() normalises `..` segments and percent-encoding the same way the runtime that wrote the URL did.
  const parsed = new URL(url);
  const decoded = decodeURIComponent(parsed.pathname);
  return process.platform === 'win32' ? decoded.replace(/^\/([a-zA-Z]:)/, '$1').replace(/\//g, '\\') : decoded;
}
