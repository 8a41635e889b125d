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

/**
 * A line format's reader fed the file's UTF-8 bytes line by line (`perf script`: a reader that looks at bytes and
 * makes strings only of what it has not seen before). The same parser reads bytes in memory (forEachByteLine) and a
 * file read in chunks (ChunkedByteLines). `bytes` is the caller's and is reused once the call returns (a read
 * buffer): a parser copies what it keeps.
 */
export interface ByteLineParser {
  /** One line: `bytes[start, end)`, without its `\n`; a `\r` before it is the parser's to drop. */
  line(bytes: Buffer, start: number, end: number): void;
  /** The profiles read, once every line was given; throws ProfileImportError when the text held none. */
  finish(): ImportedProfile[];
}

/** Lines of UTF-8 bytes split at `\n`, as forEachLine splits a string: no empty last line after a final `\n`. */
export function forEachByteLine(bytes: Buffer, onLine: (bytes: Buffer, start: number, end: number) => void): void {
  for (let start = 0; start < bytes.length; ) {
    let end = bytes.indexOf(10, start);
    if (end < 0) end = bytes.length;
    onLine(bytes, start, end);
    start = end + 1;
  }
}

/**
 * Lines from bytes arriving in pieces (a file read in chunks): the lines forEachByteLine finds in the pieces joined.
 * A line inside a piece is given in place; only a line cut between pieces is copied, into a buffer that grows to
 * the longest such line, bounded by `maxLineBytes`.
 */
export class ChunkedByteLines {
  private rest = Buffer.allocUnsafe(64 * 1024);
  private restLength = 0;

  constructor(
    private readonly onLine: (bytes: Buffer, start: number, end: number) => void,
    /** Thrown when a line grows past `maxLineBytes` (a file without newlines is no line format's): memory stays bounded. */
    private readonly tooLong: () => Error,
    private readonly maxLineBytes = MAX_LINE_CHARS,
  ) {}

  push(piece: Buffer): void {
    let start = 0;
    if (this.restLength > 0) {
      // The piece continues the line the last one cut: it is joined in the buffer, and read once it ends.
      const end = piece.indexOf(10);
      this.keep(piece, 0, end < 0 ? piece.length : end);
      if (end < 0) return;
      this.onLine(this.rest, 0, this.restLength);
      this.restLength = 0;
      start = end + 1;
    }
    this.keep(piece, this.linesOf(piece, start), piece.length);
  }

  /**
   * Gives the lines of `piece` from `start` that end in it, and returns where the unfinished one starts. A loop of
   * its own: V8 compiles it while it runs, and the code after it then has nothing it has not seen.
   */
  private linesOf(piece: Buffer, start: number): number {
    const onLine = this.onLine;
    for (let end = piece.indexOf(10, start); end >= 0; end = piece.indexOf(10, start)) {
      onLine(piece, start, end);
      start = end + 1;
    }
    return start;
  }

  /** The last line, when the bytes did not end with a newline. */
  end(): void {
    if (this.restLength > 0) this.onLine(this.rest, 0, this.restLength);
    this.restLength = 0;
  }

  private keep(piece: Buffer, start: number, end: number): void {
    const length = this.restLength + end - start;
    if (length > this.maxLineBytes) throw this.tooLong();
    if (length > this.rest.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.maxLineBytes, Math.max(length, this.rest.length * 2)));
      this.rest.copy(grown, 0, 0, this.restLength);
      this.rest = grown;
    }
    piece.copy(this.rest, this.restLength, start, end);
    this.restLength = length;
  }
}
