import { ProtobufReader } from '../protobufReader';

/**
 * OpenTelemetry profiles (otlpVersion.ts) decoded from protobuf into plain objects: the shared dictionary's tables as
 * the file has them (indices are checked where they are used, otlp.ts) and every Profile with the resource and scope
 * it came in. `ProfilesData` and the collector's `ExportProfilesServiceRequest` have the same fields, so both read.
 *
 * A known field of the wrong wire type is an error, not skipped: a file of an earlier version of the development proto
 * (whose field numbers meant other things) is then refused instead of read as garbage. Unknown fields are skipped, as
 * protobuf wants. Errors are thrown as an Error whose message is a phrase (otlp.ts makes the sentence).
 */
export type OtlpAnyValue = string | { strindex: number } | boolean | number | Uint8Array | OtlpAnyValue[] | { kvlist: [string | number, OtlpAnyValue][] } | undefined;

export interface OtlpKeyValueAndUnit {
  key: number;
  value: OtlpAnyValue;
  unit: number;
}
export interface OtlpMapping {
  filename: number;
}
export interface OtlpLine {
  functionIndex: number;
  line: number;
  column: number;
}
export interface OtlpLocation {
  mappingIndex: number;
  address: number | bigint;
  lines: OtlpLine[];
}
export interface OtlpFunction {
  name: number;
  systemName: number;
  filename: number;
  startLine: number;
}
export interface OtlpLink {
  traceId: Uint8Array;
  spanId: Uint8Array;
}
export interface OtlpDictionary {
  mappings: OtlpMapping[];
  locations: OtlpLocation[];
  functions: OtlpFunction[];
  links: OtlpLink[];
  strings: string[];
  attributes: OtlpKeyValueAndUnit[];
  stacks: number[][];
}
export interface OtlpValueType {
  type: number;
  unit: number;
}
export interface OtlpSample {
  stackIndex: number;
  attributeIndices: number[];
  linkIndex: number;
  values: number[];
  timestamps: number[];
}
export interface OtlpProfile {
  sampleType: OtlpValueType | undefined;
  samples: OtlpSample[];
  timeUnixNano: number;
  durationNano: number;
  periodType: OtlpValueType | undefined;
  period: number;
  attributeIndices: number[];
  /** The resource's and the scope's attributes (OTLP's common KeyValue: a key string or a key_strindex). */
  resourceAttributes: [string | number, OtlpAnyValue][];
}
export interface OtlpData {
  dictionary: OtlpDictionary;
  profiles: OtlpProfile[];
}

/** AnyValue's nesting (arrays of arrays...) is bounded, so a hostile file cannot exhaust the stack. */
const MAX_VALUE_DEPTH = 16;

export function emptyDictionary(): OtlpDictionary {
  return { mappings: [], locations: [], functions: [], links: [], strings: [], attributes: [], stacks: [] };
}

export function decodeOtlp(bytes: Uint8Array): OtlpData {
  const r = new ProtobufReader(bytes, 0, bytes.length);
  const data: OtlpData = { dictionary: emptyDictionary(), profiles: [] };
  let dictionaries = 0;
  while (r.pos < r.end) {
    const { field, wire } = tag(r);
    if (field === 1) message(r, wire, 'ResourceProfiles', end => resourceProfiles(r, end, data.profiles));
    else if (field === 2) {
      // Protobuf merges a repeated embedded message; two dictionaries are not something a writer does.
      if (++dictionaries > 1) throw new Error('it has two dictionaries');
      message(r, wire, 'ProfilesDictionary', end => dictionary(r, end, data.dictionary));
    } else r.skip(wire);
  }
  return data;
}

function tag(r: ProtobufReader): { field: number; wire: number } {
  const value = r.int64();
  const field = Math.floor(value / 8);
  if (field < 1 || field > 536_870_911) throw new Error(`a field number ${field} that protobuf does not allow at byte ${r.pos}`);
  return { field, wire: value & 7 };
}

/** Reads an embedded message of the given name, checking its wire type. */
function message(r: ProtobufReader, wire: number, name: string, read: (end: number) => void): void {
  if (wire !== 2) throw new Error(`a ${name} with wire type ${wire} instead of a length-delimited message at byte ${r.pos}`);
  const end = r.delimited();
  const outer = r.enter(end);
  read(end);
  r.pos = end;
  r.end = outer;
}

