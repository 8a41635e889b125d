import type { ChunkParser } from '../formatReader';
import type { ImportNotes } from '../parseSupport';
import { looksLikeChromeTrace, TraceEventReader } from './chromeTrace';

/**
 * The most one JSON value of a streamed trace may take (an event, or a top-level member other than the events): a
 * value cut by a chunk's end is held until it ends, so a file whose value never ends (damage, or a trace that is
 * one huge member) would otherwise be held whole. Events are small; a `CpuProfile` event holds a whole profile.
 */
const MAX_VALUE_BYTES = 64 * 1024 * 1024;

/** How many events detection's sniffers see of a streamed trace (looksLikeChromeTrace reads the first 64). */
const SNIFFED_EVENTS = 64;

/** Whether a file's first bytes (256 KB) start a Chrome trace, as the text sniffer sees one. */
export function startsAsChromeTrace(head: Buffer): boolean {
  return looksLikeChromeTrace(head.toString('utf8'));
}

/** Where the scanner is in the file's grammar, between values. */
const enum At {
  /** Before the top-level value (a byte order mark may come first). */
  Start,
  /** After the events array's `[`: an event or `]`. */
  FirstEvent,
  /** After an event: `,` or `]`. */
  AfterEvent,
  /** After an event's `,`: an event. */
  NextEvent,
  /** After the top-level object's `{`: a key or `}`. */
  FirstKey,
  /** After a member's `,`: a key. */
  NextKey,
  /** After a key: `:`. */
  Colon,
  /** After a key's `:`: its value. */
  MemberValue,
  /** After a member's value: `,` or `}`. */
  AfterMember,
  /** After the top-level value: only white space. */
  End,
  /** Not a trace this stream reads: the file is read whole. */
  Declined,
}

/** What a value being scanned is. */
const enum Value {
  /** None: between values. */
  None,
  /** An object or array, ended by the bracket that brings its depth back to zero. */
  Nested,
  /** A string, ended by its closing quote. */
  String,
  /** A number or literal, ended by the byte after it. */
  Bare,
}

