import { ProfileBuilder, ProfileImportError, type ImportedFrame, type ImportedProfile, type ValueType } from '../../importedProfile';
import { addV8Profile, type TraceProfileRecord } from '../v8/traceProfile';
import { MAX_STACK_DEPTH, maxOf, minOf, type Labels, type LabelsOf, type TraceSpan } from './traceSupport';
import { isRecord, jsonError, numberField, placeInTime, StackInterner, type ImportNotes, type ImportOptions } from '../parseSupport';

/**
 * Chrome's Trace Event Format (https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU),
 * as DevTools' Performance panel, chrome://tracing, Perfetto's JSON export and Hermes write it. Three kinds of content
 * are read, in this order of preference:
 *
 * 1. V8 CPU profiles: a `Profile` event (its `args.data.startTime`) and `ProfileChunk` events sharing its `id`, each
 *    chunk carrying new nodes (with `parent` ids), samples and `timeDeltas`; or a whole profile in one `CpuProfile`
 *    event's `args.data.cpuProfile` (older DevTools).
 * 2. Hermes' sampled stacks: a top-level `samples` array whose entries name a frame in `stackFrames`.
 * 3. When there are no samples at all: duration events (`B`/`E` pairs and `X` complete events), turned into an
 *    evented profile where each event is one sample whose stack is the events enclosing it and whose value is its
 *    self time (its duration minus its children's).
 *
 * Timestamps: trace `ts` values are microseconds on a monotonic clock whose zero is unrelated to the epoch, so they
 * are kept relative: sample times are milliseconds since the earliest profile start (or event) in the file. A trace
 * DevTools saved says when its recording started (`metadata.startTime`, an ISO date): that moment is taken as the
 * earliest profile start, and the profile is on the epoch's clock. Otherwise the times start at `options.startMs`
 * when the caller gives one, else at 0, and the caller places them (timeAnchor.ts).
 */

