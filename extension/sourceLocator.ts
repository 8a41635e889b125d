import * as path from 'node:path';

/**
 * Where a profile frame's URL points, before anything is opened: a file on disk (from a `file://` URL or an
 * absolute path), a path relative to a workspace folder, or something that has no file (Node's built-in
 * modules, `http(s)://` scripts, evaluated code). Kept free of `vscode` so it is tested in plain Node.
 *
 * Profiles come from anywhere, so their names are not trusted: a name with a NUL or another control character,
 * a Windows network path (`\\host\share`, which would make the system connect to that host) and a `file://` URL
 * naming another host point at nothing. A relative path is only ever looked for inside a workspace folder
 * (workspacePaths.ts).
 */
export type SourceLocation =
  | { kind: 'file'; path: string }
  | { kind: 'relative'; path: string }
  | { kind: 'none'; reason: string };

export function locateSource(url: string): SourceLocation {
  if (url === '') return { kind: 'none', reason: 'This frame has no source file (native code or a V8 pseudo-frame).' };
  if (hasControlCharacter(url)) return { kind: 'none', reason: 'The file name of this frame holds control characters; Icicle does not open it.' };
  if (url.startsWith('node:') || /^internal[\\/]/.test(url)) {
    return { kind: 'none', reason: `${url} is part of Node.js itself and has no file in your workspace.` };
  }
  if (/^file:/i.test(url)) {
    const located = fileUrlPath(url);
    return typeof located === 'string' ? { kind: 'file', path: located } : { kind: 'none', reason: located.reason };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    return { kind: 'none', reason: `${url} is not a local file; Icicle opens only files on this machine.` };
  }
  if (/^[\\/]{2}/.test(url) && path.win32.isAbsolute(url)) {
    return { kind: 'none', reason: `${url} is a network path; Icicle opens only files on this machine.` };
  }
  if (path.isAbsolute(url) || path.win32.isAbsolute(url)) return { kind: 'file', path: url };
  return { kind: 'relative', path: url };
}

function hasControlCharacter(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(text);
}

/** The local path of a `file://` URL, or why it has none. */
function fileUrlPath(url: string): string | { reason: string } {
  let parsed: URL;
  try {
    // new URL() normalises `..` segments (also percent-encoded ones) the same way the runtime that wrote the URL did.
    parsed = new URL(url);
  } catch {
    return { reason: `${url} is not a valid file URL.` };
  }
  if (parsed.host !== '' && parsed.host !== 'localhost') return { reason: `${url} names a file on ${parsed.host}; Icicle opens only files on this machine.` };
  let decoded: string;
  try {
    decoded = decodeURIComponent(parsed.pathname);
  } catch {
    return { reason: `${url} is not a valid file URL.` };
  }
  // An encoded NUL (%00) or other control character only shows once decoded.
  if (hasControlCharacter(decoded)) return { reason: 'The file name of this frame holds control characters; Icicle does not open it.' };
  return process.platform === 'win32' ? decoded.replace(/^\/([a-zA-Z]:)/, '$1').replace(/\//g, '\\') : decoded;
}
