import { gunzipSync } from 'node:zlib';
import { SPAN_LABEL_KEYS } from '../../../../common/protocol/probeProtocol';
import { ProfileBuilder, ProfileImportError, labelKey, type ImportedProfile, type ValueType } from '../../importedProfile';
import { decodePprof, type DecodedLabel, type DecodedLocation, type DecodedProfile } from './pprofDecode';
import type { FormatReader } from '../formatReader';

/**
 * pprof (protobuf, the format of Go's runtime/pprof, `go tool pprof -proto`, Parca, Pyroscope, Datadog...) in the
 * common imported form. One file becomes one ImportedProfile; each of its sample types is one value type, named
 * the way Parca names profile types (see `profileTypeName`).
 *
 * The bytes are checked before pprof-format decodes them (`quickCheckProtobuf`, falling back to the full
 * `checkProtobuf`): pprof-format silently accepts fields that run past the end of the file, misreads field numbers
 * above 15, throws bare errors on other wire types, and takes quadratic time on one long run of continuation bytes
 * (minutes for 2 MB). References between messages (locations, functions, mappings, strings) are checked while
 * converting. So damaged or hostile input is refused with a ProfileImportError whose message is a sentence, never
 * decoded into garbage, thrown as a raw stack or left to hang.
 *
 * Choices, documented once here:
 * - A location with several lines (inlined calls) becomes one frame per line, line[0] (the innermost) first,
 *   since stacks are leaf first; a location without lines becomes a frame named by its address (`0x4a2f1c`).
 * - frame.module is the mapping's file name as the file gives it, the full path (`/usr/lib/libc.so.6`,
 *   `[vdso]`): it names the binary exactly and goes back unchanged into an exported pprof's mapping.
 * - frame.address is the location's address as a number: exact below 2^53; kernel addresses above that lose
 *   their low bits in the field, but the name of a frame without lines is written from the exact value.
 * - frame.line is the Line's line number, or the function's start line when the Line has none; frame.functionLine
 *   is the function's start line (0: unknown), which, with name and file, tells functions apart.
 * - Sample labels become per-sample labels with keys made to fit by labelKey() (`thread id` → `thread_id`); span
 *   labels as Go's pprof.Do and Pyroscope write them (`trace_id`, `span_id`, `span_name`) are SPAN_LABEL_KEYS already,
 *   and old Pyroscope's `profile_id` (a span id) becomes `span_id` (see sampleLabels). A
 *   numeric label's value is its decimal number, followed by a space and its unit when the file gives one
 *   (`4096 bytes`); Go's heap profiles give none (`bytes` = `112`). Several values of one key are joined with ','.
 * - periodNs is the period in nanoseconds when the period type's unit is a time unit (nanoseconds, microseconds,
 *   milliseconds, seconds); otherwise (bytes for heap profiles, counts) it is the file's period as it stands.
 * - Values are signed 64-bit (delta profiles have negative ones); they must stay below 2^53 to be stored exactly.
 * - comments, drop_frames, keep_frames, doc_url and default_sample_type are ignored; pprof has no per-sample
 *   time, so every sample is at time_nanos (`startMs`, on the epoch's clock), or where the caller places the
 *   profile when time_nanos is 0.
 */
export function parsePprof(bytes: Uint8Array, displayName: string): ImportedProfile[] {
  const data = isGzip(bytes) ? gunzip(bytes, displayName) : bytes;
  const legacy = describeLegacyPprof(data);
  if (legacy !== undefined) throw new ProfileImportError(displayName, 'pprof', legacy);
  if (data.length === 0) throw new ProfileImportError(displayName, 'pprof', 'the file is empty');
  const problem = quickCheckProtobuf(data);
  if (problem !== undefined) {
    const text = asciiHead(data, 512) !== undefined;
    throw new ProfileImportError(displayName, 'pprof', text ? 'it is text, not protobuf pprof data (nor a legacy pprof format Icicle recognises)' : problem);
  }
  let profile: DecodedProfile;
  try {
    profile = decodePprof(data);
  } catch (error) {
    throw new ProfileImportError(displayName, 'pprof', `its protobuf data could not be decoded (${error instanceof Error ? error.message : String(error)})`);
  }
  return [pprofToImported(profile, displayName)];
}

