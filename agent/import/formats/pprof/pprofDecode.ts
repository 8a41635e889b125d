import { ProtobufReader as Reader } from '../protobufReader';

/**
 * A decoder for pprof's protobuf (profile.proto) that builds only what the importer reads, in the shape of
 * pprof-format's `Profile` so that one conversion serves both. Why our own: pprof-format's generic decoder builds an
 * object per field and a BigInt-capable number per varint, which made decoding (150 ms for corpus/pprof/large.cpu)
 * the largest part of an import; this one reads each varint as a plain number and decodes strings straight from the
 * buffer (about a third of the time). Its output is checked against pprof-format's on every corpus file
 * (pprofDecode.test.ts) and against `go tool pprof` through the importer's tests.
 *
 * Integers are numbers: int64 fields are read as two's-complement (negative values of delta profiles come out
 * negative) and are exact below 2^53; uint64 addresses above 2^53 come back as bigint, as pprof-format's do.
 */
export interface DecodedValueType {
  type: number;
  unit: number;
}
export interface DecodedLabel {
  key: number;
  str: number;
  num: number;
  numUnit: number;
}
/**
 * Every sample, column-wise: sample i's location ids are `locationIds[locationStart[i] .. locationStart[i + 1])`, and
 * likewise its values and labels. A big profile has tens of thousands of samples; three arrays and an object each
 * made garbage collection the largest cost of an import.
 */
export interface DecodedSamples {
  count: number;
  locationStart: number[];
  locationIds: number[];
  valueStart: number[];
  values: number[];
  labelStart: number[];
  labels: DecodedLabel[];
}
export interface DecodedMapping {
  id: number;
  filename: number;
}
export interface DecodedLine {
  functionId: number;
  line: number;
  column: number;
}
export interface DecodedLocation {
  id: number;
  mappingId: number;
  address: number | bigint;
  line: DecodedLine[];
}
export interface DecodedFunction {
  id: number;
  name: number;
  systemName: number;
  filename: number;
  startLine: number;
}
export interface DecodedProfile {
  sampleType: DecodedValueType[];
  samples: DecodedSamples;
  mapping: DecodedMapping[];
  location: DecodedLocation[];
  function: DecodedFunction[];
  stringTable: { strings: string[] };
  timeNanos: number;
  durationNanos: number;
  periodType: DecodedValueType | undefined;
  period: number;
}

export function decodePprof(bytes: Uint8Array): DecodedProfile {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = new Reader(bytes, 0, bytes.length);
  const profile: DecodedProfile = {
    sampleType: [],
    samples: { count: 0, locationStart: [0], locationIds: [], valueStart: [0], values: [], labelStart: [0], labels: [] },
    mapping: [],
    location: [],
    function: [],
    stringTable: { strings: [] },
    timeNanos: 0,
    durationNanos: 0,
    periodType: undefined,
    period: 0,
  };
  while (r.pos < r.end) {
    const tag = r.int64();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    switch (wireType === 2 ? field : -field) {
      case 1:
        profile.sampleType.push(valueType(r, r.delimited()));
        break;
      case 2:
        sample(r, r.delimited(), profile.samples);
        break;
      case 3:
        profile.mapping.push(mapping(r, r.delimited()));
        break;
      case 4:
        profile.location.push(location(r, r.delimited()));
        break;
      case 5:
        profile.function.push(fn(r, r.delimited()));
        break;
      case 6: {
        const end = r.delimited();
        profile.stringTable.strings.push(text.toString('utf8', r.pos, end));
        r.pos = end;
        break;
      }
      case 11:
        profile.periodType = valueType(r, r.delimited());
        break;
      case -9:
        profile.timeNanos = r.int64();
        break;
      case -10:
        profile.durationNanos = r.int64();
        break;
      case -12:
        profile.period = r.int64();
        break;
      default:
        r.skip(wireType);
    }
  }
  return profile;
}

// Each embedded message is read by a plain loop rather than a callback per field: a big profile has hundreds of
// thousands of messages, and a closure per message was a visible share of the decoding time and garbage.

