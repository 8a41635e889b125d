import { ProfileBuilder, ProfileImportError, type ImportedProfile, type ValueType } from '../../importedProfile';
import { decodeText, quoteExcerpt, type ImportOptions } from '../parseSupport';
import type { FormatReader } from '../formatReader';
import { forEachLine, type LineParser } from '../textLines';

/**
 * Brendan Gregg's folded (collapsed) stacks, as stackcollapse-*.pl, `perf script | stackcollapse-perf.pl`, py-spy
 * `--format raw`, async-profiler's `collapsed` output and many others write them: one line per distinct stack,
 * frames root first separated by `;`, then a space and how many samples had that stack:
 *
 *     main;parse;lex 12
 *
 * Files come from many tools and platforms, so the bytes are decoded whatever their encoding (UTF-8 with or without a
 * byte order mark, UTF-16 either way round) and CRLF line ends are accepted. Lines that are not `stack count` (comments,
 * headers, lines cut short) are skipped and counted in the notes; a file with no valid line is refused.
 *
 * The lines carry no times, and usually no file names or line numbers: frames are names, and every sample is at the
 * profile's start. A frame written `name (file:line)`, as py-spy writes Python frames, keeps its file and line, so
 * Python profiles get costs in the source. The count need not be whole (some tools fold weighted samples); the store rounds it.
 */

/** py-spy's frame: `function (path/to/file.py:12)`; Icicle's export adds a column to anonymous functions' (`:12:5`). */
const LOCATED_FRAME = /^(.+?) \(([^()]+?):(\d+)(?::(\d+))?\)$/;

export const COLLAPSED_SAMPLES: ValueType = { profileType: 'profile:samples:count:samples:count', unit: 'count' };

/** The most of a file's start read to find its first lines: far more than any real stack, however deep. */
const MAX_HEAD_BYTES = 16 * 1024 * 1024;

/**
 * Whether a file (as bytes) reads as folded stacks: among its first lines that are not comments (`#`, `//`), at least
 * two in three are `stack count`, which forgives the odd invalid line the importer skips (a first line whose count is
 * `NaN` included) without claiming other text formats. A line of a deep stack can be hundreds of kilobytes, so the
 * start read grows until it holds a complete line or the whole file (up to 16 MiB).
 */
export function looksLikeCollapsed(bytes: Uint8Array): boolean {
  for (let size = 64 * 1024; ; size *= 4) {
    const whole = size >= bytes.length;
    const text = decodeText(bytes.subarray(0, size));
    // JSON (a V8 profile, a trace, often one long line) is not read on for megabytes to find a line end.
    if (size === 64 * 1024 && text.trimStart().startsWith('{')) return false;
    const verdict = judgeFirstLines(text, whole);
    if (verdict !== undefined) return verdict;
    if (whole || size >= MAX_HEAD_BYTES) return false;
  }
}

/** The verdict on the complete lines of a file's start, or undefined when it holds no complete line but comments. */
function judgeFirstLines(text: string, whole: boolean): boolean | undefined {
  const lines = text.split('\n');
  // The last line may be cut by the start's end, so it counts only when the start is the whole file.
  const complete = whole ? lines : lines.slice(0, -1);
  let valid = 0;
  let invalid = 0;
  for (const raw of complete) {
    if (valid + invalid >= 20) break;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('//')) continue;
    if (parseLine(line) !== undefined) valid++;
    else invalid++;
  }
  if (valid + invalid === 0) return whole ? false : undefined;
  return valid > 0 && invalid * 2 <= valid;
}

/**
 * Parses folded stacks into one profile of sample counts. Throws ProfileImportError when no line is valid, naming
 * the first line it could not read.
 */
export function parseCollapsed(input: Uint8Array, displayName: string, options: ImportOptions = {}): ImportedProfile[] {
  const parser = collapsedParser(displayName, options);
  forEachLine(decodeText(input), parser.line);
  return parser.finish();
}