/**
 * A cheap sniff for protobuf pprof (after gunzip): the first top-level fields (up to 64) are well-formed protobuf
 * with the field numbers and wire types of pprof's Profile message, and at least one is there. Text, JSON and
 * the legacy binary CPU format fail within a few bytes.
 */
export function isPprof(bytes: Uint8Array): boolean {
  if (bytes.length === 0 || describeLegacyPprof(bytes) !== undefined) return false;
  const reader = new Reader(bytes);
  let fields = 0;
  while (reader.pos < bytes.length && fields < 64) {
    const tag = reader.tag();
    if (tag < 0) return false;
    const field = tag >>> 3;
    const wire = tag & 7;
    const expected = PROFILE_FIELDS[field];
    if (expected === undefined || (expected & (1 << wire)) === 0) return false;
    if (!reader.skip(wire)) return false;
    fields++;
  }
  return fields > 0;
}

/**
 * Recognises the formats pprof read before protobuf (google/pprof's profile/legacy_profile.go): the binary CPU
 * profile of gperftools and of Go before 1.9, and the text heap, growth, fragmentation, contention, thread and Java
 * profiles. Returns the reason to give the user — what the file is and what to do — ready for
 * `new ProfileImportError(displayName, 'pprof', reason)` ("it is a legacy binary CPU profile (...), which Icicle
 * does not read. Convert it ... with `go tool pprof -proto FILE > FILE.pb.gz` ..."), or undefined.
 */
export function describeLegacyPprof(bytes: Uint8Array): string | undefined {
  const what = legacyPprofKind(bytes);
  if (what === undefined) return undefined;
  if (what.startsWith('a goroutine dump')) return `it is ${what}. Save the goroutine profile without \`debug=2\` (protobuf) and open that`;
  return `it is ${what}, which Icicle does not read. Convert it to the protobuf format with \`go tool pprof -proto FILE > FILE.pb.gz\` and open the result`;
}

function legacyPprofKind(bytes: Uint8Array): string | undefined {
  if (isLegacyBinaryCpu(bytes)) return 'a legacy binary CPU profile (the format of gperftools and of Go before 1.9, 2017)';
  // The text formats start with a recognisable first line; look at the first few hundred bytes only.
  const head = asciiHead(bytes, 512);
  if (head === undefined) return undefined;
  const first = head.replace(/^\s+/, '').split('\n', 1)[0]!.trim();
  if (/^heap profile:/i.test(first) || /^heap_v2\//.test(first)) {
    if (/@\s*growthz/.test(first)) return 'a legacy text-format heap growth profile (gperftools)';
    if (/@\s*fragmentationz/.test(first)) return 'a legacy text-format heap fragmentation profile (gperftools)';
    return 'a legacy text-format heap profile (gperftools, or Go before 1.9 / runtime/pprof with debug=1)';
  }
  if (/^---\s*heapz?\s+\d+\s*---/.test(first) && /format\s*=\s*java/.test(head)) return 'a legacy text-format Java heap profile';
  if (/^---\s*(contentionz?|mutex|mutexz)\b/.test(first)) {
    return /format\s*=\s*java/.test(head) ? 'a legacy text-format Java contention profile' : 'a legacy text-format contention (lock) profile';
  }
  if (/^---\s*(cpu|profile)\b/i.test(first) && /format\s*=\s*java/.test(head)) return 'a legacy text-format Java CPU profile';
  if (/^---\s*threadz\s+\d+\s*---/.test(first)) return 'a legacy text-format thread profile';
  if (/^(goroutine|threadcreate) profile: total \d+/.test(first)) return 'a text-format goroutine profile (runtime/pprof with debug=1)';
  if (/^goroutine \d+ \[[^\]]*\]:/.test(first)) return 'a goroutine dump (runtime/pprof with debug=2), which has no sample values';
  return undefined;
}

/**
 * The profile type of one sample type, Parca-style `<name>:<type>:<unit>:<periodType>:<periodUnit>`. The name
 * says what kind of profile the file is (the same for all its sample types): `process_cpu` when the period type
 * is cpu or every sample type is samples or cpu; `memory` when the period type is space or a sample type is in
 * bytes or named *_space / *_objects; `goroutine`, `mutex` or `block` when a type name says so (Go's block and
 * mutex profiles both have contentions/delay: the file's name decides, block by default); else `profile`.
 * An empty type or unit (or a missing period type) is written `unknown`, and ':' inside one becomes '_'.
 */
