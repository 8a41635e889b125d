import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { quoted } from './toolAnswer';

/** A row's link to its source: `uri` only when the file it cites is a file on this machine. */
export type SourceLink = { uri?: string };

/**
 * Links for the places an answer cites: `file:///…/parse.js#L12`, the form VS Code's chat and `vscode.open` open at
 * that line, given only when the cited file (an absolute path or a file:// URL, as profiles name files) exists on this
 * machine, so that a link never points at another machine's path. Such a URI is percent-encoded ASCII and bounded by
 * the file system's path length, so unlike the `at` text it is never cut (a cut link would open nothing). Each call of
 * a tool makes its own, so a file is looked at once per answer and a file created since is found by the next one.
 */
export function sourceLinker(): (file: string, line: number) => SourceLink {
  const found = new Map<string, string | undefined>();
  const fileUri = (file: string): string | undefined => {
    if (found.has(file)) return found.get(file);
    const uri = existingFileUri(file);
    found.set(file, uri);
    return uri;
  };
  return (file, line) => {
    const uri = fileUri(file);
    if (uri === undefined) return {};
    return { uri: line > 0 ? `${uri}#L${line}` : uri };
  };
}

function existingFileUri(file: string): string | undefined {
  let path: string;
  try {
    if (file.startsWith('file://')) path = fileURLToPath(file);
    else if (isAbsolute(file)) path = file;
    else return undefined;
    return statSync(path, { throwIfNoEntry: false })?.isFile() ? pathToFileURL(path).href : undefined;
  } catch {
    // A malformed file:// URL, or a path the file system refuses (a NUL byte): nothing to link to.
    return undefined;
  }
}

/** A cited place in a text rendering: the quoted `at`, and the link after it when there is one. */
export function placeText(row: { at: string } & SourceLink): string {
  return row.uri === undefined ? quoted(row.at) : `${quoted(row.at)} (${JSON.stringify(row.uri)})`;
}
