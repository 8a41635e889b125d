import type { PathMapping } from './protocol/languageServerProtocol';

/**
 * Finding the profile's name for a workspace file. Profiles name files as their program saw them: absolute paths from
 * another machine or a container, `file://` URLs, bundler URLs (`webpack:///./src/x.ts`), or relative paths. A
 * document is matched to the profile file whose path shares the longest run of trailing path segments with it
 * (`/app/src/util.ts` and `/home/me/project/src/util.ts` share `src/util.ts`), after the user's `icicle.pathMappings`
 * have rewritten prefixes. A tie between two profile files is no match: a wrong annotation is worse than none.
 */

/** A profile file name as a path with `/` separators, or undefined when it names no file (`node:fs`, `http://…`). */
export function profilePath(file: string): string | undefined {
  let path = file;
  if (path.startsWith('file://')) {
    try {
      path = decodeURIComponent(new URL(path).pathname);
    } catch {
      return undefined;
    }
    // file:///C:/x → C:/x
    if (/^\/[A-Za-z]:\//.test(path)) path = path.slice(1);
    // The URL's query and fragment are already off: a # or ? left is part of the file's name (%23, %3F).
    path = path.replace(/\\/g, '/');
    return path === '' ? undefined : path;
  } else if (/^webpack(-internal)?:\/\//.test(path)) {
    // webpack:///./src/x.ts, webpack://my-app/./src/x.ts, webpack-internal:///./src/x.ts → src/x.ts
    path = path.replace(/^webpack(-internal)?:\/\/[^/]*\//, '').replace(/^(\.\/)+/, '');
  } else if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path) && !/^[A-Za-z]:[\\/]/.test(path)) {
    // Another scheme (node:, http:, internal:, evalmachine.<anonymous>...) has no file on this machine.
    return undefined;
  }
  path = path.replace(/[?#].*$/, '').replace(/\\/g, '/');
  return path === '' ? undefined : path;
}

/** The path with the first mapping whose `from` is a prefix (at a segment boundary) rewritten to its `to`. */
export function applyMappings(path: string, mappings: readonly PathMapping[]): string {
  for (const { from, to } of mappings) {
    const prefix = from.replace(/\\/g, '/').replace(/\/+$/, '');
    if (path === prefix || path.startsWith(`${prefix}/`)) return to.replace(/\\/g, '/').replace(/\/+$/, '') + path.slice(prefix.length);
  }
  return path;
}

function segments(path: string): string[] {
  return path.split('/').filter(s => s !== '' && s !== '.');
}

/** How many trailing segments two paths share. */
function sharedSuffix(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

export interface PathMatch {
  /** The profile's own names for the file (one, or several spellings of the same path: a URL and a path). */
  files: string[];
  /** How many trailing segments matched; the whole profile path when `exact`. */
  segments: number;
  /** The mapped profile path is the document's path itself. */
  exact: boolean;
}

interface Candidate {
  file: string;
  segments: string[];
  mapped: string;
}

/** The profile's files, indexed by base name, for matching documents to them. */
export class PathIndex {
  private readonly byBaseName = new Map<string, Candidate[]>();

  constructor(files: Iterable<string>, mappings: readonly PathMapping[]) {
    for (const file of files) {
      const path = profilePath(file);
      if (path === undefined) continue;
      const mapped = applyMappings(path, mappings);
      const parts = segments(mapped);
      const base = parts[parts.length - 1];
      if (base === undefined) continue;
      let bucket = this.byBaseName.get(base);
      if (!bucket) this.byBaseName.set(base, (bucket = []));
      bucket.push({ file, segments: parts, mapped });
    }
  }

  /** The profile file for a document at `documentPath` (absolute, `/` separators), or undefined. */
  resolve(documentPath: string): PathMatch | undefined {
    const path = documentPath.replace(/\\/g, '/');
    const parts = segments(path);
    const candidates = this.byBaseName.get(parts[parts.length - 1] ?? '');
    if (!candidates) return undefined;
    const exact = candidates.filter(c => c.mapped === path);
    if (exact.length > 0) return { files: exact.map(c => c.file), segments: parts.length, exact: true };
    let score = 0;
    let best: Candidate[] = [];
    for (const candidate of candidates) {
      const shared = sharedSuffix(candidate.segments, parts);
      if (shared > score) {
        score = shared;
        best = [candidate];
      } else if (shared === score) best.push(candidate);
    }
    // Several spellings of one path are one file; two different paths are a tie, and no match.
    if (best.length === 0 || new Set(best.map(c => c.mapped)).size > 1) return undefined;
    return { files: best.map(c => c.file), segments: score, exact: false };
  }
}