export function profileTypeName(
  sampleTypes: readonly { type: string; unit: string }[],
  periodType: { type: string; unit: string } | undefined,
  displayName = '',
): { name: string; types: string[] } {
  const part = (s: string): string => (s === '' ? 'unknown' : s.replace(/:/g, '_'));
  const names = sampleTypes.map(t => t.type.toLowerCase());
  const pType = periodType?.type.toLowerCase() ?? '';
  let name = 'profile';
  if (pType === 'cpu' || (names.length > 0 && names.every(n => n === 'samples' || n === 'cpu'))) name = 'process_cpu';
  else if (pType === 'space' || sampleTypes.some(t => t.unit.toLowerCase() === 'bytes') || names.some(n => /_(space|objects)$/.test(n) || n === 'space' || n === 'objects')) {
    name = 'memory';
  } else if (pType.includes('goroutine') || names.some(n => n.includes('goroutine'))) name = 'goroutine';
  else if (pType.includes('mutex') || names.some(n => n.includes('mutex'))) name = 'mutex';
  else if (pType.includes('block') || names.some(n => n.includes('block'))) name = 'block';
  else if (pType === 'contentions' || names.includes('contentions') || names.includes('delay')) name = /mutex/i.test(displayName) ? 'mutex' : 'block';
  const period = `${part(periodType?.type ?? '')}:${part(periodType?.unit ?? '')}`;
  const seen = new Map<string, number>();
  const types = sampleTypes.map(t => {
    let type = `${name}:${part(t.type)}:${part(t.unit)}:${period}`;
    const n = seen.get(type) ?? 0;
    seen.set(type, n + 1);
    // Two sample types with the same type and unit would share a profile type: keep them apart.
    if (n > 0) type = `${name}:${part(t.type)}_${n + 1}:${part(t.unit)}:${period}`;
    return type;
  });
  return { name, types };
}

// ---------------------------------------------------------------------------------------------------------
// Conversion

const TIME_UNITS_NS: Record<string, number> = { nanoseconds: 1, nanosecond: 1, ns: 1, microseconds: 1e3, us: 1e3, milliseconds: 1e6, ms: 1e6, seconds: 1e9, s: 1e9 };

