import { ProfileBuilder, ProfileImportError, type ImportedProfile, type ValueType } from '../../importedProfile';
import { placeInTime, type ImportOptions } from '../parseSupport';
import type { ByteLineParser } from '../textLines';
import { BytesMap } from './bytesMap';
import { StackTrie } from './stackTrie';
import { capturedOn, eventName, frameId, isKernelAddress, isSrcline, parseFrameLine, parseHeader } from './perfText';

/** One count per sample; cpu-clock's period says each stands for that many nanoseconds of CPU. */
export const PERF_SAMPLE_COUNT: ValueType = { profileType: 'process_cpu:samples:count:cpu:nanoseconds', unit: 'count' };
const PERF_CPU_TIME: ValueType = { profileType: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', unit: 'nanoseconds' };
const CLOCK_EVENTS = new Set(['cpu-clock', 'task-clock']);

/** Distinct frame lines remembered, and their bytes: a few hundred bytes each at most. */
const MAX_CACHED_FRAME_LINES = 1_000_000;
const MAX_CACHED_FRAME_BYTES = 128 * 2 ** 20;
/** Stacks found by walking their frames (StackTrie): nodes of the tree, a few dozen bytes each. */
const MAX_STACK_NODES = 1_000_000;
/** Distinct threads (command, pid and tid as a header prints them) remembered by their bytes. */
const MAX_CACHED_THREADS = 100_000;
/** A header has half a dozen fields; one with more (a command name of many words) goes to the text reader. */
const MAX_HEADER_TOKENS = 32;

const SPACE = 32;
const TAB = 9;
const CR = 13;
const HASH = 35;
const COLON = 58;
const DOT = 46;
const SLASH = 47;

/** What a frame line (or a header's inline frame) was, remembered per distinct line. */
const NOT_A_FRAME = -1;
const SRCLINE = -2;

interface Thread {
  comm: string;
  pid: string | undefined;
  tid: string;
}

/**
 * The `perf script` reader (perfScript.ts describes the format) over the file's UTF-8 bytes, line by line: from a
 * Buffer in memory or from a file read in chunks (streamImport.ts), so that a file of gigabytes is read in bounded
 * memory. A long recording repeats the same few thousand frame lines millions of times, so a frame line is looked up
 * by its bytes (BytesMap) and read as text (perfText.ts) only the first time; a sample header of the common form
 * `comm pid/tid [cpu] seconds: [period] event:` is read from its bytes, its thread looked up by the bytes that name
 * it; any other header goes to the text reader, which reads every form. Samples are kept as columns of small numbers
 * (stack, period, time, thread, event) and become the profile's label columns at the end. `finish` throws
 * ProfileImportError when no line read as a sample.
 *
 * Bytes and text agree because every decision on bytes is about ASCII (spaces, tabs, digits, `:`, `/`, `[`): no
 * byte of a multi-byte UTF-8 character, nor any byte that is not UTF-8 at all, is ASCII; and a piece of a line cut
 * at an ASCII byte decodes to the same characters as that piece of the whole line decoded.
 */
export function perfScriptParser(
  displayName: string,
  options: ImportOptions = {},
  /** Every header read by the text reader (parseHeader), so that tests can hold the byte reader to it. */
  { headersFromText = false } = {},
): ByteLineParser {
  const scanner = new PerfScriptScanner(displayName, options, headersFromText);
  return { line: (bytes, start, end) => scanner.line(bytes, start, end), finish: () => scanner.finish() };
}

/**
 * perfScriptParser's state. A class rather than a closure: V8 keeps a number field that changes in place, where a
 * closure's variable holding a fraction (a sample's time) takes a new heap number at every change.
 */
class PerfScriptScanner {
  private readonly notes: string[];
  private readonly builder = new ProfileBuilder('perf-script', [PERF_SAMPLE_COUNT, PERF_CPU_TIME]);
  private readonly frameOf = new Map<string, number>();
  private readonly stackTrie = new StackTrie(MAX_STACK_NODES);

  // Per sample, typed until the end.
  private count = 0;
  private readonly sampleStacks = new SampleColumn(Int32Array);
  private readonly sampleThreads = new SampleColumn(Int32Array);
  private readonly sampleEvents = new SampleColumn(Int32Array);
  private readonly periods = new SampleColumn(Float64Array);
  private readonly times = new SampleColumn(Float64Array);
  /** Per sample, its leaf's offset (nativeAddresses.leafOffsets) as an index into `offsets`, or -1. */
  private readonly sampleLeafOffsets = new SampleColumn(Int32Array);
  private readonly offsets: string[] = [];
  private readonly offsetOf = new Map<string, number>();
  /** Samples whose header had no time: they sit at the profile's start once the others are made relative. */
  private readonly untimed: number[] = [];
  private hasTimes = false;
  private allHavePeriods = true;
  private periodSum = 0;
  private minSeconds = Number.POSITIVE_INFINITY;
  private maxSeconds = Number.NEGATIVE_INFINITY;

  // Threads and events, each once.
  private readonly threads: Thread[] = [];
  private readonly threadOfText = new Map<string, number>();
  private readonly threadOfBytes = new BytesMap(MAX_CACHED_THREADS, 16 * 2 ** 20);
  private readonly threadOfBytesEntry: number[] = [];
  private readonly events: string[] = [];
  private readonly eventOfName = new Map<string, number>();
  private readonly eventOfBytes = new BytesMap(1000, 64 * 1024);
  private readonly eventOfBytesEntry: number[] = [];

  /** Offsets of user-space frames in modules with a path, so their source lines can be looked up on this machine. */
  private readonly frameOffsets: Set<string>[] = [];
  /** Per distinct frame line: its frame id, NOT_A_FRAME or SRCLINE; and the offset a sample it leads keeps. */
  private readonly frameLines = new BytesMap(MAX_CACHED_FRAME_LINES, MAX_CACHED_FRAME_BYTES);
  private readonly lineFrame: number[] = [];
  private readonly lineLeafOffset: number[] = [];

  // The sample being read: its header's fields, and its frames so far, leaf first.
  private inSample = false;
  private thread = 0;
  private event = 0;
  private seconds = Number.NaN;
  private period = Number.NaN;
  private frames: Int32Array = new Int32Array(256);
  private frameCount = 0;
  /** The sample's frames so far as a node of stackTrie (-1: the tree is full, the builder interns the stack). */
  private node = 0;
  private leafOffset = -1;

  /** The bytes naming the last header's thread (command and ids) and that thread, for the next header. */
  private readonly lastIds = new Uint8Array(256);
  private lastIdsLength = 0;
  private lastThread = 0;
  /** The bytes of the last header's event field and its event. */
  private readonly lastEvent = new Uint8Array(64);
  private lastEventLength = -1;
  private lastEventIndex = 0;

  private readonly tokenStarts = new Int32Array(MAX_HEADER_TOKENS);
  private readonly tokenEnds = new Int32Array(MAX_HEADER_TOKENS);

  private skipped = 0;
  private firstSkipped = 0;
  private firstContent = 0;
  private lineNumber = 0;
  /** When the recording ended, from `perf script --header`'s "# captured on" line (see capturedOn). */
  private capturedMs: number | undefined;

  constructor(
    private readonly displayName: string,
    private readonly options: ImportOptions,
    private readonly headersFromText: boolean,
  ) {
    this.notes = options.notes ?? [];
  }

  line(bytes: Buffer, start: number, end: number): void {
    if (end > start && bytes[end - 1] === CR) end--;
    this.lineNumber++;
    let first = start;
    while (first < end && (bytes[first] === SPACE || bytes[first] === TAB)) first++;
    if (first === end) {
      this.flush();
      return;
    }
    if (bytes[start] === HASH) {
      this.capturedMs ??= capturedOn(bytes.toString('utf8', start, end));
      return;
    }
    if (this.firstContent === 0) this.firstContent = this.lineNumber;
    let understood: boolean;
    if (first > start) {
      // A frame line; one outside a sample (after a header that did not parse) has nothing to belong to.
      // `-F +srcline` prints each frame's source line under it: the binary's debug information gives better ones
      // (perf's is the innermost inlined callee's, in another function's file), so it is read past, not counted.
      if (!this.inSample) {
        understood = false;
      } else {
        const id = this.addFrame(bytes, first, end);
        understood = id >= 0 || (id === SRCLINE && this.frameCount > 0);
      }
    } else {
      this.flush();
      understood = this.header(bytes, start, end);
    }
    if (!understood) {
      this.skipped++;
      if (this.firstSkipped === 0) this.firstSkipped = this.lineNumber;
    }
  }

  private flush(): void {
    if (!this.inSample) return;
    this.inSample = false;
    const index = this.count++;
    const period = this.period;
    const hasPeriod = Number.isFinite(period);
    if (hasPeriod) this.periodSum += period;
    else this.allHavePeriods = false;
    const seconds = this.seconds;
    if (Number.isFinite(seconds)) {
      this.hasTimes = true;
      if (seconds < this.minSeconds) this.minSeconds = seconds;
      if (seconds > this.maxSeconds) this.maxSeconds = seconds;
      this.times.set(index, seconds * 1000);
    } else {
      this.untimed.push(index);
      this.times.set(index, 0);
    }
    const node = this.node;
    let stack = node >= 0 ? this.stackTrie.stack(node) : -1;
    if (stack < 0) {
      stack = this.builder.stack(this.frames.subarray(0, this.frameCount));
      if (node >= 0) this.stackTrie.setStack(node, stack);
    }
    this.sampleStacks.set(index, stack);
    this.periods.set(index, hasPeriod ? period : 0);
    this.sampleThreads.set(index, this.thread);
    this.sampleEvents.set(index, this.event);
    this.sampleLeafOffsets.set(index, this.frameCount > 0 ? this.leafOffset : -1);
    this.leafOffset = -1;
    this.frameCount = 0;
    this.node = 0;
  }

  /** Adds a frame to the sample, leaf first. */
  private pushFrame(id: number): void {
    if (this.frameCount === this.frames.length) this.frames = grownInts(this.frames, this.frames.length * 2);
    this.frames[this.frameCount++] = id;
    if (this.node >= 0) this.node = this.stackTrie.child(this.node, id);
  }

  /** A frame read from text: its id and the offset it keeps as a sample's leaf (-1: none); undefined when it is no frame. */
  private readFrame(text: string): { id: number; leafOffset: number } | undefined {
    const parsed = parseFrameLine(text, 0);
    if (parsed === undefined) return undefined;
    const id = frameId(this.builder, this.frameOf, parsed);
    const native = parsed.dso.startsWith('/') && !isKernelAddress(parsed.address) && parsed.symbol !== '' && !parsed.symbol.includes(':');
    if (native) (this.frameOffsets[id] ??= new Set()).add(parsed.address);
    if (!native) return { id, leafOffset: -1 };
    let offset = this.offsetOf.get(parsed.address);
    if (offset === undefined) {
      offset = this.offsets.length;
      this.offsets.push(parsed.address);
      this.offsetOf.set(parsed.address, offset);
    }
    return { id, leafOffset: offset };
  }

  /**
   * The frame printed at `bytes[from, end)` (a frame line from its first character, or a header's inline frame),
   * added to the sample: its frame id, or NOT_A_FRAME or SRCLINE (perf's source line under a frame, which is
   * text for `isSrcline` only after the indent that a frame line has).
   */
  private addFrame(bytes: Buffer, from: number, end: number): number {
    let entry = this.frameLines.find(bytes, from, end);
    let id: number;
    let offset: number;
    if (entry >= 0) {
      id = this.lineFrame[entry]!;
      offset = this.lineLeafOffset[entry]!;
    } else {
      const text = bytes.toString('utf8', from, end);
      const frame = this.readFrame(text);
      id = frame?.id ?? (isSrcline(` ${text}`) ? SRCLINE : NOT_A_FRAME);
      offset = frame?.leafOffset ?? -1;
      entry = this.frameLines.add(bytes, from, end);
      if (entry >= 0) {
        this.lineFrame.push(id);
        this.lineLeafOffset.push(offset);
      }
    }
    if (id >= 0) {
      if (this.frameCount === 0) this.leafOffset = offset;
      this.pushFrame(id);
    }
    return id;
  }

  private threadOf(comm: string, pid: string | undefined, tid: string): number {
    const key = `${pid ?? ''}\u0000${tid}\u0000${comm}`;
    let index = this.threadOfText.get(key);
    if (index === undefined) {
      index = this.threads.length;
      this.threads.push({ comm, pid, tid });
      this.threadOfText.set(key, index);
    }
    return index;
  }

  private eventOf(name: string): number {
    let index = this.eventOfName.get(name);
    if (index === undefined) {
      index = this.events.length;
      this.events.push(name);
      this.eventOfName.set(name, index);
    }
    return index;
  }

  /** A header any perf prints, from text (parseHeader); whether it read, frame on the line included. */
  private textHeader(bytes: Buffer, start: number, end: number): boolean {
    const text = bytes.toString('utf8', start, end);
    const header = parseHeader(text);
    if (header === undefined) return false;
    this.inSample = true;
    this.thread = this.threadOf(header.comm, header.pid, header.tid);
    this.event = this.eventOf(header.event);
    this.seconds = header.seconds;
    this.period = header.period;
    if (header.inlineFrame < 0) return true;
    // Where the frame starts in bytes is not where it starts in characters: it is read from its text, every time.
    const frame = this.readFrame(text.slice(header.inlineFrame));
    if (frame === undefined) return false;
    this.leafOffset = frame.leafOffset;
    this.pushFrame(frame.id);
    return true;
  }

  /**
   * A sample header, from its bytes when it has a time field (parseHeader's first case, read the same way: ids
   * before the time, an optional cpu between, then an optional period, the event and maybe a frame); else from text.
   * Whether it read, frame on the line included.
   */
  private header(bytes: Buffer, start: number, end: number): boolean {
    if (this.headersFromText) return this.textHeader(bytes, start, end);
    const starts = this.tokenStarts;
    const ends = this.tokenEnds;
    let count = -1;
    let time = -1;
    let thread = -1;
    // Most headers name the thread the last one did, in the same bytes: then only the fields after them are read.
    // The last header's first time field came after those bytes, so this one's comes after them too: right after
    // them, or after a cpu field, else the header is read from its start.
    const known = this.lastIdsLength;
    if (known > 0 && start + known < end && (bytes[start + known] === SPACE || bytes[start + known] === TAB) && sameBytes(this.lastIds, bytes, start, known)) {
      count = this.tokenize(bytes, start + known, end);
      if (count > 0 && isTimeToken(bytes, starts[0]!, ends[0]!)) time = 0;
      else if (count > 1 && isCpuToken(bytes, starts[0]!, ends[0]!) && isTimeToken(bytes, starts[1]!, ends[1]!)) time = 1;
      if (time >= 0) thread = this.lastThread;
    }
    if (thread < 0) {
      count = this.tokenize(bytes, start, end);
      if (count < 0) return this.textHeader(bytes, start, end);
      time = 0;
      while (time < count && !isTimeToken(bytes, starts[time]!, ends[time]!)) time++;
      if (time === count) return this.textHeader(bytes, start, end);
      let ids = time - 1;
      if (ids >= 0 && isCpuToken(bytes, starts[ids]!, ends[ids]!)) ids--;
      if (ids < 1) return false;
      const idStart = starts[ids]!;
      const idEnd = ends[ids]!;
      let slash = idStart;
      while (slash < idEnd && bytes[slash] !== SLASH) slash++;
      if (slash === idEnd ? !isDigits(bytes, idStart, idEnd) : !isDigits(bytes, idStart, slash) || !isDigits(bytes, slash + 1, idEnd)) return false;
      thread = this.threadAt(bytes, start, idStart, slash, idEnd);
      const length = idEnd - start;
      if (length <= this.lastIds.length) {
        for (let i = 0; i < length; i++) this.lastIds[i] = bytes[start + i]!;
        this.lastIdsLength = length;
        this.lastThread = thread;
      }
    }

    let next = time + 1;
    let period = Number.NaN;
    if (next < count && isDigits(bytes, starts[next]!, ends[next]!)) {
      period = integer(bytes, starts[next]!, ends[next]!);
      // A period the store cannot hold exactly (2^53 and beyond) is no real one: the sample is skipped and counted.
      if (period > Number.MAX_SAFE_INTEGER) return false;
      next++;
    } else if (next + 1 < count && bytes[ends[next]! - 1] !== COLON && isEventToken(bytes, starts[next + 1]!, ends[next + 1]!)) {
      // Something other than a number where the period goes (`NaN`, `-5`): skipped and counted, as parseHeader does.
      return false;
    }

    let event: number;
    if (next < count && bytes[ends[next]! - 1] === COLON) {
      const from = starts[next]!;
      const length = ends[next]! - from;
      // Most headers name the event the last one named.
      if (length === this.lastEventLength && sameBytes(this.lastEvent, bytes, from, length)) {
        event = this.lastEventIndex;
      } else {
        let entry = this.eventOfBytes.find(bytes, from, from + length);
        if (entry >= 0) {
          event = this.eventOfBytesEntry[entry]!;
        } else {
          event = this.eventOf(eventName(bytes.toString('utf8', from, from + length)));
          entry = this.eventOfBytes.add(bytes, from, from + length);
          if (entry >= 0) this.eventOfBytesEntry.push(event);
        }
        if (length <= this.lastEvent.length) {
          for (let i = 0; i < length; i++) this.lastEvent[i] = bytes[from + i]!;
          this.lastEventLength = length;
          this.lastEventIndex = event;
        }
      }
      next++;
    } else {
      event = this.eventOf('');
    }

    this.inSample = true;
    this.thread = thread;
    this.event = event;
    this.seconds = decimal(bytes, starts[time]!, ends[time]! - 1);
    this.period = period;
    if (next < count && isHex(bytes, starts[next]!, ends[next]!)) return this.addFrame(bytes, starts[next]!, end) >= 0;
    return true;
  }

  /** Splits `bytes[from, end)` at spaces and tabs into tokenStarts/tokenEnds; their count, or -1 past MAX_HEADER_TOKENS. */
  private tokenize(bytes: Buffer, from: number, end: number): number {
    const starts = this.tokenStarts;
    const ends = this.tokenEnds;
    let count = 0;
    for (let i = from; i < end; ) {
      while (i < end && (bytes[i] === SPACE || bytes[i] === TAB)) i++;
      if (i === end) break;
      if (count === MAX_HEADER_TOKENS) return -1;
      starts[count] = i;
      while (i < end && bytes[i] !== SPACE && bytes[i] !== TAB) i++;
      ends[count++] = i;
    }
    return count;
  }

  /** The thread a header names in `bytes[start, idEnd)`: the command before `idStart`, then tid or pid/tid. */
  private threadAt(bytes: Buffer, start: number, idStart: number, slash: number, idEnd: number): number {
    let entry = this.threadOfBytes.find(bytes, start, idEnd);
    if (entry >= 0) return this.threadOfBytesEntry[entry]!;
    const comm = bytes.toString('utf8', start, idStart).trim();
    const thread =
      slash === idEnd
        ? this.threadOf(comm, undefined, bytes.toString('latin1', idStart, idEnd))
        : this.threadOf(comm, bytes.toString('latin1', idStart, slash), bytes.toString('latin1', slash + 1, idEnd));
    entry = this.threadOfBytes.add(bytes, start, idEnd);
    if (entry >= 0) this.threadOfBytesEntry.push(thread);
    return thread;
  }

  finish(): ImportedProfile[] {
    this.flush();
    const count = this.count;
    if (count === 0) {
      const where = this.firstContent === 0 ? 'it has no lines other than comments' : `line ${this.firstContent} is not a sample header ("comm pid/tid [cpu] seconds: period event:")`;
      throw new ProfileImportError(this.displayName, 'perf-script', `no sample could be read: ${where}. Make it with \`perf script\` from a \`perf record -g\` recording.`);
    }
    if (this.skipped > 0) this.notes.push(`${this.skipped} lines did not read as sample headers or frames and were skipped (the first is line ${this.firstSkipped}).`);

    const { minSeconds, maxSeconds, events } = this;
    const built = this.builder.build({ startMs: 0, durationNs: Number.isFinite(maxSeconds) ? Math.round((maxSeconds - minSeconds) * 1e9) : 0 });
    let sampleTimes: number[] | undefined;
    if (this.hasTimes) {
      const origin = minSeconds * 1000;
      sampleTimes = new Array<number>(count);
      for (let i = 0; i < count; i++) sampleTimes[i] = this.times.get(i) - origin;
      for (const i of this.untimed) sampleTimes[i] = 0;
    }
    const profile: ImportedProfile = {
      ...built,
      sampleStacks: numbers(this.sampleStacks, count),
      sampleValues: [new Array<number>(count).fill(1), numbers(this.periods, count)],
      sampleTimes,
      sampleLabels: labelColumns(this.threads, this.sampleThreads, count),
    };
    if (this.frameOffsets.length > 0) {
      const leafOffsets = new Array<string | null>(count);
      for (let i = 0; i < count; i++) {
        const offset = this.sampleLeafOffsets.get(i);
        leafOffsets[i] = offset < 0 ? null : this.offsets[offset]!;
      }
      profile.nativeAddresses = { frameOffsets: Array.from(this.frameOffsets, offsets => offsets && [...offsets]), leafOffsets };
    }
    if (events.length > 1) {
      const column = new Array<string>(count);
      for (let i = 0; i < count; i++) column[i] = events[this.sampleEvents.get(i)]!;
      profile.sampleLabels['event'] = column;
    }
    const [onlyEvent] = events;
    if (this.allHavePeriods && events.length === 1 && onlyEvent !== undefined) {
      const clock = CLOCK_EVENTS.has(onlyEvent);
      const safe = onlyEvent.replace(/[^A-Za-z0-9_.-]/g, '_');
      const periodType: ValueType = clock ? PERF_CPU_TIME : { profileType: `perf_event:${safe}:count:${safe}:count`, unit: 'count' };
      return [place({ ...profile, valueTypes: [PERF_SAMPLE_COUNT, periodType], periodNs: clock ? Math.round(this.periodSum / count) : 0 }, this.capturedMs, this.options.startMs)];
    }
    return [place({ ...profile, valueTypes: [PERF_SAMPLE_COUNT], sampleValues: [profile.sampleValues[0]!] }, this.capturedMs, this.options.startMs)];
  }
}

/** A typed column's first `count` values as the number[] an ImportedProfile has. */
function numbers(column: SampleColumn, count: number): number[] {
  const values = new Array<number>(count);
  for (let i = 0; i < count; i++) values[i] = column.get(i);
  return values;
}

/** Values per chunk of a SampleColumn: 256 Ki (1 MB of Int32, 2 MB of Float64). */
const CHUNK_SHIFT = 18;
const CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;

/**
 * A per-sample column appended to in order, in chunks that are never copied: growing one flat typed array by
 * doubling copied each column again at every size and touched twice its final memory fresh (530 ms of a 300 MB
 * import's parse, load 4–7; fresh memory page-faults expensively on this project's machines).
 */
class SampleColumn {
  private readonly chunks: (Int32Array | Float64Array)[] = [];

  constructor(private readonly make: new (length: number) => Int32Array | Float64Array) {}

  /** Sets value `index`: the next one, or one already set. */
  set(index: number, value: number): void {
    const chunk = index >>> CHUNK_SHIFT;
    if (chunk === this.chunks.length) this.chunks.push(new this.make(1 << CHUNK_SHIFT));
    this.chunks[chunk]![index & CHUNK_MASK] = value;
  }

  get(index: number): number {
    return this.chunks[index >>> CHUNK_SHIFT]![index & CHUNK_MASK]!;
  }
}

function grownInts(array: Int32Array, length: number): Int32Array {
  const copy = new Int32Array(length);
  copy.set(array);
  return copy;
}


/**
 * The samples' `comm`, `pid` (when printed) and `tid` label columns, in the order ProfileBuilder.sample makes them:
 * each column where a sample first has it, and null for samples without it (a `pid` perf did not print).
 */
function labelColumns(threads: Thread[], sampleThreads: SampleColumn, count: number): Record<string, (string | null)[]> {
  const comm = new Array<string>(count);
  const tid = new Array<string>(count);
  const pid = new Array<string | null>(count);
  let firstPid = -1;
  for (let i = 0; i < count; i++) {
    const thread = threads[sampleThreads.get(i)]!;
    comm[i] = thread.comm;
    tid[i] = thread.tid;
    pid[i] = thread.pid ?? null;
    if (firstPid < 0 && thread.pid !== undefined) firstPid = i;
  }
  if (firstPid < 0) return { comm, tid };
  return firstPid === 0 ? { comm, pid, tid } : { comm, tid, pid };
}

/** A profile ending when perf says the recording was captured, on the epoch's clock; else from `startMs`. */
function place(profile: ImportedProfile, capturedMs: number | undefined, startMs: number | undefined): ImportedProfile {
  if (capturedMs === undefined) return placeInTime(profile, startMs);
  return { ...placeInTime(profile, capturedMs - profile.durationNs / 1e6), clock: 'epoch' };
}

/** Whether `bytes[start, start + length)` are `known`'s first `length` bytes. */
function sameBytes(known: Uint8Array, bytes: Uint8Array, start: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (known[i] !== bytes[start + i]) return false;
  return true;
}

function isDigits(bytes: Uint8Array, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = bytes[i]!;
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isHex(bytes: Uint8Array, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = bytes[i]! | 32;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** `12345.678901:`, as perfText's isTimeToken: digits, a dot, digits and a colon. */
function isTimeToken(bytes: Uint8Array, from: number, to: number): boolean {
  if (bytes[to - 1] !== COLON) return false;
  let dot = from;
  while (dot < to && bytes[dot] !== DOT) dot++;
  return dot > from && dot < to && isDigits(bytes, from, dot) && isDigits(bytes, dot + 1, to - 1);
}

/** `[003]`, as perfText's isCpuToken. */
function isCpuToken(bytes: Uint8Array, from: number, to: number): boolean {
  return to - from > 2 && bytes[from] === 91 && bytes[to - 1] === 93 && isDigits(bytes, from + 1, to - 1);
}

/** `cpu-clock:`, as perfText's isEventToken. */
function isEventToken(bytes: Uint8Array, from: number, to: number): boolean {
  return to - from > 1 && bytes[to - 1] === COLON && !isDigits(bytes, from, to - 1);
}

/**
 * The number the digits `bytes[from, to)` (with at most one dot) write, exactly as Number() reads their text: up
 * to 15 digits the integer they form and the power of ten are exact doubles, so one division rounds once, as
 * Number() does; longer ones are read by Number().
 */
function decimal(bytes: Buffer, from: number, to: number): number {
  if (to - from > 16) return Number(bytes.toString('latin1', from, to));
  let value = 0;
  let scale = 1;
  let fraction = false;
  for (let i = from; i < to; i++) {
    const c = bytes[i]!;
    if (c === DOT) fraction = true;
    else {
      value = value * 10 + (c - 48);
      if (fraction) scale *= 10;
    }
  }
  return value / scale;
}

function integer(bytes: Buffer, from: number, to: number): number {
  return to - from > 15 ? Number(bytes.toString('latin1', from, to)) : decimal(bytes, from, to);
}
