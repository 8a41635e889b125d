import { ProfileBuilder, ProfileImportError, type ImportedProfile, type ValueType } from '../../importedProfile';
import { placeInTime, type ImportOptions } from '../parseSupport';
import type { FormatReader } from '../formatReader';
import { forEachLine, type LineParser } from '../textLines';

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

/** One count per sample; cpu-clock's period says each stands for that many nanoseconds of CPU. */
export const PERF_SAMPLE_COUNT: ValueType = { profileType: 'process_cpu:samples:count:cpu:nanoseconds', unit: 'count' };
const PERF_CPU_TIME: ValueType = { profileType: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', unit: 'nanoseconds' };
const CLOCK_EVENTS = new Set(['cpu-clock', 'task-clock']);

const KERNEL_MODULE = '[kernel.kallsyms]';
/** Distinct frame lines remembered (perfScriptParser's frameLines): a few hundred bytes each at most. */
const MAX_CACHED_FRAME_LINES = 1_000_000;

/** perf's `srcline` field under a frame: `  file.go:12`, `  ??:0`, or a binary and address `  [kernel.kallsyms][ffff…]`. */
const SRCLINE = /^\s+(?:\S.*:\d+|\S.*\[[0-9a-f]+\])$/;

interface Header {
  comm: string;
  pid: string | undefined;
  tid: string;
  seconds: number;
  period: number;
  event: string;
  /** Where on the line a frame printed after the event starts (no call graph), or -1. */
  inlineFrame: number;
}

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
 */
export function parsePerfScript(text: string, displayName: string, options: ImportOptions = {}): ImportedProfile[] {
  const parser = perfScriptParser(displayName, options);
  forEachLine(text, parser.line);
  return parser.finish();
}

/**
 * The `perf script` reader as a line parser (textLines.ts): fed one line at a time, from a string in memory or from
 * a file read in chunks, so that a file of gigabytes is read in bounded memory (what it keeps is the profile: frames,
 * stacks and per-sample columns). `finish` throws ProfileImportError when no line read as a sample.
 */
export function perfScriptParser(displayName: string, options: ImportOptions = {}): LineParser {
  const notes = options.notes ?? [];
  const builder = new ProfileBuilder('perf-script', [PERF_SAMPLE_COUNT, PERF_CPU_TIME]);
  const frameOf = new Map<string, number>();
  const labelsOf = new Map<string, Record<string, string>>();
  const events: string[] = [];
  const eventNames = new Set<string>();
  let allHavePeriods = true;
  let periodSum = 0;
  let minSeconds = Number.POSITIVE_INFINITY;
  let maxSeconds = Number.NEGATIVE_INFINITY;
  let skipped = 0;
  let firstSkipped = 0;
  let firstContent = 0;

  /** Samples whose header had no time: they sit at the profile's start once the others are made relative. */
  const untimed: number[] = [];
  let header: Header | undefined;
  let frames: number[] = [];
  const flush = (): void => {
    if (header === undefined) return;
    const h = header;
    const labelKey = `${h.pid ?? ''}\u0000${h.tid}\u0000${h.comm}`;
    let labels = labelsOf.get(labelKey);
    if (labels === undefined) {
      labels = h.pid === undefined ? { comm: h.comm, tid: h.tid } : { comm: h.comm, pid: h.pid, tid: h.tid };
      labelsOf.set(labelKey, labels);
    }
    const hasPeriod = Number.isFinite(h.period);
    allHavePeriods &&= hasPeriod;
    if (hasPeriod) periodSum += h.period;
    const hasTime = Number.isFinite(h.seconds);
    if (hasTime) {
      minSeconds = Math.min(minSeconds, h.seconds);
      maxSeconds = Math.max(maxSeconds, h.seconds);
    } else {
      untimed.push(builder.sampleCount);
    }
    builder.sample(builder.stack(frames), [1, hasPeriod ? h.period : 0], hasTime ? h.seconds * 1000 : undefined, labels);
    leafOffsets.push(frames.length > 0 ? leafOffset : null);
    leafOffset = null;
    events.push(h.event);
    eventNames.add(h.event);
    header = undefined;
    frames = [];
  };
  // Offsets of user-space frames in modules with a path, so their source lines can be looked up on this machine.
  const frameOffsets: Set<string>[] = [];
  const leafOffsets: (string | null)[] = [];
  let leafOffset: string | null = null;
  /**
   * Frame lines already read, by their text: a recording repeats the same few thousand lines (address, symbol, dso)
   * millions of times, and reading one again is a map lookup. Bounded, for files whose every line differs.
   */
  const frameLines = new Map<string, { id: number; leafOffset: string | null }>();
  const addFrame = (line: string, from: number, remember: boolean): boolean => {
    const known = remember ? frameLines.get(line) : undefined;
    if (known !== undefined) {
      if (frames.length === 0) leafOffset = known.leafOffset;
      frames.push(known.id);
      return true;
    }
    const parsed = parseFrameLine(line, from);
    if (parsed === undefined) return false;
    const id = frameId(builder, frameOf, parsed);
    const native = parsed.dso.startsWith('/') && !isKernelAddress(parsed.address) && parsed.symbol !== '' && !parsed.symbol.includes(':');
    if (native) (frameOffsets[id] ??= new Set()).add(parsed.address);
    if (frames.length === 0) leafOffset = native ? parsed.address : null;
    frames.push(id);
    // Frame lines only: a header's inline frame shares its line with the sample's time, which never repeats.
    if (remember && frameLines.size < MAX_CACHED_FRAME_LINES) frameLines.set(line, { id, leafOffset: native ? parsed.address : null });
    return true;
  };

  /** When the recording ended, from `perf script --header`'s "# captured on" line (see capturedOn). */
  let capturedMs: number | undefined;
  let lineNumber = 0;
  const line = (raw: string): void => {
    const line = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    lineNumber++;
    const first = firstNonSpace(line);
    if (first === line.length) {
      flush();
      return;
    }
    if (line.charCodeAt(0) === 35 /* # */) {
      capturedMs ??= capturedOn(line);
      return;
    }
    if (firstContent === 0) firstContent = lineNumber;
    let understood: boolean;
    if (first > 0) {
      // A frame line; one outside a sample (after a header that did not parse) has nothing to belong to.
      // `-F +srcline` prints each frame's source line under it: the binary's debug information gives better ones
      // (perf's is the innermost inlined callee's, in another function's file), so it is read past, not counted.
      understood = header !== undefined && (addFrame(line, first, true) || (frames.length > 0 && SRCLINE.test(line)));
    } else {
      flush();
      header = parseHeader(line);
      understood = header !== undefined && (header.inlineFrame < 0 || addFrame(line, header.inlineFrame, false));
    }
    if (!understood) {
      skipped++;
      if (firstSkipped === 0) firstSkipped = lineNumber;
    }
  };

  const finish = (): ImportedProfile[] => {
    flush();
    if (builder.sampleCount === 0) {
      const where = firstContent === 0 ? 'it has no lines other than comments' : `line ${firstContent} is not a sample header ("comm pid/tid [cpu] seconds: period event:")`;
      throw new ProfileImportError(displayName, 'perf-script', `no sample could be read: ${where}. Make it with \`perf script\` from a \`perf record -g\` recording.`);
    }
    if (skipped > 0) notes.push(`${skipped} lines did not read as sample headers or frames and were skipped (the first is line ${firstSkipped}).`);

    const profile = builder.build({
      startMs: 0,
      durationNs: Number.isFinite(maxSeconds) ? Math.round((maxSeconds - minSeconds) * 1e9) : 0,
    });
    if (frameOffsets.length > 0) profile.nativeAddresses = { frameOffsets: Array.from(frameOffsets, offsets => offsets && [...offsets]), leafOffsets };
    if (profile.sampleTimes !== undefined) {
      const origin = minSeconds * 1000;
      for (let i = 0; i < profile.sampleTimes.length; i++) profile.sampleTimes[i] = profile.sampleTimes[i]! - origin;
      for (const i of untimed) profile.sampleTimes[i] = 0;
    }
    if (eventNames.size > 1) profile.sampleLabels['event'] = events;
    const [event] = eventNames;
    if (allHavePeriods && eventNames.size === 1 && event !== undefined) {
      const clock = CLOCK_EVENTS.has(event);
      const safe = event.replace(/[^A-Za-z0-9_.-]/g, '_');
      const periods: ValueType = clock ? PERF_CPU_TIME : { profileType: `perf_event:${safe}:count:${safe}:count`, unit: 'count' };
      return [place({ ...profile, valueTypes: [PERF_SAMPLE_COUNT, periods], periodNs: clock ? Math.round(periodSum / profile.sampleStacks.length) : 0 }, capturedMs, options.startMs)];
    }
    return [place({ ...profile, valueTypes: [PERF_SAMPLE_COUNT], sampleValues: [profile.sampleValues[0]!] }, capturedMs, options.startMs)];
  };
  return { line, finish };
}

/** A profile ending when perf says the recording was captured, on the epoch's clock; else from `startMs`. */
function place(profile: ImportedProfile, capturedMs: number | undefined, startMs: number | undefined): ImportedProfile {
  if (capturedMs === undefined) return placeInTime(profile, startMs);
  return { ...placeInTime(profile, capturedMs - profile.durationNs / 1e6), clock: 'epoch' };
}

/**
 * The time of perf's "# captured on: Wed Aug 15 16:01:24 2018" header line: when perf.data was last written, so
 * when the recording ended, to the second, in the local time of the machine that ran `perf script` (ctime's form,
 * which Date reads as local time). Undefined for any other line.
 */
function capturedOn(line: string): number | undefined {
  const match = /^#\s*captured on\s*:\s*(\w{3} \w{3} +\d{1,2} \d{2}:\d{2}:\d{2} \d{4})\s*$/.exec(line);
  if (!match) return undefined;
  const ms = new Date(match[1]!).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

function firstNonSpace(line: string): number {
  let i = 0;
  while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  return i;
}

function isIndented(line: string): boolean {
  return line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9;
}

function isDigits(s: string, from = 0, to = s.length): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isHex(s: string, from = 0, to = s.length): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) | 32;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** `12345.678901:` — perf's time field, seconds with a fraction. */
function isTimeToken(token: string): boolean {
  if (!token.endsWith(':')) return false;
  const dot = token.indexOf('.');
  return dot > 0 && isDigits(token, 0, dot) && isDigits(token, dot + 1, token.length - 1);
}

/** `1234` or `1234/1235`: the tid, or pid/tid. */
function pidTid(token: string): { pid: string | undefined; tid: string } | undefined {
  const slash = token.indexOf('/');
  if (slash < 0) return isDigits(token) ? { pid: undefined, tid: token } : undefined;
  return isDigits(token, 0, slash) && isDigits(token, slash + 1) ? { pid: token.slice(0, slash), tid: token.slice(slash + 1) } : undefined;
}

/** Reads a sample header. The command name may contain spaces, so fields are found from the time field outwards. */
function parseHeader(line: string): Header | undefined {
  const tokens: { text: string; start: number }[] = [];
  for (let i = 0; i < line.length; ) {
    while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
    const start = i;
    while (i < line.length && line.charCodeAt(i) !== 32 && line.charCodeAt(i) !== 9) i++;
    if (i > start) tokens.push({ text: line.slice(start, i), start });
  }
  const time = tokens.findIndex(t => isTimeToken(t.text));
  let seconds = Number.NaN;
  /** Where the id fields end (exclusive) and the fields after the time (period, event) start. */
  let idEnd: number;
  let next: number;
  if (time >= 0) {
    seconds = Number(tokens[time]!.text.slice(0, -1));
    idEnd = time;
    next = time + 1;
  } else {
    // Without `time` in -F, the event (the first "name:" token after the command) bounds the fields, and a number
    // just before it is the period when the ids or the cpu precede that number.
    const event = tokens.findIndex((t, i) => i > 0 && isEventToken(t.text));
    if (event < 0) return undefined;
    idEnd = event;
    next = event;
    if (event >= 3 && isDigits(tokens[event - 1]!.text) && (isCpuToken(tokens[event - 2]!.text) || pidTid(tokens[event - 2]!.text) !== undefined)) {
      idEnd = event - 1;
      next = event - 1;
    }
  }
  let idIndex = idEnd - 1;
  if (idIndex >= 0 && isCpuToken(tokens[idIndex]!.text)) idIndex--;
  if (idIndex < 1) return undefined;
  const ids = pidTid(tokens[idIndex]!.text);
  if (ids === undefined) return undefined;
  const comm = line.slice(0, tokens[idIndex]!.start).trim();
  let period = Number.NaN;
  if (next < tokens.length && isDigits(tokens[next]!.text)) {
    period = Number(tokens[next]!.text);
    // A period the store cannot hold exactly (2^53 and beyond) is no real one: the sample is skipped and counted.
    if (period > Number.MAX_SAFE_INTEGER) return undefined;
    next++;
  } else if (next + 1 < tokens.length && !tokens[next]!.text.endsWith(':') && isEventToken(tokens[next + 1]!.text)) {
    // Something other than a number where the period goes (`NaN`, `-5`): the sample is skipped and counted, rather
    // than read without a period, which would cost the whole file its CPU time.
    return undefined;
  }
  let event = '';
  let inlineFrame = -1;
  if (next < tokens.length && tokens[next]!.text.endsWith(':')) {
    event = eventName(tokens[next]!.text);
    next++;
  }
  if (next < tokens.length && isHex(tokens[next]!.text)) inlineFrame = tokens[next]!.start;
  return { comm, pid: ids.pid, tid: ids.tid, seconds, period, event, inlineFrame };
}

/** `cpu-clock:`, `cycles:ppp:`: an event name, as perf ends it with a colon. */
function isEventToken(token: string): boolean {
  return token.length > 1 && token.endsWith(':') && !isDigits(token, 0, token.length - 1);
}

/** `[003]`: the cpu, printed for system-wide recordings. */
function isCpuToken(token: string): boolean {
  return token.length > 2 && token.startsWith('[') && token.endsWith(']') && isDigits(token, 1, token.length - 1);
}

/** `cpu-clock:ppp:` → `cpu-clock`: the trailing colon and perf's precision and privilege modifiers go. */
function eventName(token: string): string {
  const name = token.slice(0, -1);
  const colon = name.lastIndexOf(':');
  return colon > 0 && /^[ukhGHpPSDIWe]+$/.test(name.slice(colon + 1)) ? name.slice(0, colon) : name;
}

interface FrameLine {
  address: string;
  symbol: string;
  dso: string;
}

/**
 * Reads `addr symbol+0xoff (dso)` starting at `from`. The dso is the last parenthesised group, matched from the
 * end so that symbols with parentheses (C++ signatures, `(anonymous namespace)`) and dsos like `(deleted)` stay whole.
 */
function parseFrameLine(line: string, from: number): FrameLine | undefined {
  let addressEnd = from;
  while (addressEnd < line.length && line.charCodeAt(addressEnd) !== 32 && line.charCodeAt(addressEnd) !== 9) addressEnd++;
  if (!isHex(line, from, addressEnd)) return undefined;
  const address = line.slice(from, addressEnd);
  const rest = line.slice(addressEnd).trim();
  let symbol = rest;
  let dso = '';
  if (rest.endsWith(')')) {
    let depth = 0;
    for (let i = rest.length - 1; i >= 0; i--) {
      const c = rest.charCodeAt(i);
      if (c === 41 /* ) */) depth++;
      else if (c === 40 /* ( */ && --depth === 0) {
        symbol = rest.slice(0, i).trimEnd();
        dso = rest.slice(i + 1, -1);
        break;
      }
    }
  }
  // perf appends the offset into the symbol (`+0x46`) with -F +symoff; frames of one function differ only in it.
  const plus = symbol.lastIndexOf('+0x');
  if (plus > 0 && isHex(symbol, plus + 3)) symbol = symbol.slice(0, plus);
  return { address, symbol, dso };
}

/** Kernel space on x86-64 and arm64 starts at 0xffff800000000000. */
/**
 * A JavaScript function in V8's perf map: `JS:*name file:line:column` (Node 18+; `*` optimized, `~` interpreted,
 * `^` baseline, `+` Maglev) or the older `LazyCompile:~name file:line`. Every tier of a function is one function.
 * Undefined for anything else (builtins, stubs, regular expressions), which keep their symbol as it is.
 */
function v8JitFunction(symbol: string): { name: string; file: string; line: number; column: number } | undefined {
  const match = /^(?:JS|LazyCompile|Function|InterpretedFunction|Script|Eval):[*~^+]?(.*?) ?(\S+?):(\d+)(?::(\d+))?$/.exec(symbol);
  if (!match) return undefined;
  return { name: match[1] || '(anonymous)', file: match[2]!, line: Number(match[3]), column: match[4] === undefined ? 0 : Number(match[4]) };
}

function isKernelAddress(address: string): boolean {
  let start = 0;
  while (start < address.length - 1 && address.charCodeAt(start) === 48) start++;
  return address.length - start === 16 && address.slice(start).toLowerCase() >= 'ffff800000000000';
}

/**
 * A frame line as an imported frame. Symbolised frames are one frame per (symbol, dso) whatever the address, so a
 * function's samples merge and the store interns it once; unsymbolised ones (`[unknown]`) are named by their address
 * and keep it. Kernel frames get the module `[kernel.kallsyms]`; JIT frames (`/tmp/perf-PID.map`, `[JIT] tid N`)
 * keep their dso as module and the name perf found in the map; for V8's JavaScript functions
 * (`node --perf-basic-prof`) that name is read as function, file, line and column, so they line up with the same
 * functions in V8 profiles and reach their source.
 */
function frameId(builder: ProfileBuilder, cache: Map<string, number>, frame: FrameLine): number {
  const unknown = frame.symbol === '' || frame.symbol === '[unknown]';
  const kernel = frame.dso === KERNEL_MODULE || frame.dso.startsWith('[kernel') || isKernelAddress(frame.address);
  const key = `${unknown ? `\u0001${frame.address}` : frame.symbol}\u0000${frame.dso}\u0000${kernel ? 'k' : 'u'}`;
  let id = cache.get(key);
  if (id === undefined) {
    const numeric = parseInt(frame.address, 16);
    const javaScript = unknown || kernel ? undefined : v8JitFunction(frame.symbol);
    id = builder.frame({
      name: javaScript?.name ?? (unknown ? `0x${frame.address}` : frame.symbol),
      file: javaScript?.file ?? '',
      line: javaScript?.line ?? 0,
      column: javaScript?.column ?? 0,
      module: kernel ? KERNEL_MODULE : frame.dso === '[unknown]' ? '' : frame.dso,
      // Addresses past 2^53 (kernel space) do not fit a number exactly; the name keeps them exactly instead.
      address: unknown && Number.isSafeInteger(numeric) ? numeric : 0,
    });
    cache.set(key, id);
  }
  return id;
}

/** `perf script` output in the format registry (agent/import/formatReaders.ts): recognised by its first samples. */
export const perfScriptReader: FormatReader = {
  sniff: { text: looksLikePerfScript },
  parse: (file, displayName, notes) => parsePerfScript(file.text, displayName, { notes }),
  lines: (displayName, notes) => perfScriptParser(displayName, { notes }),
};