/** A decoded profile (pprofDecode.ts) in the common imported form (parsePprof's second half). */
export function pprofToImported(p: DecodedProfile, displayName: string): ImportedProfile {
  const strings = p.stringTable.strings;
  const fail = (reason: string): never => {
    throw new ProfileImportError(displayName, 'pprof', reason);
  };
  /** The string at an index; `what` and `id` name the referrer when the index is out of range. */
  const str = (index: number | bigint, what: string, id: number | string = ''): string => {
    const s = strings[typeof index === 'number' ? index : Number(index)];
    if (s !== undefined) return s;
    if (index === 0 || index === 0n) return '';
    return fail(`${what}${id === '' ? '' : ` ${id}`} refers to string ${String(index)}, but the string table has ${strings.length}`);
  };
  if (strings.length > 0 && strings[0] !== '') fail('its string table does not start with the empty string, as pprof requires');

  const sampleTypes = p.sampleType.map((t, i) => ({ type: str(t.type, 'sample type', i), unit: str(t.unit, 'sample type', i) }));
  const periodType = p.periodType ? { type: str(p.periodType.type, 'the period type'), unit: str(p.periodType.unit, 'the period type') } : undefined;
  const { types } = profileTypeName(sampleTypes, periodType, displayName);
  const valueTypes: ValueType[] = types.map((profileType, i) => ({ profileType, unit: sampleTypes[i]!.unit || 'count' }));
  const builder = new ProfileBuilder('pprof', valueTypes);

  // Mappings → module names.
  const moduleOf = new Map<number, string>();
  for (const m of p.mapping) moduleOf.set(toNumber(m.id), str(m.filename, 'mapping', toNumber(m.id)));

  // Functions by id.
  const functionIndex = new Map<number, number>();
  for (let i = 0; i < p.function.length; i++) functionIndex.set(toNumber(p.function[i]!.id), i);

  // Locations → their frames, leaf first, computed once per location: frames[first[i]] .. frames[first[i + 1]).
  // Samples find them by id through a dense array when ids are small (they are 1..n in practice), else a map.
  const locationCount = p.location.length;
  const locationFrameStart = new Int32Array(locationCount + 1);
  const locationFrameIds: number[] = [];
  let maxId = 0;
  for (let i = 0; i < locationCount; i++) {
    locationFrameStart[i] = locationFrameIds.length;
    const location = p.location[i]!;
    addLocationFrames(location);
    maxId = Math.max(maxId, toNumber(location.id));
  }
  locationFrameStart[locationCount] = locationFrameIds.length;
  const dense = maxId <= 4 * locationCount + 1024;
  const denseIndex = dense ? new Int32Array(maxId + 1).fill(-1) : undefined;
  const sparseIndex = dense ? undefined : new Map<number, number>();
  for (let i = 0; i < locationCount; i++) {
    const id = toNumber(p.location[i]!.id);
    if (denseIndex) denseIndex[id] = i;
    else sparseIndex!.set(id, i);
  }

  function addLocationFrames(location: DecodedLocation): void {
    const mappingId = toNumber(location.mappingId);
    let module = '';
    if (mappingId !== 0) {
      const m = moduleOf.get(mappingId);
      module = m ?? fail(`location ${toNumber(location.id)} refers to mapping ${mappingId}, which the file does not define`);
    }
    const rawAddress = location.address;
    const address = typeof rawAddress === 'number' ? rawAddress : Number(BigInt.asUintN(64, rawAddress));
    const lines = location.line;
    if (lines.length === 0) {
      locationFrameIds.push(builder.frame({ name: addressName(rawAddress), file: '', line: 0, column: 0, module, address }));
      return;
    }
    // line[0] is the innermost (the code that was running), the last line the outermost caller: leaf first.
    for (let k = 0; k < lines.length; k++) {
      const line = lines[k]!;
      const functionId = toNumber(line.functionId);
      let name: string;
      let file = '';
      let startLine = 0;
      if (functionId === 0) {
        name = addressName(rawAddress);
      } else {
        const f = functionIndex.get(functionId);
        const fn = f === undefined ? fail(`location ${toNumber(location.id)} refers to function ${functionId}, which the file does not define`) : p.function[f]!;
        name = str(fn.name, 'function', functionId) || str(fn.systemName, 'function', functionId) || addressName(rawAddress);
        file = str(fn.filename, 'function', functionId);
        startLine = nonNegative(fn.startLine);
      }
      const lineNumber = nonNegative(line.line) || startLine;
      const column = nonNegative(line.column);
      // Numbers identify the frame as well as its strings do, and are far cheaper to key on.
      // The frame's line is where the sample or call was; the function's identity is where it starts.
      locationFrameIds.push(builder.frame({ name, file, line: lineNumber, column, module, address, functionLine: startLine }, `${functionId}:${lineNumber}:${column}:${mappingId}:${address}`));
    }
  }

  const typeCount = sampleTypes.length;
  const values = new Array<number>(typeCount).fill(0);
  const locationIndex = new Int32Array(64);
  const stack: number[] = [];
  const { count, locationStart, locationIds, valueStart, values: sampleValues, labelStart, labels: allLabels } = p.samples;
  for (let s = 0; s < count; s++) {
    const firstValue = valueStart[s]!;
    const valueCount = valueStart[s + 1]! - firstValue;
    if (valueCount !== typeCount) fail(`sample ${s} has ${valueCount} values but the file declares ${typeCount} sample types`);
    const firstLocation = locationStart[s]!;
    const depth = locationStart[s + 1]! - firstLocation;
    // First the locations' indices and the stack's length, then the stack.
    const indices = depth <= locationIndex.length ? locationIndex : new Int32Array(depth);
    let frameCount = 0;
    for (let k = 0; k < depth; k++) {
      const id = locationIds[firstLocation + k]!;
      const index = denseIndex ? (id >= 0 && id <= maxId ? denseIndex[id]! : -1) : (sparseIndex!.get(id) ?? -1);
      if (index < 0) fail(`sample ${s} refers to location ${String(id)}, which the file does not define`);
      indices[k] = index;
      frameCount += locationFrameStart[index + 1]! - locationFrameStart[index]!;
    }
    // One array reused for every sample: the builder copies a stack only when it is new.
    stack.length = frameCount;
    let n = 0;
    for (let k = 0; k < depth; k++) {
      const index = indices[k]!;
      const end = locationFrameStart[index + 1]!;
      for (let f = locationFrameStart[index]!; f < end; f++) stack[n++] = locationFrameIds[f]!;
    }
    for (let t = 0; t < typeCount; t++) values[t] = sampleValues[firstValue + t]!;
    const firstLabel = labelStart[s]!;
    const labelEnd = labelStart[s + 1]!;
    const labels = firstLabel === labelEnd ? undefined : sampleLabels(allLabels.slice(firstLabel, labelEnd), str, s);
    builder.sample(builder.stack(stack), values, undefined, labels);
  }

  const periodUnit = periodType?.unit.toLowerCase() ?? '';
  const period = toSigned(p.period);
  const timeNanos = toSigned(p.timeNanos);
  return builder.build({
    // A file without time_nanos does not say when it was taken: the caller places it (timeAnchor.ts).
    ...(timeNanos !== 0 ? { clock: 'epoch' as const } : {}),
    startMs: timeNanos / 1e6,
    durationNs: toSigned(p.durationNanos),
    periodNs: period * (TIME_UNITS_NS[periodUnit] ?? 1),
  });
}