function varint(r: ProtobufReader, wire: number, what: string): number {
  if (wire !== 0) throw new Error(`${what} with wire type ${wire} instead of a number at byte ${r.pos}`);
  return r.int64();
}

/** An int32 index into a dictionary table (negative ones are refused where they are used). */
function index(r: ProtobufReader, wire: number, what: string): number {
  return varint(r, wire, what);
}

function text(r: ProtobufReader, wire: number, what: string): string {
  if (wire !== 2) throw new Error(`${what} with wire type ${wire} instead of a string at byte ${r.pos}`);
  return Buffer.from(r.delimitedBytes()).toString('utf8');
}

function bytesField(r: ProtobufReader, wire: number, what: string): Uint8Array {
  if (wire !== 2) throw new Error(`${what} with wire type ${wire} instead of bytes at byte ${r.pos}`);
  return r.delimitedBytes();
}

function integers(r: ProtobufReader, wire: number, what: string, out: number[]): void {
  if (wire !== 0 && wire !== 2) throw new Error(`${what} with wire type ${wire} instead of numbers at byte ${r.pos}`);
  r.integers(wire, out);
}

function fixed64s(r: ProtobufReader, wire: number, what: string, out: number[]): void {
  if (wire === 1) {
    out.push(r.fixed64());
    return;
  }
  if (wire !== 2) throw new Error(`${what} with wire type ${wire} instead of fixed 64-bit numbers at byte ${r.pos}`);
  const end = r.delimited();
  if ((end - r.pos) % 8 !== 0) throw new Error(`${what} at byte ${r.pos} is not a whole number of 64-bit values`);
  const outer = r.enter(end);
  while (r.pos < end) out.push(r.fixed64());
  r.end = outer;
}

function dictionary(r: ProtobufReader, end: number, out: OtlpDictionary): void {
  while (r.pos < end) {
    const { field, wire } = tag(r);
    switch (field) {
      case 1:
        message(r, wire, 'Mapping', e => out.mappings.push(mapping(r, e)));
        break;
      case 2:
        message(r, wire, 'Location', e => out.locations.push(location(r, e)));
        break;
      case 3:
        message(r, wire, 'Function', e => out.functions.push(fn(r, e)));
        break;
      case 4:
        message(r, wire, 'Link', e => out.links.push(link(r, e)));
        break;
      case 5:
        out.strings.push(text(r, wire, 'a string of the string table'));
        break;
      case 6:
        message(r, wire, 'KeyValueAndUnit', e => out.attributes.push(keyValueAndUnit(r, e)));
        break;
      case 7:
        message(r, wire, 'Stack', e => {
          const locations: number[] = [];
          while (r.pos < e) {
            const t = tag(r);
            if (t.field === 1) integers(r, t.wire, 'a stack\'s location indices', locations);
            else r.skip(t.wire);
          }
          out.stacks.push(locations);
        });
        break;
      default:
        r.skip(wire);
    }
  }
}

function mapping(r: ProtobufReader, end: number): OtlpMapping {
  const out: OtlpMapping = { filename: 0 };
  while (r.pos < end) {
    const { field, wire } = tag(r);
    if (field === 4) out.filename = index(r, wire, "a mapping's file name");
    else if (field <= 3) varint(r, wire, "a mapping's address range");
    else r.skip(wire);
  }
  return out;
}

function location(r: ProtobufReader, end: number): OtlpLocation {
  const out: OtlpLocation = { mappingIndex: 0, address: 0, lines: [] };
  while (r.pos < end) {
    const { field, wire } = tag(r);
    if (field === 1) out.mappingIndex = index(r, wire, "a location's mapping");
    else if (field === 2) {
      if (wire !== 0) throw new Error(`a location's address with wire type ${wire} at byte ${r.pos}`);
      out.address = r.uint64();
    } else if (field === 3) message(r, wire, 'Line', e => out.lines.push(line(r, e)));
    else r.skip(wire);
  }
  return out;
}

function line(r: ProtobufReader, end: number): OtlpLine {
  const out: OtlpLine = { functionIndex: 0, line: 0, column: 0 };
  while (r.pos < end) {
    const { field, wire } = tag(r);
    if (field === 1) out.functionIndex = index(r, wire, "a line's function");
    else if (field === 2) out.line = varint(r, wire, "a line's number");
    else if (field === 3) out.column = varint(r, wire, "a line's column");
    else r.skip(wire);
  }
  return out;
}