function valueType(r: Reader, end: number): DecodedValueType {
  const out: DecodedValueType = { type: 0, unit: 0 };
  const outer = r.enter(end);
  while (r.pos < end) {
    const tag = r.int64();
    const n = Math.floor(tag / 8);
    const w = tag & 7;
    if (n === 1 && w === 0) out.type = r.int64();
    else if (n === 2 && w === 0) out.unit = r.int64();
    else r.skip(w);
  }
  r.end = outer;
  return out;
}

/** Appends one sample to the columns. Its fields may come in any order, so the columns are appended to in place. */
function sample(r: Reader, end: number, out: DecodedSamples): void {
  const outer = r.enter(end);
  while (r.pos < end) {
    const tag = r.int64();
    const n = Math.floor(tag / 8);
    const w = tag & 7;
    if (n === 1) r.integers(w, out.locationIds);
    else if (n === 2) r.integers(w, out.values);
    else if (n === 3 && w === 2) out.labels.push(label(r, r.delimited()));
    else r.skip(w);
  }
  r.end = outer;
  out.count++;
  out.locationStart.push(out.locationIds.length);
  out.valueStart.push(out.values.length);
  out.labelStart.push(out.labels.length);
}

function label(r: Reader, end: number): DecodedLabel {
  const out: DecodedLabel = { key: 0, str: 0, num: 0, numUnit: 0 };
  const outer = r.enter(end);
  while (r.pos < end) {
    const tag = r.int64();
    const n = Math.floor(tag / 8);
    const w = tag & 7;
    if (w !== 0) r.skip(w);
    else if (n === 1) out.key = r.int64();
    else if (n === 2) out.str = r.int64();
    else if (n === 3) out.num = r.int64();
    else if (n === 4) out.numUnit = r.int64();
    else r.skip(w);
  }
  r.end = outer;
  return out;
}

function mapping(r: Reader, end: number): DecodedMapping {
  const out: DecodedMapping = { id: 0, filename: 0 };
  const outer = r.enter(end);
  while (r.pos < end) {
    const tag = r.int64();
    const n = Math.floor(tag / 8);
    const w = tag & 7;
    if (n === 1 && w === 0) out.id = r.int64();
    else if (n === 5 && w === 0) out.filename = r.int64();
    else r.skip(w);
  }
  r.end = outer;
  return out;
}

function location(r: Reader, end: number): DecodedLocation {
  const out: DecodedLocation = { id: 0, mappingId: 0, address: 0, line: [] };
  const outer = r.enter(end);
  while (r.pos < end) {
    const tag = r.int64();
    const n = Math.floor(tag / 8);
    const w = tag & 7;
    if (n === 1 && w === 0) out.id = r.int64();
    else if (n === 2 && w === 0) out.mappingId = r.int64();
    else if (n === 3 && w === 0) out.address = r.uint64();
    else if (n === 4 && w === 2) out.line.push(line(r, r.delimited()));
    else r.skip(w);
  }
  r.end = outer;
  return out;
}

function line(r: Reader, end: number): DecodedLine {
  const out: DecodedLine = { functionId: 0, line: 0, column: 0 };
  const outer = r.enter(end);
  while (r.pos < end) {
    const tag = r.int64();
    const n = Math.floor(tag / 8);
    const w = tag & 7;
    if (w !== 0) r.skip(w);
    else if (n === 1) out.functionId = r.int64();
    else if (n === 2) out.line = r.int64();
    else if (n === 3) out.column = r.int64();
    else r.skip(w);
  }
  r.end = outer;
  return out;
}

function fn(r: Reader, end: number): DecodedFunction {
  const out: DecodedFunction = { id: 0, name: 0, systemName: 0, filename: 0, startLine: 0 };
  const outer = r.enter(end);
  while (r.pos < end) {
    const tag = r.int64();
    const n = Math.floor(tag / 8);
    const w = tag & 7;
    if (w !== 0) r.skip(w);
    else if (n === 1) out.id = r.int64();
    else if (n === 2) out.name = r.int64();
    else if (n === 3) out.systemName = r.int64();
    else if (n === 4) out.filename = r.int64();
    else if (n === 5) out.startLine = r.int64();
    else r.skip(w);
  }
  r.end = outer;
  return out;
}
