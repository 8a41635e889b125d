import type { V8CallFrame } from './cpuprofile';
import type { V8ProfileColumns } from './v8ProfileColumns';

/**
 * Reads a V8 `.cpuprofile` straight from its UTF-8 bytes into columns, without JSON.parse.
 *
 * JSON.parse builds an object per node, per call frame and per child list (about 200,000 objects for the 11.8 MB
 * tsc profile) only for the importer to read them once; this scanner reads the same bytes in one pass into typed
 * arrays and decodes each distinct call frame's strings once, which makes the whole import cost about what
 * JSON.parse alone costs (ARCHITECTURE.md, "Import performance").
 *
 * It is a fast path, not a second parser to trust: it accepts only the profile as V8 writes it (top-level keys
 * `nodes`, `startTime`, `endTime`, `samples`, `timeDeltas`; fields of the expected types; no duplicate or escaped
 * keys), validates everything it skips as strict JSON, and returns undefined for anything else, which then goes
 * through JSON.parse and the checked path with its precise error messages. A differential test holds the two paths
 * to the same result on every corpus file and on mutated files.
 */
export function scanV8Profile(bytes: Buffer): V8ProfileColumns | undefined {
  // UTF-16 files (a zero byte among the first two) are for the general path.
  if (bytes.length < 2 || bytes[0] === 0 || bytes[1] === 0) return undefined;
  try {
    return new V8ProfileScanner(bytes).profile();
  } catch (error) {
    if (error === NOT_CANONICAL || error instanceof RangeError) return undefined;
    throw error;
  }
}

/** Thrown, and caught in scanV8Profile, for any input the scanner leaves to the general path. */
export const NOT_CANONICAL = new Error('not a canonical V8 profile');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;

/** The object keys the scanner reads; any other key is skipped (or, at the top level, refused). */
const enum Key {
  nodes,
  startTime,
  endTime,
  samples,
  timeDeltas,
  id,
  callFrame,
  children,
  hitCount,
  positionTicks,
  parent,
  functionName,
  url,
  lineNumber,
  columnNumber,
  line,
  ticks,
  scriptId,
}
const KEY_NAMES = ['nodes', 'startTime', 'endTime', 'samples', 'timeDeltas', 'id', 'callFrame', 'children', 'hitCount', 'positionTicks', 'parent', 'functionName', 'url', 'lineNumber', 'columnNumber', 'line', 'ticks', 'scriptId'];
/**
 * The key V8 writes after each key (-1: the object usually ends there). Each key is first compared, quotes and
 * colon included, with the one predicted; only a file laid out differently pays for the general key match.
 */
const NEXT_KEY = new Int8Array(KEY_NAMES.length).fill(-1);
NEXT_KEY[Key.nodes] = Key.startTime;
NEXT_KEY[Key.startTime] = Key.endTime;
NEXT_KEY[Key.endTime] = Key.samples;
NEXT_KEY[Key.samples] = Key.timeDeltas;
NEXT_KEY[Key.id] = Key.callFrame;
NEXT_KEY[Key.callFrame] = Key.hitCount;
NEXT_KEY[Key.hitCount] = Key.children;
NEXT_KEY[Key.children] = Key.positionTicks;
NEXT_KEY[Key.functionName] = Key.scriptId;
NEXT_KEY[Key.scriptId] = Key.url;
NEXT_KEY[Key.url] = Key.lineNumber;
NEXT_KEY[Key.lineNumber] = Key.columnNumber;
NEXT_KEY[Key.line] = Key.ticks;
/** Each key as it appears in the file, `"name":`, one after the other. */
const QUOTED_KEYS = Buffer.from(KEY_NAMES.map(name => `"${name}":`).join(''), 'latin1');
const QUOTED_KEYS_VIEW = new DataView(QUOTED_KEYS.buffer, QUOTED_KEYS.byteOffset, QUOTED_KEYS.byteLength);
const QUOTED_OFFSETS = Int32Array.from(KEY_NAMES, (_, code) => KEY_NAMES.slice(0, code).reduce((sum, name) => sum + name.length + 3, 0));
/** Each quoted key's length with its quotes and colon, so that a predicted key does not read a string's length. */
const QUOTED_LENGTHS = Int32Array.from(KEY_NAMES, name => name.length + 3);
/** All key names' bytes, one after the other, and where each starts. */
const KEY_BYTES = Buffer.from(KEY_NAMES.join(''), 'latin1');
const KEY_OFFSETS = Int32Array.from(KEY_NAMES, (_, code) => KEY_NAMES.slice(0, code).join('').length);
/**
 * The key a name of some length and first byte can only be (no two keys share both), by `length << 7 | first`,
 * -1 for none: one table read and a byte comparison find a key.
 */