/** The collapsed stacks reader as a line parser (textLines.ts), for text in memory or a file read in chunks. */
export function collapsedParser(displayName: string, options: ImportOptions = {}): LineParser {
  const notes = options.notes ?? [];
  const builder = new ProfileBuilder('collapsed', [COLLAPSED_SAMPLES]);
  const frameOf = new Map<string, number>();
  let skipped = 0;
  let firstSkipped: { line: number; text: string } | undefined;
  let lineNumber = 0;
  const line = (raw: string): void => {
    const line = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    lineNumber++;
    if (line.trim() === '') return;
    const parsed = parseLine(line);
    if (parsed === undefined) {
      skipped++;
      firstSkipped ??= { line: lineNumber, text: line };
      return;
    }
    const names = parsed.stack.split(';');
    const ids = new Array<number>(names.length);
    for (let k = 0; k < names.length; k++) {
      const name = names[k]!;
      let id = frameOf.get(name);
      if (id === undefined) {
        const located = LOCATED_FRAME.exec(name);
        id = located
          ? builder.frame({ name: located[1]!, file: located[2]!, line: Number(located[3]), column: located[4] === undefined ? 0 : Number(located[4]), module: '', address: 0 })
          : builder.frame({ name, file: '', line: 0, column: 0, module: '', address: 0 });
        frameOf.set(name, id);
      }
      // Root first in the file, leaf first in the imported form.
      ids[names.length - 1 - k] = id;
    }
    builder.sample(builder.stack(ids), [parsed.count]);
  };
  const finish = (): ImportedProfile[] => {
    if (builder.sampleCount === 0) {
      const reason = firstSkipped === undefined
        ? 'it is empty.'
        : `no line is a stack followed by a sample count, like "main;work 12" (line ${firstSkipped.line} reads ${quoteExcerpt(firstSkipped.text)}).`;
      throw new ProfileImportError(displayName, 'collapsed', reason);
    }
    if (firstSkipped !== undefined) {
      notes.push(`${skipped} line${skipped === 1 ? ' was' : 's were'} not a stack followed by a count and ${skipped === 1 ? 'was' : 'were'} skipped (the first is line ${firstSkipped.line}).`);
    }
    // Without times, every sample is at the profile's start.
    return [builder.build({ startMs: options.startMs ?? 0 })];
  };
  return { line, finish };
}

/**
 * `stack count`: the count is what follows the last space (or tab), a non-negative decimal number below 2^53 (what
 * the store holds exactly; a larger one is no real sample count); the stack is everything before it and must not be
 * empty. Anything else (`NaN`, `-3`, `1e5`) makes the line invalid, to be skipped and counted. Checked by hand, not
 * by a regular expression, so a long line costs one pass.
 */
function parseLine(line: string): { stack: string; count: number } | undefined {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 32 || line.charCodeAt(end - 1) === 9)) end--;
  let space = end - 1;
  while (space >= 0 && line.charCodeAt(space) !== 32 && line.charCodeAt(space) !== 9) space--;
  if (space <= 0) return undefined;
  let dots = 0;
  for (let i = space + 1; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c === 46) dots++;
    else if (c < 48 || c > 57) return undefined;
  }
  if (dots > 1 || end - space - 1 === dots) return undefined;
  const count = Number(line.slice(space + 1, end));
  if (!(Math.round(count) <= Number.MAX_SAFE_INTEGER)) return undefined;
  const stack = line.slice(0, space).trim();
  if (stack === '') return undefined;
  return { stack, count };
}

/** Collapsed stacks in the format registry (agent/import/formatReaders.ts): recognised by their first lines' bytes (they may be UTF-16). */
export const collapsedReader: FormatReader = {
  sniff: { bytes: file => looksLikeCollapsed(file.bytes) },
  parse: (file, displayName, notes) => parseCollapsed(file.bytes, displayName, { notes }),
  lines: (displayName, notes) => collapsedParser(displayName, { notes }),
};
