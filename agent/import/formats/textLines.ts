import type { ImportedProfile } from '../importedProfile';

/**
 * A text format's reader fed line by line (`perf script` output): the same parser reads a string in memory
 * (forEachLine) and a file of gigabytes read in chunks (ChunkedLines, agent/import/streamImport.ts), so the two
 * paths cannot drift. Lines come without their `\n`; a `\r` before it is the parser's to drop.
 */
export interface LineParser {
  line(line: string): void;
  /** The profiles read, once every line was given; throws ProfileImportError when the text held none. */
  finish(): ImportedProfile[];
}

/**
 * Calls `onLine` with each line of `text`, split at `\n`. A text ending in `\n` has no empty last line (a file's
 * last newline ends its last line), so that "a\n" and "a" are one line each.
 */
export function forEachLine(text: string, onLine: (line: string) => void): void {
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    onLine(text.slice(start, end));
    start = end + 1;
  }
}

/** The longest line read from a stream: a collapsed stack 10,000 frames deep takes about a megabyte. */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;

/**
 * Lines from text arriving in pieces (a file decoded chunk by chunk): the same lines forEachLine finds in the
 * pieces joined, holding only the unfinished last line between pieces.
 */
export class ChunkedLines {
  private rest = '';

  constructor(
    private readonly onLine: (line: string) => void,
    /** Thrown when a line grows past `maxLineChars` (a file without newlines is no line format's): memory stays bounded. */
    private readonly tooLong: () => Error,
    private readonly maxLineChars = MAX_LINE_CHARS,
  ) {}

  push(piece: string): void {
    let end = piece.indexOf('\n');
    if (end < 0) {
      this.rest += piece;
      if (this.rest.length > this.maxLineChars) throw this.tooLong();
      return;
    }
    this.onLine(this.rest + piece.slice(0, end));
    this.rest = '';
    let start = end + 1;
    for (end = piece.indexOf('\n', start); end >= 0; end = piece.indexOf('\n', start)) {
      this.onLine(piece.slice(start, end));
      start = end + 1;
    }
    this.rest = piece.slice(start);
    if (this.rest.length > this.maxLineChars) throw this.tooLong();
  }

  /** The last line, when the text did not end with a newline. */
  end(): void {
    if (this.rest.length > 0) this.onLine(this.rest);
    this.rest = '';
  }
}