const KEY_BY_LENGTH_AND_FIRST = new Int8Array(16 << 7).fill(-1);
KEY_NAMES.forEach((name, code) => {
  const slot = (name.length << 7) | name.charCodeAt(0);
  if (KEY_BY_LENGTH_AND_FIRST[slot] !== -1) throw new Error(`keys ${name} and ${KEY_NAMES[KEY_BY_LENGTH_AND_FIRST[slot]!]} share a length and first letter`);
  KEY_BY_LENGTH_AND_FIRST[slot] = code;
});

/** Where a streamed file's reading is (V8ProfileScanner.streamUnits). */
const enum Phase {
  head,
  nodes,
  /** After the bracket that closes `nodes`, before the comma or brace. */
  afterNodes,
  members,
  array,
  done,
}

/**
 * Growable Int32Array-backed lists, so that per-node columns never hold boxed numbers. Typed arrays rather than
 * plain ones also keep a huge file's columns (1.86M nodes) out of V8's heap: a grown plain array leaves its old
 * store in the large-object space until the next full collection, a typed array's is freed with its buffer.
 */
class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(16, capacity));
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/** Growable Float64Array-backed lists, for columns whose numbers may be any JSON number (times, tick counts). */
class NumberList {
  data: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Float64Array(Math.max(16, capacity));
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/** Bytes appended one range after another: the distinct frame names and URLs, which outlive a streamed window. */
class ByteList {
  data = Buffer.allocUnsafe(1 << 16);
  view = viewOf(this.data);
  length = 0;
  /** Appends `from[start..end)` and returns where it starts. */
  append(from: Buffer, start: number, end: number): number {
    const at = this.length;
    const needed = at + end - start;
    if (needed > this.data.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.data.length * 2));
      this.data.copy(grown, 0, 0, at);
      this.data = grown;
      this.view = viewOf(grown);
    }
    from.copy(this.data, at, start, end);
    this.length = needed;
    return at;
  }
}

function viewOf(bytes: Buffer): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Whether `a[i..i + length)` equals `b[j..j + length)`, both in bounds: four bytes at a time through DataViews (about
 * 2.5× faster than a byte loop on a 60-byte URL), then byte by byte.
 */
function sameBytes(a: DataView, i: number, b: DataView, j: number, length: number): boolean {
  let k = 0;
  for (; k + 4 <= length; k += 4) if (a.getUint32(i + k) !== b.getUint32(j + k)) return false;
  for (; k < length; k++) if (a.getUint8(i + k) !== b.getUint8(j + k)) return false;
  return true;
}

/** A profile's node columns as the scanner fills them. */
export type V8NodeColumns = Omit<V8ProfileColumns, 'frames' | 'startTime' | 'endTime' | 'samples' | 'timeDeltas'>;

/**
 * The scanner reads one buffer (`b`, a whole file) or a stream of windows over a file (v8ProfileStream.ts gives it
 * each window with `window`); everything that must outlive a window (the distinct frames' and URLs' bytes, the
 * columns) is kept apart from it, so one node is read the same way from either.
 */
export class V8ProfileScanner {
  p = 0;
  private n: number;
  /** `b` as a DataView, for comparing bytes four at a time. */
  private v: DataView;
  private lastQuote: number;
  /** Set by string scans: whether the last string had an escape sequence, and its hash. */
  private escaped = false;
  private hash = 0;

  // Distinct call frames (name as a byte range of `known`, URL index, line and column) found by hash; each is decoded once.
  private readonly known = new ByteList();
  private readonly frameHashes = new Map<number, number>();
  private readonly frameNext = new IntList(1024);
  private readonly frameRanges = new IntList(3072);
  private readonly frameNumbers: number[] = [];
  readonly frames: V8CallFrame[] = [];
  // Distinct URLs as byte ranges of `known` with their text, found by hash; the last one read is tried first.
  private readonly urlHashes = new Map<number, number>();
  private readonly urlNext = new IntList(256);
  private readonly urlRanges = new IntList(512);
  private readonly urlTexts: string[] = [];
  private lastUrl = -1;