/** The name of a frame without a function: its address in hex, exact for any uint64. */
function addressName(address: number | bigint): string {
  return `0x${(typeof address === 'number' ? address : BigInt.asUintN(64, address)).toString(16)}`;
}

function sampleLabels(labels: readonly DecodedLabel[], str: (i: number | bigint, what: string, id: number) => string, sampleIndex: number): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  const what = 'a label of sample';
  for (const label of labels) {
    const key = str(label.key, what, sampleIndex);
    let value: string;
    if (!isZero(label.str)) value = str(label.str, what, sampleIndex);
    else if (!isZero(label.num) || !isZero(label.numUnit)) {
      const unit = str(label.numUnit, what, sampleIndex);
      const num = typeof label.num === 'number' ? String(label.num) : BigInt.asIntN(64, label.num).toString();
      value = unit === '' ? num : `${num} ${unit}`;
    } else continue; // pprof drops a label with neither a string nor a number
    const k = labelKey(key);
    out ??= {};
    out[k] = out[k] === undefined ? value : `${out[k]},${value}`;
  }
  // Pyroscope's span profiles before 2023 (pyroscope-io/otel-profiling-go, Pyroscope 0.x) labelled samples with the span
  // id as `profile_id`, a key every import sets for itself (the file's content hash), which would hide it: it is the
  // span id, so it becomes `span_id`, the key the probe and today's Pyroscope use.
  if (out?.['profile_id'] !== undefined && out[SPAN_LABEL_KEYS.spanId] === undefined) {
    out[SPAN_LABEL_KEYS.spanId] = out['profile_id'];
    delete out['profile_id'];
  }
  return out;
}

function isZero(v: number | bigint): boolean {
  return v === 0 || v === 0n;
}

/** An id or count: uint64 in the file, a number here (ids far beyond 2^53 are not seen in practice). */
function toNumber(v: number | bigint): number {
  return typeof v === 'number' ? v : Number(BigInt.asUintN(64, v));
}

/** An int64 field: pprof-format returns negative ones as their unsigned two's complement. */
function toSigned(v: number | bigint): number {
  return typeof v === 'number' ? v : Number(BigInt.asIntN(64, v));
}

