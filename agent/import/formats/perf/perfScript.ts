import type { ImportedProfile } from '../../importedProfile';
import { utf8Text, type ImportOptions } from '../parseSupport';
import type { FormatReader } from '../formatReader';
import { forEachByteLine } from '../textLines';
import { perfScriptParser } from './perfScanner';
import { firstNonSpace, isIndented, parseFrameLine, parseHeader } from './perfText';

/**
 * The text `perf script` prints for samples recorded with call graphs (`perf record -g`): per sample, a header line
 *
 *     comm  pid/tid [cpu] seconds: [period] event:
 *
 * (the tid alone when `-F` does not ask for the pid, `[cpu]` only for system-wide recordings, the period only for
 * some events and perf versions), then one line per frame, leaf first,
 *
 *     \t    addr symbol+0xoffset (dso)
 *
 * and a blank line. `#` lines are the header `perf script --header` adds. Without `-g` the one frame follows the
 * event on the header line itself, which is read too.
 *
 * What the values are: every sample counts 1, as `process_cpu:samples:count:cpu:nanoseconds` (the period type says
 * what perf's cpu-clock samples stand for). When every sample has a period and they all come from one event, the
 * periods are a second value type: CPU nanoseconds for the clock events (`cpu-clock`, `task-clock`, whose period is in
 * nanoseconds), else a count of that event (`cycles`, `instructions`: a sample stands for `period` events).
 *
 * Times: perf's times are seconds on the kernel's monotonic clock, unrelated to the epoch, so sample times are kept
 * relative, in milliseconds since the first sample. Output of `perf script --header` says when the recording ended
 * ("# captured on"): the last sample is put then, on the epoch's clock. Otherwise times start at `options.startMs`
 * when the caller gives one, else at 0, and the caller places them (timeAnchor.ts).
 *
 * Symbols are kept as perf printed them: C++ and Rust names are demangled only if perf demangled them (it does by
 * default; `--no-demangle` output keeps `_Z...` and `_R...` names), since a demangler of our own would be a large
 * dependency for names perf already handles.
 */

/**
 * Whether the text starts like `perf script` output: after any `#` header, a sample header line followed by a frame
 * line (or a frame on the header line). A damaged first sample or two (a header that does not read, with its frames)
 * is forgiven, as the importer skips and counts them. Takes the start of the file (a few kilobytes are enough).
 */
export function looksLikePerfScript(head: string): boolean {
  const lines = head.slice(0, 65536).split('\n');
  let damaged = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) continue;
    // The frames of a sample whose header did not read.
    if (damaged > 0 && isIndented(line)) continue;
    const header = parseHeader(line);
    if (header === undefined) {
      if (++damaged > 2) return false;
      continue;
    }
    if (header.inlineFrame >= 0) return true;
    const next = lines[i + 1]?.replace(/\r$/, '');
    // A header whose sample has no frames is followed by a blank line; the file's first sample is enough either way.
    return next === undefined || next.trim() === '' || (isIndented(next) && parseFrameLine(next, firstNonSpace(next)) !== undefined);
  }
  return false;
}

/**
 * Parses `perf script` output into one profile whose samples carry the labels `comm`, `tid` and (when printed)
 * `pid`, plus `event` when the recording mixes events. Throws ProfileImportError when no line reads as a sample.
 * The text is read as its UTF-8 bytes, by the reader that reads files as a stream (perfScanner.ts).
 */
export function parsePerfScript(text: string, displayName: string, options: ImportOptions = {}): ImportedProfile[] {
  return parsePerfScriptBytes(Buffer.from(text, 'utf8'), displayName, options);
}

/** parsePerfScript of UTF-8 bytes (without a byte order mark). */
export function parsePerfScriptBytes(bytes: Buffer, displayName: string, options: ImportOptions = {}): ImportedProfile[] {
  const parser = perfScriptParser(displayName, options);
  forEachByteLine(bytes, parser.line);
  return parser.finish();
}

/** `perf script` output in the format registry (agent/import/formatReaders.ts): recognised by its first samples. */
export const perfScriptReader: FormatReader = {
  sniff: { text: looksLikePerfScript },
  // A UTF-8 file's own bytes; UTF-16 text as UTF-8.
  parse: (file, displayName, notes) => parsePerfScriptBytes(utf8Text(file.bytes) ?? Buffer.from(file.text, 'utf8'), displayName, { notes }),
  byteLines: (displayName, notes) => perfScriptParser(displayName, { notes }),
};