  // The node columns, one entry per node read. Ids and hit counts are 32-bit integers (as V8 writes them; a file
  // with others is left to the general path), so they take four bytes a node.
  private readonly nodeIds: IntList;
  private readonly nodeFrame: IntList;
  private readonly hitCounts: IntList;
  /** Made at the first node that names its parent (V8's trace-chunk form): a `.cpuprofile` has none. */
  private parentIds: NumberList | undefined;
  private readonly childStart: IntList;
  private readonly childIds: IntList;
  private readonly tickStart: IntList;
  private readonly tickLines = new NumberList(1024);
  private readonly tickCounts = new NumberList(1024);
  /** Where the last node read whole ends in childIds and tickLines. */
  private childEnd = 0;
  private tickEnd = 0;

  constructor(
    private b: Buffer,
    /** The whole file's size, to size the first allocations (a V8 node takes about 200 bytes of JSON). */
    fileBytes = b.length,
  ) {
    this.n = b.length;
    this.v = viewOf(b);
    this.lastQuote = b.lastIndexOf(QUOTE);
    if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) this.p = 3;
    this.resume = this.p;
    const guess = Math.max(16, Math.ceil(fileBytes / 200));
    this.nodeIds = new IntList(guess);
    this.hitCounts = new IntList(guess);
    this.childIds = new IntList(guess);
    this.nodeFrame = new IntList(guess);
    this.childStart = new IntList(guess + 1);
    this.tickStart = new IntList(guess + 1);
  }

  /** Reads on in `b` from `p`: the next window of a streamed file, which must hold whole strings. */
  window(b: Buffer, p: number): void {
    this.b = b;
    this.n = b.length;
    this.v = viewOf(b);
    this.lastQuote = b.lastIndexOf(QUOTE);
    this.p = p;
    this.resume = p;
  }

  get end(): number {
    return this.n;
  }

  get bytes(): Buffer {
    return this.b;
  }

  profile(): V8ProfileColumns {
    const b = this.b;
    this.whitespace();
    this.expect(OPEN_BRACE);
    let nodes: V8NodeColumns | undefined;
    let startTime: number | undefined;
    let endTime: number | undefined;
    let samples: Float64Array | undefined;
    let timeDeltas: Float64Array | undefined;
    this.whitespace();
    if (b[this.p] === CLOSE_BRACE) throw NOT_CANONICAL;
    let predicted: number = Key.nodes;
    for (;;) {
      const key = this.key(predicted);
      predicted = key < 0 ? -1 : NEXT_KEY[key]!;
      if (key === Key.nodes && nodes === undefined) nodes = this.nodes();
      else if (key === Key.startTime && startTime === undefined) startTime = this.number();
      else if (key === Key.endTime && endTime === undefined) endTime = this.number();
      else if (key === Key.samples && samples === undefined) samples = this.numberArray();
      else if (key === Key.timeDeltas && timeDeltas === undefined) timeDeltas = this.numberArray();
      else throw NOT_CANONICAL;
      if (this.endOfMembers()) break;
    }
    this.whitespace();
    if (this.p !== this.n || nodes === undefined || nodes.nodeCount === 0) throw NOT_CANONICAL;
    const start = startTime ?? 0;
    return { ...nodes, frames: this.frames, startTime: start, endTime: endTime ?? start, samples, timeDeltas };
  }

  private nodes(): V8NodeColumns {
    const b = this.b;
    this.whitespace();
    this.expect(OPEN_BRACKET);
    this.whitespace();
    if (b[this.p] === CLOSE_BRACKET) {
      this.p++;
      throw NOT_CANONICAL;
    }
    while (!this.node());
    return this.nodeColumns();
  }

  /** The columns of the nodes read so far. */
  nodeColumns(): V8NodeColumns {
    return {
      nodeCount: this.nodeIds.length,
      nodeIds: this.nodeIds.view(),
      nodeFrame: this.nodeFrame.view(),
      hitCounts: this.hitCounts.view(),
      ...(this.parentIds ? { parentIds: this.parentIds.view() } : {}),
      childStart: closed(this.childStart, this.childIds.length),
      childIds: this.childIds.view(),
      tickStart: closed(this.tickStart, this.tickLines.length),
      tickLines: this.tickLines.view(),
      tickCounts: this.tickCounts.view(),
    };
  }

  /** Forgets what a node cut short by the end of a streamed window added (children, position ticks). */
  dropPartialNode(): void {
    this.childIds.length = this.childEnd;
    this.tickLines.length = this.tickEnd;
    this.tickCounts.length = this.tickEnd;
  }

  /**
   * One node of `nodes` and the comma or bracket after it: true at the bracket. A node is added to the columns
   * only once read whole, except its children and position ticks (truncateNodes drops those of a node cut short).
   */
  node(): boolean {
    const b = this.b;
    const childIds = this.childIds;
    const tickLines = this.tickLines;
    this.whitespace();
    this.expect(OPEN_BRACE);
    let id: number | undefined;
    let frame = -1;
    let hitCount = 0;
    let parent = NaN;
    let seen = 0;
    const children = childIds.length;
    const ticks = tickLines.length;
    this.whitespace();
    if (b[this.p] === CLOSE_BRACE) throw NOT_CANONICAL;
    let predicted: number = Key.id;
    for (;;) {
      const key = this.key(predicted);
      predicted = key < 0 ? -1 : NEXT_KEY[key]!;
      let bit: number;
      if (key === Key.id) {
        bit = 1;
        id = this.int32();
      } else if (key === Key.callFrame) {
        bit = 2;
        frame = this.callFrame();
      } else if (key === Key.children) {
        bit = 4;
        this.int32sInto(childIds);
      } else if (key === Key.hitCount) {
        bit = 8;
        hitCount = this.int32();
      } else if (key === Key.positionTicks) {
        bit = 16;
        this.positionTicks(tickLines, this.tickCounts);
      } else if (key === Key.parent) {
        bit = 32;
        parent = this.number();
      } else {
        // Fields the importer does not read (deoptReason, codeType...): checked as JSON and skipped.
        bit = 0;
        this.skipValue(0);
      }
      if ((seen & bit) !== 0) throw NOT_CANONICAL;
      seen |= bit;
      if (this.endOfMembers()) break;
    }
    if (id === undefined || frame < 0) throw NOT_CANONICAL;
    const last = this.endOfElements();
    this.childStart.push(children);
    this.tickStart.push(ticks);
    if (this.parentIds === undefined && !Number.isNaN(parent)) {
      this.parentIds = new NumberList(this.nodeFrame.data.length);
      for (let i = 0; i < this.nodeIds.length; i++) this.parentIds.push(NaN);
    }
    this.nodeIds.push(id);
    this.nodeFrame.push(frame);
    this.hitCounts.push(hitCount);
    this.parentIds?.push(parent);
    this.childEnd = childIds.length;
    this.tickEnd = tickLines.length;
    return last;
  }

  // A streamed file's progress (streamUnits): the phase, the array being read, the top-level members read.
  private phase = Phase.head;
  private array: NumberList | undefined;
  /** Where the last whole unit (node, number, member) read by streamUnits ends: a window cut short resumes there. */
  resume = 0;
  private startTime: number | undefined;
  private endTime: number | undefined;
  private samples: NumberList | undefined;
  private timeDeltas: NumberList | undefined;

  /**
   * Reads a streamed file's window unit by unit: the opening up to `"nodes":[`, each node, then each top-level
   * member, and each number of `samples` and `timeDeltas` one at a time; true once the closing brace is read. A
   * unit cut short by the end of the window throws (as any error does: NOT_CANONICAL); `resume` is then where the
   * next window must start, after `dropPartial`. Only V8's own order, `nodes` first, is read this way.
   */
  streamUnits(): boolean {
    for (;;) {
      const phase = this.phase;
      if (phase === Phase.nodes) {
        if (this.node()) this.phase = Phase.afterNodes;
      } else if (phase === Phase.afterNodes) {
        this.memberEnd();
      } else if (phase === Phase.array) {
        // Nothing is kept before the unit is read whole: a cut-short unit is read again from its start.
        const value = this.number();
        if (this.endOfElements()) this.memberEnd();
        this.array!.push(value);
      } else if (phase === Phase.members) {
        const key = this.key(-1);
        if (key === Key.startTime && this.startTime === undefined) {
          const value = this.number();
          this.memberEnd();
          this.startTime = value;
        } else if (key === Key.endTime && this.endTime === undefined) {
          const value = this.number();
          this.memberEnd();
          this.endTime = value;
        } else if ((key === Key.samples && this.samples === undefined) || (key === Key.timeDeltas && this.timeDeltas === undefined)) {
          this.whitespace();
          this.expect(OPEN_BRACKET);
          this.whitespace();
          const empty = this.b[this.p] === CLOSE_BRACKET;
          if (empty) {
            this.p++;
            this.memberEnd();
          }
          // A sample per millisecond of a long recording: a million numbers need not be grown from a few.
          const out = new NumberList(1 << 16);
          if (key === Key.samples) this.samples = out;
          else this.timeDeltas = out;
          if (!empty) {
            this.array = out;
            this.phase = Phase.array;
          }
        } else {
          throw NOT_CANONICAL;
        }
      } else if (phase === Phase.head) {
        this.whitespace();
        this.expect(OPEN_BRACE);
        this.whitespace();
        if (this.key(Key.nodes) !== Key.nodes) throw NOT_CANONICAL;
        this.whitespace();
        this.expect(OPEN_BRACKET);
        this.whitespace();
        if (this.b[this.p] === CLOSE_BRACKET) throw NOT_CANONICAL;
        this.phase = Phase.nodes;
      } else {
        this.whitespace();
        if (this.p < this.n) throw NOT_CANONICAL;
        this.resume = this.p;
        return true;
      }
      this.resume = this.p;
    }
  }

  /**
   * Reads from here on as the rest of `nodes`, from a node's opening brace: the second part of a file two scanners
   * read at once (v8ParallelScan.ts). Called before the first window is read.
   */
  startInNodes(): void {
    this.phase = Phase.nodes;
  }

  /** Whether everything read so far ended with a whole node and its comma: the next byte opens the next node. */
  get betweenNodes(): boolean {
    return this.phase === Phase.nodes && this.resume === this.n && this.b[this.n - 1] === COMMA;
  }

  /** After a top-level member: the comma, or the closing brace which ends the profile. */
  private memberEnd(): void {
    this.phase = this.endOfMembers() ? Phase.done : Phase.members;
  }

  /** Forgets what a unit cut short by the end of a window added. */
  dropPartial(): void {
    if (this.phase === Phase.nodes) this.dropPartialNode();
  }

  /** The profile once streamUnits has read its closing brace. */
  streamedProfile(): V8ProfileColumns {
    if (this.phase !== Phase.done) throw NOT_CANONICAL;
    const start = this.startTime ?? 0;
    return { ...this.nodeColumns(), frames: this.frames, startTime: start, endTime: this.endTime ?? start, samples: this.samples?.view(), timeDeltas: this.timeDeltas?.view() };
  }

  /** A call frame object, as an index into the distinct frames. */
  private callFrame(): number {
    const b = this.b;
    this.whitespace();
    this.expect(OPEN_BRACE);
    let nameStart = -1;
    let nameEnd = -1;
    let nameHash = 0;
    let nameEscaped = false;
    let url = -1;
    let line = -1;
    let column = -1;
    let seen = 0;
    this.whitespace();
    if (b[this.p] === CLOSE_BRACE) throw NOT_CANONICAL;
    let predicted: number = Key.functionName;
    for (;;) {
      const key = this.key(predicted);
      predicted = key < 0 ? -1 : NEXT_KEY[key]!;
      let bit: number;
      this.whitespace();
      if (key === Key.functionName) {
        bit = 1;
        nameStart = this.p;
        this.string();
        nameEnd = this.p;
        nameHash = this.hash;
        nameEscaped = this.escaped;
      } else if (key === Key.url) {
        bit = 2;
        url = this.url();
      } else if (key === Key.lineNumber) {
        bit = 4;
        line = this.number();
      } else if (key === Key.columnNumber) {
        bit = 8;
        column = this.number();
      } else {
        bit = 0;
        this.skipValue(0);
      }
      if ((seen & bit) !== 0) throw NOT_CANONICAL;
      seen |= bit;
      if (this.endOfMembers()) break;
    }
    // Absent names and URLs read as empty strings, absent positions as -1, as in the checked path.
    let hash = Math.imul(nameHash ^ 0x9e3779b9, 0x85ebca6b) ^ url;
    hash = Math.imul(hash ^ (line | 0), 0xc2b2ae35) ^ (column | 0);
    const first = this.frameHashes.get(hash);
    const ranges = this.frameRanges.data;
    for (let at = first ?? -1; at >= 0; at = this.frameNext.data[at]!) {
      if (
        ranges[3 * at + 2] === url &&
        this.frameNumbers[2 * at] === line &&
        this.frameNumbers[2 * at + 1] === column &&
        this.sameAsKnown(ranges[3 * at]!, ranges[3 * at + 1]!, nameStart, nameEnd)
      ) {
        return at;
      }
    }
    const index = this.frames.length;
    this.frames.push({
      functionName: nameStart < 0 ? '' : this.decode(nameStart, nameEnd, nameEscaped),
      url: url < 0 ? '' : this.urlText(url),
      lineNumber: line,
      columnNumber: column,
    });
    const knownStart = nameStart < 0 ? -1 : this.known.append(b, nameStart, nameEnd);
    this.frameRanges.push(knownStart);
    this.frameRanges.push(nameStart < 0 ? -1 : knownStart + nameEnd - nameStart);
    this.frameRanges.push(url);
    this.frameNumbers.push(line, column);
    this.frameNext.push(first ?? -1);
    this.frameHashes.set(hash, index);
    return index;
  }

  /**
   * A URL string, as an index into the distinct URLs. Call frames in a row mostly share their script, so the
   * bytes are first compared with the last URL read: when they match up to its closing quote, this string is
   * that (already checked) string and is neither checked nor hashed again.
   */
  private url(): number {
    const b = this.b;
    const p = this.p;
    const last = this.lastUrl;
    if (last >= 0) {
      const ranges = this.urlRanges.data;
      const start = ranges[2 * last]!;
      const length = ranges[2 * last + 1]! - start;
      // A URL cut by the window's end is not compared: string() below throws for it as for any cut string.
      if (p + length <= this.n && sameBytes(this.v, p, this.known.view, start, length)) {
        this.p = p + length;
        return last;
      }
    }
    this.string();
    const end = this.p;
    const hash = this.hash;
    for (let at = this.urlHashes.get(hash) ?? -1; at >= 0; at = this.urlNext.data[at]!) {
      const ranges = this.urlRanges.data;
      if (this.sameAsKnown(ranges[2 * at]!, ranges[2 * at + 1]!, p, end)) return (this.lastUrl = at);
    }
    const index = this.urlTexts.length;
    this.urlTexts.push(this.decode(p, end, this.escaped));
    const knownStart = this.known.append(b, p, end);
    this.urlRanges.push(knownStart);
    this.urlRanges.push(knownStart + end - p);
    this.urlNext.push(this.urlHashes.get(hash) ?? -1);
    this.urlHashes.set(hash, index);
    return (this.lastUrl = index);
  }

  private urlText(url: number): string {
    return this.urlTexts[url]!;
  }

  /** Whether `known[knownStart..knownEnd)` and `b[start..end)` hold the same bytes. */
  private sameAsKnown(knownStart: number, knownEnd: number, start: number, end: number): boolean {
    return knownEnd - knownStart === end - start && sameBytes(this.known.view, knownStart, this.v, start, end - start);
  }

  /** A string's value from its quoted bytes: JSON.parse only for the rare string with escapes. */
  private decode(start: number, end: number, escaped: boolean): string {
    if (escaped) return JSON.parse(this.b.toString('utf8', start, end)) as string;
    return this.b.toString('utf8', start + 1, end - 1);
  }

  private positionTicks(lines: NumberList, counts: NumberList): void {
    const b = this.b;
    this.whitespace();
    this.expect(OPEN_BRACKET);
    this.whitespace();
    if (b[this.p] === CLOSE_BRACKET) {
      this.p++;
      return;
    }
    for (;;) {
      this.whitespace();
      this.expect(OPEN_BRACE);
      let line = NaN;
      let ticks = NaN;
      let seen = 0;
      this.whitespace();
      if (b[this.p] === CLOSE_BRACE) throw NOT_CANONICAL;
      let predicted: number = Key.line;
      for (;;) {
        const key = this.key(predicted);
        predicted = key < 0 ? -1 : NEXT_KEY[key]!;
        let bit = 0;
        if (key === Key.line) {
          bit = 1;
          line = this.number();
        } else if (key === Key.ticks) {
          bit = 2;
          ticks = this.number();
        } else {
          this.skipValue(0);
        }
        if ((seen & bit) !== 0) throw NOT_CANONICAL;
        seen |= bit;
        if (this.endOfMembers()) break;
      }
      lines.push(line);
      counts.push(ticks);
      if (this.endOfElements()) break;
    }
  }

  private numberArray(): Float64Array {
    const out = new NumberList(1024);
    this.numbersInto(out);
    return out.view();
  }

  /** An array of numbers, appended to `out`. */
  private numbersInto(out: NumberList): void {
    const b = this.b;
    this.whitespace();
    this.expect(OPEN_BRACKET);
    this.whitespace();
    if (b[this.p] === CLOSE_BRACKET) {
      this.p++;
      return;
    }
    for (;;) {
      out.push(this.number());
      if (this.endOfElements()) break;
    }
  }

  /** An array of 32-bit integers (node ids), appended to `out`. */
  private int32sInto(out: IntList): void {
    const b = this.b;
    this.whitespace();
    this.expect(OPEN_BRACKET);
    this.whitespace();
    if (b[this.p] === CLOSE_BRACKET) {
      this.p++;
      return;
    }
    for (;;) {
      out.push(this.int32());
      if (this.endOfElements()) break;
    }
  }

  /** A number that must be a 32-bit integer, as V8's node ids and hit counts are; any other is for the general path. */
  private int32(): number {
    const value = this.number();
    if ((value | 0) !== value) throw NOT_CANONICAL;
    return value;
  }

  /**
   * A JSON number. Integers of up to 15 digits are accumulated directly; anything else (fractions, exponents,
   * longer integers) is checked against the JSON grammar and converted by Number, which rounds as JSON.parse does.
   */
  private number(): number {
    const b = this.b;
    this.whitespace();
    const start = this.p;
    let p = start;
    let negative = false;
    if (b[p] === MINUS) {
      negative = true;
      p++;
    }
    let c = b[p]!;
    let value = 0;
    let digits = 0;
    if (c === 0x30) {
      p++;
      digits = 1;
    } else if (c >= 0x31 && c <= 0x39) {
      while (c >= 0x30 && c <= 0x39) {
        value = value * 10 + (c - 0x30);
        digits++;
        c = b[++p]!;
      }
    } else {
      throw NOT_CANONICAL;
    }
    c = b[p]!;
    if (c === 0x2e || c === 0x65 || c === 0x45 || digits > 15) {
      if (c === 0x2e) {
        p++;
        if (!isDigit(b[p])) throw NOT_CANONICAL;
        while (isDigit(b[p])) p++;
      }
      c = b[p]!;
      if (c === 0x65 || c === 0x45) {
        p++;
        if (b[p] === 0x2b || b[p] === MINUS) p++;
        if (!isDigit(b[p])) throw NOT_CANONICAL;
        while (isDigit(b[p])) p++;
      }
      this.p = p;
      return Number(this.b.toString('latin1', start, p));
    }
    // "01" is not JSON.
    if (isDigit(c)) throw NOT_CANONICAL;
    this.p = p;
    return negative ? -value : value;
  }

  /**
   * An object key, which must be a string without escapes, as its code in KEYS (-1 for any other key); also
   * consumes the colon. Keys are matched as bytes so that no string is made per key.
   */
  private key(predicted: number): number {
    if (predicted >= 0) {
      const p = this.p;
      const offset = QUOTED_OFFSETS[predicted]!;
      const length = QUOTED_LENGTHS[predicted]!;
      if (p + length <= this.n && sameBytes(this.v, p, QUOTED_KEYS_VIEW, offset, length)) {
        this.p = p + length;
        return predicted;
      }
    }
    this.whitespace();
    const start = this.p + 1;
    this.string();
    if (this.escaped) throw NOT_CANONICAL;
    const length = this.p - 1 - start;
    const b = this.b;
    let code = length < 16 ? KEY_BY_LENGTH_AND_FIRST[(length << 7) | (b[start]! & 0x7f)]! : -1;
    if (code >= 0) {
      for (let i = 1, k = KEY_OFFSETS[code]! + 1; i < length; i++, k++) {
        if (b[start + i] !== KEY_BYTES[k]) {
          code = -1;
          break;
        }
      }
    }
    this.whitespace();
    this.expect(COLON);
    return code;
  }

  /**
   * A string at the current position, checked as JSON (no raw control characters, valid escapes). Leaves whether
   * it had escapes in `escaped`, and in `hash` a cheap hash of its length and last bytes (where URLs differ).
   */
  private string(): void {
    const b = this.b;
    let p = this.p;
    if (b[p] !== QUOTE) throw NOT_CANONICAL;
    const start = ++p;
    // The last quote of the file bounds every scan, so the loop needs no end-of-buffer test; only an escape can
    // step over it.
    if (p > this.lastQuote) throw NOT_CANONICAL;
    let escaped = false;
    for (;;) {
      const c = b[p++]!;
      if (c === QUOTE) break;
      if (c < 0x20 || c === BACKSLASH) {
        if (c !== BACKSLASH) throw NOT_CANONICAL;
        escaped = true;
        if (p >= this.lastQuote) throw NOT_CANONICAL;
        const e = b[p++];
        if (e === 0x75) {
          for (let k = 0; k < 4; k++) if (!isHex(b[p++])) throw NOT_CANONICAL;
        } else if (e !== QUOTE && e !== BACKSLASH && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) {
          throw NOT_CANONICAL;
        }
      }
    }
    const length = p - 1 - start;
    this.hash = length === 0 ? 0 : Math.imul(length, 0x9e3779b1) ^ (b[p - 2]! << 16) ^ (b[p - 3]! << 8) ^ b[start + (length >> 1)]!;
    this.p = p;
    this.escaped = escaped;
  }

  /** Any JSON value, checked and skipped. Nesting deeper than 512 is left to the general path. */
  private skipValue(depth: number): void {
    if (depth > 512) throw NOT_CANONICAL;
    const b = this.b;
    this.whitespace();
    const c = b[this.p];
    if (c === QUOTE) {
      this.string();
    } else if (c === OPEN_BRACE) {
      this.p++;
      this.whitespace();
      if (b[this.p] === CLOSE_BRACE) {
        this.p++;
        return;
      }
      for (;;) {
        this.key(-1);
        this.skipValue(depth + 1);
        if (this.endOfMembers()) break;
      }
    } else if (c === OPEN_BRACKET) {
      this.p++;
      this.whitespace();
      if (b[this.p] === CLOSE_BRACKET) {
        this.p++;
        return;
      }
      for (;;) {
        this.skipValue(depth + 1);
        if (this.endOfElements()) break;
      }
    } else if (c === 0x74) {
      this.literal('true');
    } else if (c === 0x66) {
      this.literal('false');
    } else if (c === 0x6e) {
      this.literal('null');
    } else {
      this.number();
    }
  }

  private literal(word: string): void {
    for (let i = 0; i < word.length; i++) if (this.b[this.p + i] !== word.charCodeAt(i)) throw NOT_CANONICAL;
    this.p += word.length;
  }

  /** After an object member: true at the closing brace, false at a comma (both consumed). */
  private endOfMembers(): boolean {
    this.whitespace();
    const c = this.b[this.p++];
    if (c === COMMA) return false;
    if (c === CLOSE_BRACE) return true;
    throw NOT_CANONICAL;
  }

  /** After an array element: true at the closing bracket, false at a comma (both consumed). */
  private endOfElements(): boolean {
    this.whitespace();
    const c = this.b[this.p++];
    if (c === COMMA) return false;
    if (c === CLOSE_BRACKET) return true;
    throw NOT_CANONICAL;
  }

  private expect(byte: number): void {
    if (this.b[this.p] !== byte) throw NOT_CANONICAL;
    this.p++;
  }

  private whitespace(): void {
    // V8 writes no whitespace: one test for the usual case.
    if (this.b[this.p]! > 0x20) return;
    const b = this.b;
    let p = this.p;
    let c = b[p];
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++p];
    this.p = p;
  }
}

/** An offsets column with its end appended: `list` then `end`. */
function closed(list: IntList, end: number): Int32Array {
  const out = new Int32Array(list.length + 1);
  out.set(list.view());
  out[list.length] = end;
  return out;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}