function fn(r: ProtobufReader, end: number): OtlpFunction {
  const out: OtlpFunction = { name: 0, systemName: 0, filename: 0, startLine: 0 };
  while (r.pos < end) {
    const { field, wire } = tag(r);
    if (field === 1) out.name = index(r, wire, "a function's name");
    else if (field === 2) out.systemName = index(r, wire, "a function's system name");
    else if (field === 3) out.filename = index(r, wire, "a function's file name");
    else if (field === 4) out.startLine = varint(r, wire, "a function's start line");
    else r.skip(wire);
  }
  return out;
}

function link(r: ProtobufReader, end: number): OtlpLink {
  const out: OtlpLink = { traceId: new Uint8Array(0), spanId: new Uint8Array(0) };
  while (r.pos < end) {
    const { field, wire } = tag(r);
    if (field === 1) out.traceId = bytesField(r, wire, "a link's trace id");
    else if (field === 2) out.spanId = bytesField(r, wire, "a link's span id");
    else r.skip(wire);
  }
  return out;
}

function keyValueAndUnit(r: ProtobufReader, end: number): OtlpKeyValueAndUnit {
  const out: OtlpKeyValueAndUnit = { key: 0, value: undefined, unit: 0 };
  while (r.pos < end) {
    const { field, wire } = tag(r);
    if (field === 1) out.key = index(r, wire, "an attribute's key");
    else if (field === 2) message(r, wire, 'AnyValue', e => (out.value = anyValue(r, e, 0)));
    else if (field === 3) out.unit = index(r, wire, "an attribute's unit");
    else r.skip(wire);
  }
  return out;
}

/** OTLP's common KeyValue (resource and scope attributes): a key string, or an index into the string table. */
function keyValue(r: ProtobufReader, end: number, depth: number): [string | number, OtlpAnyValue] {
  let key: string | number = '';
  let value: OtlpAnyValue;
  while (r.pos < end) {
    const { field, wire } = tag(r);
    if (field === 1) key = text(r, wire, "an attribute's key");
    else if (field === 2) message(r, wire, 'AnyValue', e => (value = anyValue(r, e, depth + 1)));
    else if (field === 3) key = index(r, wire, "an attribute's key");
    else r.skip(wire);
  }
  return [key, value];
}

function anyValue(r: ProtobufReader, end: number, depth: number): OtlpAnyValue {
  if (depth > MAX_VALUE_DEPTH) throw new Error(`an attribute's value nests more than ${MAX_VALUE_DEPTH} deep`);
  let out: OtlpAnyValue;
  while (r.pos < end) {
    const { field, wire } = tag(r);
    switch (field) {
      case 1:
        out = text(r, wire, 'a string value');
        break;
      case 2:
        out = varint(r, wire, 'a boolean value') !== 0;
        break;
      case 3:
        out = varint(r, wire, 'an integer value');
        break;
      case 4: {
        if (wire !== 1) throw new Error(`a double value with wire type ${wire} at byte ${r.pos}`);
        if (r.pos + 8 > end) throw new Error('a double value runs past the end of its message');
        out = new DataView(r.bytes.buffer, r.bytes.byteOffset + r.pos, 8).getFloat64(0, true);
        r.pos += 8;
        break;
      }
      case 5: {
        const values: OtlpAnyValue[] = [];
        message(r, wire, 'ArrayValue', e => {
          while (r.pos < e) {
            const t = tag(r);
            if (t.field === 1) message(r, t.wire, 'AnyValue', e2 => values.push(anyValue(r, e2, depth + 1)));
            else r.skip(t.wire);
          }
        });
        out = values;
        break;
      }
      case 6: {
        const kvlist: [string | number, OtlpAnyValue][] = [];
        message(r, wire, 'KeyValueList', e => {
          while (r.pos < e) {
            const t = tag(r);
            if (t.field === 1) message(r, t.wire, 'KeyValue', e2 => kvlist.push(keyValue(r, e2, depth + 1)));
            else r.skip(t.wire);
          }
        });
        out = { kvlist };
        break;
      }
      case 7:
        out = bytesField(r, wire, 'a bytes value');
        break;
      case 8:
        out = { strindex: index(r, wire, 'a string value') };
        break;
      default:
        r.skip(wire);
    }
  }
  return out;
}