/** Sampled CPU time, Parca's name: one row per sample, its value the time it stands for. */
export const CHROME_CPU_TIME: ValueType = { profileType: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', unit: 'nanoseconds' };
/** Trace events measure elapsed (wall-clock) time, not CPU time: a thread blocked inside an event still counts. */
export const CHROME_WALL_TIME: ValueType = { profileType: 'wall:wall:nanoseconds:wall:nanoseconds', unit: 'nanoseconds' };

/** Deeper nesting than this is not a program's call structure but a generator's bug or an attack on our time. */
const MAX_EVENT_NESTING = 2048;

/** A profile of the trace at the wall-clock start its DevTools metadata gives, else at `startMs` (see above). */
function placeTrace(profile: ImportedProfile, json: unknown, startMs: number | undefined): ImportedProfile {
  const metadata = isRecord(json) && isRecord(json['metadata']) ? json['metadata'] : undefined;
  const recorded = typeof metadata?.['startTime'] === 'string' ? Date.parse(metadata['startTime']) : Number.NaN;
  if (!Number.isFinite(recorded)) return placeInTime(profile, startMs);
  return { ...placeInTime(profile, recorded), clock: 'epoch' };
}

/**
 * Whether the input looks like a Chrome trace. Takes either the start of the file's text (a few kilobytes are
 * enough) or its parsed JSON; the text form also recognises truncated traces, which do not parse.
 */
export function looksLikeChromeTrace(input: unknown): boolean {
  if (typeof input === 'string') {
    const head = input.slice(0, 65536).replace(/^\ufeff/, '').trimStart();
    if (head.startsWith('{')) return /^\{\s*"traceEvents"\s*:/.test(head) || /"traceEvents"\s*:\s*\[/.test(head);
    // The array form: an array of objects that have a phase ("ph"), the one key every trace event has.
    return /^\[\s*\{/.test(head) && /"ph"\s*:\s*"/.test(head);
  }
  if (Array.isArray(input)) return input.slice(0, 64).some(e => isRecord(e) && typeof e['ph'] === 'string');
  return isRecord(input) && Array.isArray(input['traceEvents']);
}

/**
 * Parses a Chrome trace, from its text or, for a caller that has parsed it already, its JSON. Returns one profile: sampled CPU time when the trace has samples (V8 or Hermes), else the
 * duration events as wall time. Every sample carries `pid` and `tid` labels, and `thread` and `process` when the
 * trace names them in `thread_name` and `process_name` metadata events. Throws ProfileImportError when the text is
 * not a trace or holds nothing to draw. The events are read one by one by a TraceEventReader, as a big trace read
 * as a stream is (chromeTraceStream.ts).
 */
export function parseChromeTrace(input: string | { json: unknown }, displayName: string, options: ImportOptions = {}): ImportedProfile[] {
  const json = typeof input === 'string' ? parseTraceJson(input, displayName) : input.json;
  let events: unknown[];
  if (Array.isArray(json)) {
    events = json;
  } else if (isRecord(json) && Array.isArray(json['traceEvents'])) {
    events = json['traceEvents'];
  } else {
    throw new ProfileImportError(displayName, 'chrome-trace', 'the top level is neither an array of trace events nor an object with a "traceEvents" array.');
  }
  const reader = new TraceEventReader(displayName, options);
  for (let i = 0; i < events.length; i++) reader.event(events[i], i);
  return reader.finish(json);
}

/** A duration event as the duration profile reads it, and its index among the trace's events. */
interface DurationEvent {
  event: Record<string, unknown>;
  order: number;
}

/**
 * The reader of a trace's events, fed them one by one in the file's order: from the parsed JSON of a whole file
 * (parseChromeTrace), or each event parsed on its own as a big file streams by (chromeTraceStream.ts), so that the
 * two paths cannot read a trace differently. It keeps what the profile needs of each event, not the events.
 */
export class TraceEventReader {
  private readonly threadNames = new Map<string, string>();
  private readonly processNames = new Map<string, string>();
  private readonly profiles = new Map<string, TraceProfileRecord>();
  private readonly durationEvents: DurationEvent[] = [];

  constructor(
    private readonly displayName: string,
    private readonly options: ImportOptions,
  ) {}

  /** One element of the trace's events, `order` its index among them (elements that are not events count too). */
  event(event: unknown, order: number): void {
    if (!isRecord(event)) return;
    const ph = event['ph'];
    const name = event['name'];
    const args = isRecord(event['args']) ? event['args'] : undefined;
    const pid = idString(event['pid']);
    const tid = idString(event['tid']);
    if (ph === 'M') {
      const value = args?.['name'];
      if (typeof value !== 'string') return;
      if (name === 'thread_name') this.threadNames.set(threadKey(pid, tid), value);
      else if (name === 'process_name' && pid !== undefined) this.processNames.set(pid, value);
      return;
    }
    if (ph === 'B' || ph === 'E' || ph === 'X') this.durationEvents.push({ event: durationFields(event), order });
    const data = isRecord(args?.['data']) ? args['data'] : undefined;
    if (name === 'Profile' || name === 'ProfileChunk') {
      const key = `${pid ?? ''}\u0000${idString(event['id']) ?? ''}`;
      let record = this.profiles.get(key);
      if (record === undefined) {
        record = { pid, tid, fromProfileEvent: false, startTime: Number.NaN, endTime: Number.NaN, chunks: [] };
        this.profiles.set(key, record);
      }
      if (name === 'Profile') {
        record.pid = pid;
        record.tid = tid;
        record.fromProfileEvent = true;
        const start = numberField(data?.['startTime']);
        record.startTime = Number.isFinite(start) ? start : numberField(event['ts']);
      } else if (data !== undefined) {
        record.chunks.push({ ts: numberField(event['ts']), order, data });
      }
    } else if (name === 'CpuProfile' && data !== undefined && isRecord(data['cpuProfile'])) {
      // A whole profile in one event: its fields are those of a .cpuprofile, times in microseconds.
      const cpuProfile = data['cpuProfile'];
      this.profiles.set(`cpuprofile\u0000${order}`, {
        pid,
        tid,
        fromProfileEvent: true,
        startTime: numberField(cpuProfile['startTime']),
        endTime: numberField(cpuProfile['endTime']),
        chunks: [{ ts: numberField(event['ts']), order, data: { ...data, timeDeltas: data['timeDeltas'] ?? cpuProfile['timeDeltas'] } }],
      });
    }
  }

  /**
   * The profile of the events read. `json` is the trace's top level, its events aside (they are read already): an
   * object form's `metadata` places the profile in time, its `samples` and `stackFrames` are Hermes' samples.
   */
  finish(json: unknown): ImportedProfile[] {
    const { displayName, options, profiles, durationEvents } = this;
    const notes = options.notes ?? [];
    const hermes = isRecord(json) && Array.isArray(json['samples']) && isRecord(json['stackFrames']) ? { samples: json['samples'], stackFrames: json['stackFrames'] } : undefined;
    const labelsOf = labelCache(this.threadNames, this.processNames);
    const v8 = [...profiles.values()].filter(p => p.chunks.length > 0);
    if (v8.length > 0 || hermes !== undefined) {
      const builder = new ProfileBuilder('chrome-trace', [CHROME_CPU_TIME]);
      const span = { origin: Number.NaN, end: Number.NaN };
      for (const record of v8) addV8Profile(builder, record, labelsOf, span, displayName, notes);
      if (hermes !== undefined) addHermesSamples(builder, hermes, labelsOf, span, displayName, notes);
      if (builder.sampleCount > 0) {
        if (durationEvents.length > 0) notes.push(`${durationEvents.length} duration events were left out: the trace's CPU samples measure the same threads better.`);
        const profile = builder.build({ startMs: 0, durationNs: Number.isFinite(span.end - span.origin) ? Math.round((span.end - span.origin) * 1000) : 0 });
        shiftTimes(profile, span.origin);
        return [placeTrace(profile, json, options.startMs)];
      }
    }
    if (durationEvents.length > 0) {
      const profile = durationProfile(durationEvents, labelsOf, displayName, notes);
      if (profile !== undefined) return [placeTrace(profile, json, options.startMs)];
    }
    const profileEvents = profiles.size > 0 ? ` It has ${profiles.size} CPU profile${profiles.size === 1 ? '' : 's'} without samples.` : '';
    throw new ProfileImportError(
      displayName,
      'chrome-trace',
      `it holds neither CPU profile samples (Profile and ProfileChunk, or CpuProfile events) nor duration events that last (ph "B"/"E" or "X"), so there is nothing to draw.${profileEvents} Record with the "JavaScript samples" (disabled-by-default-v8.cpu_profiler) category enabled.`,
    );
  }
}

/**
 * What durationProfile and eventFrame read of a duration event, so that a trace of millions of events holds these
 * fields, not each event's whole JSON (its category, thread time, source file...).
 */
function durationFields(event: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = { ph: event['ph'], name: event['name'], ts: event['ts'], dur: event['dur'], tdur: event['tdur'], pid: event['pid'], tid: event['tid'] };
  const args = event['args'];
  if (isRecord(args) && typeof args['url'] === 'string') fields['args'] = { url: args['url'], line: args['line'], column: args['column'] };
  return fields;
}

/**
 * Parses the trace's JSON. The format lets the array form end without its closing bracket, so that a tracer killed
 * mid-write still leaves a readable trace; such text is closed and read again before it is called invalid.
 */
function parseTraceJson(text: string, displayName: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const trimmed = text.trimEnd();
    if (/^\ufeff?\s*\[/.test(trimmed) && !trimmed.endsWith(']')) {
      try {
        return JSON.parse(`${trimmed.endsWith(',') ? trimmed.slice(0, -1) : trimmed}]`) as unknown;
      } catch {
        // Not merely unterminated: the original error, with its position, is the useful one.
      }
    }
    throw jsonError(text, error, displayName, 'chrome-trace');
  }
}

/** Trace writers emit pid and tid as numbers or strings; both become strings for labels. */
function idString(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value !== '') return value;
  return undefined;
}

function threadKey(pid: string | undefined, tid: string | undefined): string {
  return `${pid ?? ''}\u0000${tid ?? ''}`;
}

/** One labels object per thread, shared by its samples, so labelling a million samples allocates nothing per sample. */
function labelCache(threadNames: Map<string, string>, processNames: Map<string, string>): LabelsOf {
  const cache = new Map<string, Labels>();
  return (pid, tid) => {
    const key = threadKey(pid, tid);
    let labels = cache.get(key);
    if (labels === undefined) {
      labels = {};
      if (pid !== undefined) labels['pid'] = pid;
      if (tid !== undefined) labels['tid'] = tid;
      const thread = threadNames.get(key);
      if (thread !== undefined) labels['thread'] = thread;
      const process = pid === undefined ? undefined : processNames.get(pid);
      if (process !== undefined) labels['process'] = process;
      cache.set(key, labels);
    }
    return labels;
  };
}

/** Sample times were collected in trace microseconds; they become milliseconds since the earliest start. */
function shiftTimes(profile: ImportedProfile, originMicros: number): void {
  const times = profile.sampleTimes;
  if (times === undefined) return;
  const origin = Number.isFinite(originMicros) ? originMicros : 0;
  for (let i = 0; i < times.length; i++) times[i] = (times[i]! - origin) / 1000;
}

/**
 * Adds Hermes' samples (`samples` entries naming `stackFrames` by `sf`). The file gives no sampling interval or end
 * time, so each sample stands for the time until its thread's next sample, and a thread's last sample for the mean
 * interval of that thread (zero, and so nothing in the store, when the thread has a single sample).
 */
function addHermesSamples(
  builder: ProfileBuilder,
  hermes: { samples: unknown[]; stackFrames: Record<string, unknown> },
  labelsOf: LabelsOf,
  span: TraceSpan,
  displayName: string,
  notes: ImportNotes,
): void {
  const byThread = new Map<string, { ts: number; sf: string; pid: string | undefined; tid: string | undefined; order: number }[]>();
  let malformed = 0;
  hermes.samples.forEach((sample, order) => {
    const ts = isRecord(sample) ? numberField(sample['ts']) : Number.NaN;
    const sf = isRecord(sample) ? idString(sample['sf']) : undefined;
    if (!isRecord(sample) || !Number.isFinite(ts) || sf === undefined) {
      malformed++;
      return;
    }
    const pid = idString(sample['pid']);
    const tid = idString(sample['tid']);
    const key = threadKey(pid, tid);
    let list = byThread.get(key);
    if (list === undefined) byThread.set(key, (list = []));
    list.push({ ts, sf, pid, tid, order });
  });
  if (malformed > 0) notes.push(`${malformed} samples without a time or a stack frame were left out.`);

  const frameCount = Object.keys(hermes.stackFrames).length;
  const entryOf = (sf: string): Record<string, unknown> | undefined => {
    const entry: unknown = Object.hasOwn(hermes.stackFrames, sf) ? hermes.stackFrames[sf] : undefined;
    return isRecord(entry) ? entry : undefined;
  };
  const interner = new StackInterner(builder);
  const stackOfFrame = new Map<string, number>();
  const stackOf = (sf: string): number | undefined => {
    const known = stackOfFrame.get(sf);
    if (known !== undefined) return interner.stack(known);
    if (entryOf(sf) === undefined) return undefined;
    const chain: string[] = [];
    let stack = -1;
    for (let current: string | undefined = sf; current !== undefined; ) {
      const memo = stackOfFrame.get(current);
      if (memo !== undefined) {
        stack = memo;
        break;
      }
      const entry = entryOf(current);
      if (entry === undefined) break;
      if (chain.length >= frameCount) throw new ProfileImportError(displayName, 'chrome-trace', `its stack frames' parents form a cycle (through frame ${JSON.stringify(current.slice(0, 20))}).`);
      if (chain.length >= MAX_STACK_DEPTH) throw new ProfileImportError(displayName, 'chrome-trace', `a stack frame is nested deeper than ${MAX_STACK_DEPTH} calls.`);
      chain.push(current);
      current = idString(entry['parent']);
    }
    for (let k = chain.length - 1; k >= 0; k--) {
      const entry = entryOf(chain[k]!)!;
      // Hermes' "[root]" frames (category "root") stand for the thread, like V8's "(root)": no frame.
      if (entry['category'] !== 'root') stack = interner.child(stack, builder.frame(hermesFrame(entry['name'])));
      stackOfFrame.set(chain[k]!, stack);
    }
    return interner.stack(stackOfFrame.get(sf)!);
  };

  let unknown = 0;
  for (const list of byThread.values()) {
    list.sort((a, b) => a.ts - b.ts || a.order - b.order);
    const first = list[0]!;
    const last = list[list.length - 1]!;
    const mean = list.length > 1 ? (last.ts - first.ts) / (list.length - 1) : 0;
    const labels = labelsOf(first.pid, first.tid);
    for (let i = 0; i < list.length; i++) {
      const sample = list[i]!;
      const micros = i + 1 < list.length ? list[i + 1]!.ts - sample.ts : mean;
      const stack = stackOf(sample.sf);
      if (stack === undefined) {
        unknown++;
        continue;
      }
      builder.sample(stack, [Math.round(micros * 1000)], sample.ts, labels);
    }
    span.origin = minOf(span.origin, first.ts);
    span.end = maxOf(span.end, last.ts + mean);
  }
  if (unknown > 0) notes.push(`${unknown} samples name stack frames the trace does not define and were left out.`);
}

/**
 * Hermes writes a JavaScript frame's position into its name, "name(url:line:column)", 1-based; frames without one
 * ("[GC Young Gen]", "[root]") keep their name as it is.
 */
function hermesFrame(rawName: unknown): ImportedFrame {
  const name = typeof rawName === 'string' ? rawName : '';
  const open = name.indexOf('(');
  if (open > 0 && name.endsWith(')')) {
    const inner = name.slice(open + 1, -1);
    const columnColon = inner.lastIndexOf(':');
    const lineColon = columnColon > 0 ? inner.lastIndexOf(':', columnColon - 1) : -1;
    const line = Number(inner.slice(lineColon + 1, columnColon));
    const column = Number(inner.slice(columnColon + 1));
    if (lineColon > 0 && Number.isInteger(line) && line > 0 && Number.isInteger(column) && column >= 0) {
      return { name: name.slice(0, open), file: inner.slice(0, lineColon), line, column, module: '', address: 0 };
    }
  }
  return { name: name === '' ? '(anonymous)' : name, file: '', line: 0, column: 0, module: '', address: 0 };
}

interface Span {
  start: number;
  end: number;
  event: Record<string, unknown>;
  order: number;
  childTime: number;
  stack: number;
}

/**
 * The duration events of every thread as an evented profile. Per thread, events are put in time order (the file
 * need not be), `B` events are matched with the `E` that closes them (by name when the `E` has one, else the
 * innermost open one) and `X` events give their own duration (`dur`, else the thread-time `tdur`). Events still
 * open at the end are closed at the thread's last timestamp. Events are then nested by containment; an event that
 * overlaps its parent's end without being inside it is cut at that end, so the tree stays a tree.
 */
function durationProfile(events: DurationEvent[], labelsOf: LabelsOf, displayName: string, notes: ImportNotes): ImportedProfile | undefined {
  const byThread = new Map<string, { event: Record<string, unknown>; ts: number; order: number }[]>();
  let untimed = 0;
  for (const { event, order } of events) {
    const ts = numberField(event['ts']);
    if (!Number.isFinite(ts)) {
      untimed++;
      continue;
    }
    const key = threadKey(idString(event['pid']), idString(event['tid']));
    let list = byThread.get(key);
    if (list === undefined) byThread.set(key, (list = []));
    list.push({ event, ts, order });
  }
  if (untimed > 0) notes.push(`${untimed} duration events without a timestamp were left out.`);

  const builder = new ProfileBuilder('chrome-trace', [CHROME_WALL_TIME]);
  const interner = new StackInterner(builder);
  let origin = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  let unmatched = 0;
  let unterminated = 0;
  const threads: { spans: Span[]; labels: Labels }[] = [];
  for (const list of byThread.values()) {
    list.sort((a, b) => a.ts - b.ts || a.order - b.order);
    const spans: Span[] = [];
    const open: Span[] = [];
    let last = Number.NEGATIVE_INFINITY;
    for (const { event, ts, order } of list) {
      last = Math.max(last, ts);
      const ph = event['ph'];
      if (ph === 'X') {
        let duration = numberField(event['dur']);
        if (!Number.isFinite(duration)) duration = numberField(event['tdur']);
        duration = Number.isFinite(duration) && duration > 0 ? duration : 0;
        spans.push({ start: ts, end: ts + duration, event, order, childTime: 0, stack: -1 });
        last = Math.max(last, ts + duration);
      } else if (ph === 'B') {
        open.push({ start: ts, end: Number.NaN, event, order, childTime: 0, stack: -1 });
      } else {
        let k = open.length - 1;
        const name = event['name'];
        if (k >= 0 && typeof name === 'string' && name !== '' && open[k]!.event['name'] !== name) {
          while (k >= 0 && open[k]!.event['name'] !== name) k--;
        }
        if (k < 0) {
          unmatched++;
          continue;
        }
        // Events opened inside the one this closes and never closed themselves end with it.
        for (let j = open.length - 1; j >= k; j--) spans.push({ ...open[j]!, end: ts });
        unterminated += open.length - 1 - k;
        open.length = k;
      }
    }
    for (const span of open) spans.push({ ...span, end: last });
    unterminated += open.length;
    if (spans.length === 0) continue;
    const first = list[0]!.event;
    threads.push({ spans, labels: labelsOf(idString(first['pid']), idString(first['tid'])) });
    origin = Math.min(origin, list[0]!.ts);
    end = Math.max(end, last);
  }
  if (unmatched > 0) notes.push(`${unmatched} end events ("E") matched no open begin event and were ignored.`);
  if (unterminated > 0) notes.push(`${unterminated} begin events ("B") never ended; they were closed when their parent or their thread's last event ended.`);

  for (const { spans, labels } of threads) {
    spans.sort((a, b) => a.start - b.start || b.end - a.end || a.order - b.order);
    const stack: Span[] = [];
    for (const span of spans) {
      // A span ends before the next one starts, or at its start unless both take no time at that instant.
      for (let top = stack[stack.length - 1]; top !== undefined && (top.end < span.start || (top.end === span.start && (top.end > top.start || span.end > span.start))); top = stack[stack.length - 1]) {
        stack.pop();
      }
      const parent = stack[stack.length - 1];
      if (parent !== undefined) {
        if (span.end > parent.end) span.end = parent.end;
        parent.childTime += span.end - span.start;
      }
      if (stack.length >= MAX_EVENT_NESTING) {
        throw new ProfileImportError(displayName, 'chrome-trace', `its duration events nest more than ${MAX_EVENT_NESTING} deep (at the event starting at ${span.start} µs).`);
      }
      span.stack = interner.child(parent === undefined ? -1 : parent.stack, builder.frame(eventFrame(span.event)));
      stack.push(span);
    }
    for (const span of spans) {
      const self = span.end - span.start - span.childTime;
      // Events wholly covered by their children have no time of their own; the store would drop a zero anyway.
      if (self > 0) builder.sample(interner.stack(span.stack), [Math.round(self * 1000)], (span.start - origin) / 1000, labels);
    }
  }
  if (builder.sampleCount === 0) return undefined;
  return builder.build({ startMs: 0, durationNs: Math.round((end - origin) * 1000) });
}

/**
 * A trace event as a frame: its name, and the JavaScript position Hermes' profiler puts in `args` (url, 1-based
 * line and column) when present.
 */
function eventFrame(event: Record<string, unknown>): ImportedFrame {
  const name = typeof event['name'] === 'string' && event['name'] !== '' ? event['name'] : '(unnamed event)';
  const args = isRecord(event['args']) ? event['args'] : undefined;
  const url = typeof args?.['url'] === 'string' ? args['url'] : '';
  const line = url === '' ? Number.NaN : numberField(args?.['line']);
  const column = url === '' ? Number.NaN : numberField(args?.['column']);
  return {
    name,
    file: url,
    line: Number.isInteger(line) && line > 0 ? line : 0,
    column: Number.isInteger(column) && column > 0 ? column : 0,
    module: '',
    address: 0,
  };
}