function nonNegative(v: number | bigint): number {
  const n = toSigned(v);
  return n > 0 ? n : 0;
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function gunzip(bytes: Uint8Array, displayName: string): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new ProfileImportError(displayName, 'pprof', `it is gzip-compressed but could not be decompressed (${error instanceof Error ? error.message : String(error)})`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Legacy detection

/**
 * The legacy CPU profile header: five words 0, 3, 0, period (> 0), 0, in 32- or 64-bit words of either byte
 * order (google/pprof's parseCPUHeader).
 */
function isLegacyBinaryCpu(bytes: Uint8Array): boolean {
  if (bytes.length < 20) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const wordSize of [8, 4]) {
    if (bytes.length < wordSize * 5) continue;
    for (const little of [true, false]) {
      const word = (i: number): bigint => (wordSize === 8 ? view.getBigUint64(i * 8, little) : BigInt(view.getUint32(i * 4, little)));
      if (word(0) === 0n && word(1) === 3n && word(2) === 0n && word(3) !== 0n && word(4) === 0n) return true;
    }
  }
  return false;
}

/** The first bytes as text when they are printable ASCII (with whitespace), else undefined. */
function asciiHead(bytes: Uint8Array, max: number): string | undefined {
  const n = Math.min(bytes.length, max);
  let text = '';
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127)) text += String.fromCharCode(b);
    else if (b >= 128) text += '?';
    else return undefined;
  }
  return text;
}

// ---------------------------------------------------------------------------------------------------------
// Protobuf structure check

const VARINT = 1 << 0;
const LEN = 1 << 2;

/** Message kinds of pprof's schema, by index. */
const Kind = { Profile: 0, ValueType: 1, Sample: 2, Label: 3, Mapping: 4, Location: 5, Line: 6, Function: 7 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

/** Per message kind, per field number: the wire types allowed (bit mask). */
const FIELD_WIRES: readonly (readonly (number | undefined)[])[] = [
  // Profile: 1 sample_type, 2 sample, 3 mapping, 4 location, 5 function, 6 string_table, 7 drop_frames,
  // 8 keep_frames, 9 time_nanos, 10 duration_nanos, 11 period_type, 12 period, 13 comment, 14 default_sample_type, 15 doc_url
  [undefined, LEN, LEN, LEN, LEN, LEN, LEN, VARINT, VARINT, VARINT, VARINT, LEN, VARINT, VARINT | LEN, VARINT, VARINT],
  [undefined, VARINT, VARINT], // ValueType: type, unit
  [undefined, VARINT | LEN, VARINT | LEN, LEN], // Sample: location_id, value (packed or not), label
  [undefined, VARINT, VARINT, VARINT, VARINT], // Label: key, str, num, num_unit
  [undefined, VARINT, VARINT, VARINT, VARINT, VARINT, VARINT, VARINT, VARINT, VARINT, VARINT], // Mapping
  [undefined, VARINT, VARINT, VARINT, LEN, VARINT], // Location: id, mapping_id, address, line, is_folded
  [undefined, VARINT, VARINT, VARINT], // Line: function_id, line, column
  [undefined, VARINT, VARINT, VARINT, VARINT, VARINT], // Function: id, name, system_name, filename, start_line
];
const PROFILE_FIELDS = FIELD_WIRES[Kind.Profile]!;

/** For LEN fields: the message kind inside, or -1 for packed varints, -2 for bytes (strings). */
const SUBMESSAGE: readonly (readonly number[])[] = [
  [0, Kind.ValueType, Kind.Sample, Kind.Mapping, Kind.Location, Kind.Function, -2, 0, 0, 0, 0, Kind.ValueType, 0, -1, 0, 0],
  [],
  [0, -1, -1, Kind.Label],
  [],
  [],
  [0, 0, 0, 0, Kind.Line, 0],
  [],
  [],
];
const KIND_NAMES = ['Profile', 'ValueType', 'Sample', 'Label', 'Mapping', 'Location', 'Line', 'Function'];

class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  /** A one-byte tag (pprof's fields are all below 16), or -1 when the byte is a longer tag or zero. */
  tag(): number {
    const b = this.bytes[this.pos++]!;
    return b >= 0x80 || b < 8 ? -1 : b;
  }

  /** Skips a varint of at most 10 bytes within `end`; returns its value for small ones (< 2^49), else -1. */
  varint(end: number): number {
    const bytes = this.bytes;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) return -2;
      const b = bytes[this.pos++]!;
      value += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) return i < 7 ? value : -1;
    }
    return -3;
  }

  skip(wire: number): boolean {
    if (wire === 0) return this.varint(this.bytes.length) >= -1;
    if (wire !== 2) return false;
    const length = this.varint(this.bytes.length);
    if (length < 0 || this.pos + length > this.bytes.length) return false;
    this.pos += length;
    return true;
  }
}