function resourceProfiles(r: ProtobufReader, end: number, out: OtlpProfile[]): void {
  const attributes: [string | number, OtlpAnyValue][] = [];
  const scopes: { attributes: [string | number, OtlpAnyValue][]; profiles: OtlpProfile[] }[] = [];
  while (r.pos < end) {
    const { field, wire } = tag(r);
    if (field === 1) message(r, wire, 'Resource', e => attributeList(r, e, attributes));
    else if (field === 2) {
      const scope = { attributes: [] as [string | number, OtlpAnyValue][], profiles: [] as OtlpProfile[] };
      scopes.push(scope);
      message(r, wire, 'ScopeProfiles', e => {
        while (r.pos < e) {
          const t = tag(r);
          if (t.field === 1) message(r, t.wire, 'InstrumentationScope', e2 => scopeAttributes(r, e2, scope.attributes));
          else if (t.field === 2) message(r, t.wire, 'Profile', e2 => scope.profiles.push(profile(r, e2)));
          else r.skip(t.wire);
        }
      });
    } else r.skip(wire);
  }
  // The resource's attributes may come after its scopes in the bytes: each profile gets them once all are read.
  for (const scope of scopes) for (const p of scope.profiles) out.push({ ...p, resourceAttributes: [...attributes, ...scope.attributes] });
}

/** A Resource's attributes (field 1, KeyValue). */
function attributeList(r: ProtobufReader, end: number, out: [string | number, OtlpAnyValue][]): void {
  while (r.pos < end) {
    const { field, wire } = tag(r);
    if (field === 1) message(r, wire, 'KeyValue', e => out.push(keyValue(r, e, 0)));
    else r.skip(wire);
  }
}

/** An InstrumentationScope: its name and version, as `otel.scope.name` and `otel.scope.version`, and its attributes. */
function scopeAttributes(r: ProtobufReader, end: number, out: [string | number, OtlpAnyValue][]): void {
  while (r.pos < end) {
    const { field, wire } = tag(r);
    if (field === 1) out.push(['otel.scope.name', text(r, wire, "the scope's name")]);
    else if (field === 2) out.push(['otel.scope.version', text(r, wire, "the scope's version")]);
    else if (field === 3) message(r, wire, 'KeyValue', e => out.push(keyValue(r, e, 0)));
    else r.skip(wire);
  }
}

function valueType(r: ProtobufReader, end: number): OtlpValueType {
  const out: OtlpValueType = { type: 0, unit: 0 };
  while (r.pos < end) {
    const { field, wire } = tag(r);
    if (field === 1) out.type = index(r, wire, "a value type's name");
    else if (field === 2) out.unit = index(r, wire, "a value type's unit");
    else r.skip(wire);
  }
  return out;
}

function profile(r: ProtobufReader, end: number): OtlpProfile {
  const out: OtlpProfile = { sampleType: undefined, samples: [], timeUnixNano: 0, durationNano: 0, periodType: undefined, period: 0, attributeIndices: [], resourceAttributes: [] };
  while (r.pos < end) {
    const { field, wire } = tag(r);
    switch (field) {
      case 1:
        message(r, wire, 'ValueType', e => (out.sampleType = valueType(r, e)));
        break;
      case 2:
        message(r, wire, 'Sample', e => out.samples.push(sample(r, e)));
        break;
      case 3: {
        const times: number[] = [];
        fixed64s(r, wire, "the profile's time", times);
        out.timeUnixNano = times[times.length - 1] ?? 0;
        break;
      }
      case 4:
        out.durationNano = varint(r, wire, "the profile's duration");
        break;
      case 5:
        message(r, wire, 'ValueType', e => (out.periodType = valueType(r, e)));
        break;
      case 6:
        out.period = varint(r, wire, "the profile's period");
        break;
      case 11:
        integers(r, wire, "the profile's attribute indices", out.attributeIndices);
        break;
      default:
        r.skip(wire);
    }
  }
  return out;
}

function sample(r: ProtobufReader, end: number): OtlpSample {
  const out: OtlpSample = { stackIndex: 0, attributeIndices: [], linkIndex: 0, values: [], timestamps: [] };
  while (r.pos < end) {
    const { field, wire } = tag(r);
    if (field === 1) out.stackIndex = index(r, wire, "a sample's stack");
    else if (field === 2) integers(r, wire, "a sample's attribute indices", out.attributeIndices);
    else if (field === 3) out.linkIndex = index(r, wire, "a sample's link");
    else if (field === 4) integers(r, wire, "a sample's values", out.values);
    else if (field === 5) fixed64s(r, wire, "a sample's timestamps", out.timestamps);
    else r.skip(wire);
  }
  return out;
}