/** What the value being scanned is for. */
const enum Role {
  Event,
  Key,
  Member,
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * A Chrome trace read from its bytes as they come, chunk by chunk (agent/import/streamImport.ts), so that a trace of
 * gigabytes is never held as a buffer or a string. Both usual layouts are read: `{"traceEvents":[...], ...}` (other
 * members in any order) and a bare array of events, which may end unterminated as Chrome leaves it when tracing is
 * cut. A small scanner follows strings, escapes and nesting to find each event's bytes, which are parsed alone
 * (JSON.parse) and given to the TraceEventReader that reads whole files too; members other than the events
 * (`metadata`, Hermes' `samples` and `stackFrames`) are parsed as whole values. Every byte is scanned once: a value
 * cut by a chunk's end keeps its bytes so far and the scanner's state, and goes on with the next chunk.
 *
 * The file is declined (finish gives undefined, and it is read whole, where the format's errors are written) when it
 * is anything else: other JSON, a value that does not parse, a second `traceEvents`, an object that does not end, an
 * unterminated array the whole-file path could not close either (parseTraceJson), or a value over MAX_VALUE_BYTES.
 */
export function chromeTraceChunks(displayName: string, notes: ImportNotes): ChunkParser {
  const reader = new TraceEventReader(displayName, { notes });
  /** The top level, events aside: an empty array, or the object's other members. */
  let top: unknown[] | Record<string, unknown> | undefined;
  /** The first events, for detection's sniffers (looksLikeChromeTrace reads the first 64). */
  const firstEvents: unknown[] = [];
  let eventCount = 0;
  let sawEvents = false;
  let at = At.Start;
  let key = '';
  /** The file's first bytes, held until there are three to say whether they are a byte order mark. */
  let start: number[] | undefined = [];
  let ended = false;

  // The value being scanned, and its bytes from earlier chunks (`held`, a growing buffer, `heldLength` of it used).
  let value = Value.None;
  let role = Role.Event;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let held = Buffer.alloc(0);
  let heldLength = 0;
  /** The last byte of the last event, to know whether an unterminated array can be closed. */
  let lastEventByte = 0;

  const hold = (bytes: Buffer): void => {
    if (heldLength + bytes.length > MAX_VALUE_BYTES) {
      at = At.Declined;
      return;
    }
    if (held.length < heldLength + bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(heldLength + bytes.length, 2 * held.length, 4096));
      held.copy(grown, 0, 0, heldLength);
      held = grown;
    }
    bytes.copy(held, heldLength);
    heldLength += bytes.length;
  };

  /** The value that ends in `chunk` at `end` (exclusive), begun at `begin` or, with bytes held, in an earlier chunk. */
  const complete = (chunk: Buffer, begin: number, end: number): void => {
    let text: string;
    if (heldLength > 0) {
      hold(chunk.subarray(begin, end));
      if (at === At.Declined) return;
      text = held.toString('utf8', 0, heldLength);
      heldLength = 0;
      // A big value's buffer is not kept for the small ones after it.
      if (held.length > 1024 * 1024) held = Buffer.alloc(0);
    } else {
      text = chunk.toString('utf8', begin, end);
    }
    value = Value.None;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      at = At.Declined;
      return;
    }
    if (role === Role.Event) {
      if (eventCount < SNIFFED_EVENTS) firstEvents.push(parsed);
      reader.event(parsed, eventCount++);
      at = At.AfterEvent;
    } else if (role === Role.Key) {
      key = parsed as string;
      at = At.Colon;
    } else {
      // As JSON.parse does: an own property whatever the key (`__proto__` too), the last of a repeated key.
      Object.defineProperty(top!, key, { value: parsed, enumerable: true, writable: true, configurable: true });
      at = At.AfterMember;
    }
  };

  /** Starts a value at a byte for `forRole`: the scan finds its end. Declines where no JSON value starts. */
  const begin = (byte: number, forRole: Role): void => {
    role = forRole;
    depth = 0;
    inString = false;
    escaped = false;
    if (byte === 0x7b || byte === 0x5b) value = Value.Nested;
    else if (byte === 0x22) value = Value.String;
    else if (byte === 0x2d || (byte >= 0x30 && byte <= 0x39) || byte === 0x74 || byte === 0x66 || byte === 0x6e) value = Value.Bare;
    else at = At.Declined;
  };

  /** After the events' closing bracket. */
  const eventsEnd = (): At => (Array.isArray(top) ? At.End : At.AfterMember);

  const scan = (chunk: Buffer): void => {
    /** The next backslash at or after where a string's scan is (-1 >>> 0: none in the chunk), found once per pass. */
    let nextBackslash = -1;
    let p = 0;
    let valueStart = 0;
    const n = chunk.length;
    while (p < n && at !== At.Declined) {
      if (value !== Value.None) {
        // Inside a value: find its end. A string starts at its quote, which opens it here.
        let end = -1;
        if (value === Value.Bare) {
          for (; p < n; p++) {
            const byte = chunk[p]!;
            if (byte === 0x2c || byte === 0x5d || byte === 0x7d || isSpace(byte)) {
              end = p;
              break;
            }
          }
        } else {
          while (p < n) {
            if (inString) {
              // Most of a trace's bytes are in strings: jump to the next quote (memchr), past escapes.
              if (escaped) {
                escaped = false;
                p++;
                continue;
              }
              if (nextBackslash < p) nextBackslash = chunk.indexOf(0x5c, p) >>> 0;
              const quote = chunk.indexOf(0x22, p);
              if (quote < 0 || nextBackslash < quote) {
                // The string goes on in the next chunk.
                if (nextBackslash >= n) break;
                p = nextBackslash + 1;
                escaped = true;
                continue;
              }
              p = quote + 1;
              inString = false;
              if (value === Value.String) {
                end = p;
                break;
              }
              continue;
            }
            const byte = chunk[p++]!;
            if (byte === 0x22) {
              inString = true;
            } else if (byte === 0x7b || byte === 0x5b) {
              depth++;
            } else if ((byte === 0x7d || byte === 0x5d) && --depth === 0) {
              end = p;
              break;
            }
          }
        }
        if (end < 0) {
          hold(chunk.subarray(valueStart, n));
          return;
        }
        // A number may end at a chunk's first byte, all of it held.
        if (role === Role.Event) lastEventByte = end > valueStart ? chunk[end - 1]! : held[heldLength - 1]!;
        complete(chunk, valueStart, end);
        p = end;
        continue;
      }
      const byte = chunk[p]!;
      if (isSpace(byte)) {
        p++;
        continue;
      }
      valueStart = p;
      switch (at) {
        case At.Start:
          if (byte === 0x5b) {
            top = [];
            sawEvents = true;
            at = At.FirstEvent;
          } else if (byte === 0x7b) {
            top = {};
            at = At.FirstKey;
          } else {
            at = At.Declined;
          }
          p++;
          break;
        case At.FirstEvent:
          if (byte === 0x5d) {
            at = eventsEnd();
            p++;
          } else {
            begin(byte, Role.Event);
          }
          break;
        case At.NextEvent:
          begin(byte, Role.Event);
          break;
        case At.AfterEvent:
          at = byte === 0x2c ? At.NextEvent : byte === 0x5d ? eventsEnd() : At.Declined;
          p++;
          break;
        case At.FirstKey:
          if (byte === 0x7d) {
            at = At.End;
            p++;
          } else if (byte === 0x22) {
            begin(byte, Role.Key);
          } else {
            at = At.Declined;
          }
          break;
        case At.NextKey:
          if (byte === 0x22) begin(byte, Role.Key);
          else at = At.Declined;
          break;
        case At.Colon:
          at = byte === 0x3a ? At.MemberValue : At.Declined;
          p++;
          break;
        case At.MemberValue:
          if (key === 'traceEvents') {
            // The events, read one by one. A second `traceEvents` would replace the first in JSON.parse's reading.
            at = byte === 0x5b && !sawEvents ? At.FirstEvent : At.Declined;
            sawEvents = true;
            p++;
          } else {
            begin(byte, Role.Member);
          }
          break;
        case At.AfterMember:
          at = byte === 0x2c ? At.NextKey : byte === 0x7d ? At.End : At.Declined;
          p++;
          break;
        default:
          // After the top-level value, or declined: nothing more is read.
          at = At.Declined;
          break;
      }
    }
  };

  /**
   * Ends the input, once: the top-level JSON as detection's sniffers would see it (the events cut to the first 64)
   * when the file is JSON; `{ json: undefined }` for an unterminated array, which detection gives this reader from
   * its text; undefined when the file is declined.
   */
  let sniffed: { json: unknown } | undefined;
  const end = (): { json: unknown } | undefined => {
    if (ended) return sniffed;
    ended = true;
    if (start !== undefined && start.length > 0 && at !== At.Declined) scan(Buffer.from(start));
    start = undefined;
    // A number or literal ends with the file.
    if (value === Value.Bare && at !== At.Declined) {
      if (role === Role.Event) lastEventByte = held[heldLength - 1]!;
      complete(Buffer.alloc(0), 0, 0);
    }
    if (at === At.Declined || value !== Value.None || top === undefined || !sawEvents) return undefined;
    if (at === At.End) {
      sniffed = { json: Array.isArray(top) ? firstEvents : { ...top, traceEvents: firstEvents } };
      return sniffed;
    }
    // Unterminated: only a bare array, which parseTraceJson closes with a `]` unless its text ends with one.
    const closable = Array.isArray(top) && (at === At.FirstEvent || at === At.NextEvent || (at === At.AfterEvent && lastEventByte !== 0x5d));
    if (closable) sniffed = { json: undefined };
    return sniffed;
  };

  return {
    push(chunk) {
      if (at === At.Declined || chunk.length === 0) return;
      if (start !== undefined) {
        const taken = Math.min(3 - start.length, chunk.length);
        for (let i = 0; i < taken; i++) start.push(chunk[i]!);
        chunk = chunk.subarray(taken);
        if (start.length < 3) return;
        const first = start;
        start = undefined;
        if (!(first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf)) scan(Buffer.from(first));
      }
      scan(chunk);
    },
    sniffedJson: end,
    finish() {
      if (end() === undefined) return undefined;
      return reader.finish(top);
    },
  };
}