/** Checks the bytes against pprof's schema; returns what is wrong, as a phrase for the user, or undefined. */
export function checkProtobuf(bytes: Uint8Array): string | undefined {
  const reader = new Reader(bytes);
  return checkMessage(reader, Kind.Profile, bytes.length, true);
}

/**
 * What parsePprof checks before pprof-format decodes, at a tenth of checkProtobuf's cost: the top-level fields
 * (tags, wire types, lengths within the file: truncation), and no run of more than 9 bytes with the continuation
 * bit anywhere, which is the one thing that costs pprof-format more than linear time. Such a run can also be
 * text inside a string (UTF-8 beyond ASCII), so when one is seen the full check decides. Inside the messages,
 * pprof-format stays within each field's bounds whatever the bytes; references between messages are checked
 * during the conversion.
 */
export function quickCheckProtobuf(bytes: Uint8Array): string | undefined {
  const problem = checkMessage(new Reader(bytes), Kind.Profile, bytes.length, false);
  if (problem !== undefined) return problem;
  let run = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! < 0x80) run = 0;
    else if (++run > 9) return checkProtobuf(bytes);
  }
  return undefined;
}

function checkMessage(reader: Reader, kind: number, end: number, deep: boolean): string | undefined {
  const wires = FIELD_WIRES[kind]!;
  const subs = SUBMESSAGE[kind]!;
  const where = (at: number): string => (kind === Kind.Profile ? `at byte ${at}` : `in a ${KIND_NAMES[kind]} at byte ${at}`);
  const damaged = 'its protobuf data is damaged';
  while (reader.pos < end) {
    const at = reader.pos;
    const tag = reader.tag();
    if (tag < 0) {
      return kind === Kind.Profile && at === 0
        ? 'it is not protobuf data (and not a legacy pprof format Icicle recognises)'
        : `${damaged}: a field number that pprof does not define ${where(at)}`;
    }
    const field = tag >>> 3;
    const wire = tag & 7;
    const allowed = wires[field];
    if (wire !== 0 && wire !== 2) {
      return kind === Kind.Profile && at === 0
        ? 'it is not protobuf data (and not a legacy pprof format Icicle recognises)'
        : `${damaged}: a field of wire type ${wire}, which pprof does not use, ${where(at)}`;
    }
    if (allowed !== undefined && (allowed & (1 << wire)) === 0) return `${damaged}: field ${field} of ${KIND_NAMES[kind]} has the wrong wire type ${where(at)}`;
    if (wire === 0) {
      const v = reader.varint(end);
      if (v === -2) return `${damaged}: it ends in the middle of a number ${where(at)} (is the file truncated?)`;
      if (v === -3) return `${damaged}: a number longer than 10 bytes ${where(at)}`;
      continue;
    }
    const length = reader.varint(end);
    if (length === -2) return `${damaged}: it ends in the middle of a length ${where(at)} (is the file truncated?)`;
    if (length < 0) return `${damaged}: an impossible length ${where(at)}`;
    const fieldEnd = reader.pos + length;
    if (fieldEnd > end) return `${damaged}: a field ${where(at)} runs past the end of ${kind === Kind.Profile ? 'the file (is the file truncated?)' : 'its message'}`;
    const sub = allowed === undefined || !deep ? -2 : subs[field]!;
    if (sub === -1) {
      // Packed varints: every one complete and at most 10 bytes long.
      while (reader.pos < fieldEnd) {
        const v = reader.varint(fieldEnd);
        if (v === -2) return `${damaged}: a list of numbers ${where(at)} ends in the middle of a number`;
        if (v === -3) return `${damaged}: a number longer than 10 bytes ${where(at)}`;
      }
    } else if (sub > 0) {
      const problem = checkMessage(reader, sub, fieldEnd, deep);
      if (problem !== undefined) return problem;
    }
    reader.pos = fieldEnd;
  }
  return undefined;
}

/** pprof in the format registry (agent/import/formatReaders.ts): recognised by its bytes; legacy text and binary formats refused. */
export const pprofReader: FormatReader = {
  refuse: describeLegacyPprof,
  sniff: { bytes: file => isPprof(file.bytes) },
  parse: (file, displayName) => parsePprof(file.bytes, displayName),
};
