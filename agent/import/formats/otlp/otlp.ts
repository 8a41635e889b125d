import { SPAN_LABEL_KEYS } from '../../../../common/protocol/probeProtocol';
import { ProfileBuilder, ProfileImportError, labelKey, type ImportedProfile } from '../../importedProfile';
import { profileTypeName } from '../pprof/pprof';
import type { FormatReader } from '../formatReader';
import { decodeOtlp, type OtlpAnyValue, type OtlpData, type OtlpKeyValueAndUnit } from './otlpDecode';
import { otlpJsonToData, looksLikeOtlpJson } from './otlpJson';
import { OTLP_PROFILES_VERSION } from './otlpVersion';

/**
 * OpenTelemetry profiles (OTLP, the development proto pinned in otlpVersion.ts), binary protobuf or OTLP/JSON, in
 * the common imported form: one ImportedProfile per Profile of the file, its one sample type named as pprof's are
 * (pprof.ts `profileTypeName`).
 *
 * Choices, documented once here:
 * - Frames as pprof's: a location's lines innermost first, one frame each; a location without lines is named by its
 *   address; frame.module is its mapping's file name. Stacks are leaf first in OTLP as in the store.
 * - A sample's link becomes the labels `trace_id` and `span_id` (SPAN_LABEL_KEYS), lowercase hex as OpenTelemetry
 *   prints ids and as the Node.js probe labels samples, so one `--where trace_id=…` finds a request in either. An
 *   all-zero id is no id.
 * - A sample's attributes become per-sample labels (keys made to fit by labelKey: `thread.name` → `thread_name`), a
 *   value with a unit followed by it (`128 bytes`); the profile's, its resource's and its scope's attributes become the
 *   profile's labels (`service.name` → `service_name`, the scope's name `otel_scope_name`). A key starting with `__`
 *   (the store's own) loses one underscore. Arrays, key-value lists and bytes are written as JSON and hex.
 * - Values: a sample with timestamps is one sample per timestamp at that time (its value the matching one, or 1 when
 *   the sample has no values); without timestamps, one sample of the sum of its values, at the profile's time. Values
 *   beyond 2^53 are refused (they cannot be stored exactly).
 * - The profile starts at time_unix_nano (the epoch's clock) and lasts duration_nano; its period is in nanoseconds
 *   when the period type's unit is a time unit. Dictionary entries no sample uses are not read (locations' and
 *   mappings' attributes, build ids, memory ranges: the store keeps none of them).
 */
export function parseOtlp(bytes: Uint8Array, displayName: string): ImportedProfile[] {
  let data: OtlpData;
  try {
    data = decodeOtlp(bytes);
  } catch (error) {
    const truncated = /runs past the end|claims \d+ bytes/.test(message(error)) ? ' (is the file truncated?)' : '';
    throw new ProfileImportError(displayName, 'otlp', `its protobuf data is damaged or not of ${versionName()}: ${message(error)}${truncated}`);
  }
  return otlpToImported(data, displayName);
}

/** OTLP/JSON (the same messages, in protobuf's JSON mapping with OTLP's hex trace and span ids). */
export function parseOtlpJson(json: unknown, displayName: string): ImportedProfile[] {
  let data: OtlpData;
  try {
    data = otlpJsonToData(json);
  } catch (error) {
    throw new ProfileImportError(displayName, 'otlp', `its JSON is not OTLP profiles data of ${versionName()}: ${message(error)}`);
  }
  return otlpToImported(data, displayName);
}

function versionName(): string {
  return `the development version Icicle reads (opentelemetry-proto ${OTLP_PROFILES_VERSION.release})`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const TIME_UNITS_NS: Record<string, number> = { nanoseconds: 1, ns: 1, microseconds: 1e3, us: 1e3, milliseconds: 1e6, ms: 1e6, seconds: 1e9, s: 1e9 };

export function otlpToImported(data: OtlpData, displayName: string): ImportedProfile[] {
  const fail = (reason: string): never => {
    throw new ProfileImportError(displayName, 'otlp', reason);
  };
  const d = data.dictionary;
  const { strings } = d;
  if (data.profiles.length === 0) fail('it holds no profiles');
  if (strings.length > 0 && strings[0] !== '') fail('its string table does not start with the empty string, as OTLP requires');
  /** An entry of a dictionary table, by index; `what` names the referrer when the index is out of range. */
  const entry = <T>(table: readonly T[], i: number, tableName: string, what: string): T => {
    const value = Number.isInteger(i) && i >= 0 ? table[i] : undefined;
    if (value !== undefined) return value;
    return fail(`${what} refers to entry ${i} of the ${tableName} table, which has ${table.length}`);
  };
  const str = (i: number, what: string): string => (i === 0 && strings.length === 0 ? '' : entry(strings, i, 'string', what));
  const anyText = (value: OtlpAnyValue, what: string): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'boolean' || typeof value === 'number') return String(value);
    if (value instanceof Uint8Array) return hex(value);
    if (Array.isArray(value)) return JSON.stringify(value.map(v => anyText(v, what) ?? null));
    if ('strindex' in value) return str(value.strindex, what);
    return JSON.stringify(Object.fromEntries(value.kvlist.map(([k, v]) => [typeof k === 'number' ? str(k, what) : k, anyText(v, what) ?? null])));
  };
  const attributeLabel = (attribute: OtlpKeyValueAndUnit, what: string): [string, string] | undefined => {
    const value = anyText(attribute.value, what);
    if (value === undefined) return undefined;
    const unit = str(attribute.unit, what);
    return [storeKey(str(attribute.key, what)), unit === '' ? value : `${value} ${unit}`];
  };

  // Each profile has its own builder, so frames and stacks are made once per profile (a cache of location → frames).
  return data.profiles.map((p, profileIndex) => {
    const where = data.profiles.length === 1 ? '' : ` (profile ${profileIndex + 1})`;
    const sampleType = p.sampleType ? { type: str(p.sampleType.type, 'the sample type'), unit: str(p.sampleType.unit, 'the sample type') } : { type: '', unit: '' };
    const periodType = p.periodType ? { type: str(p.periodType.type, 'the period type'), unit: str(p.periodType.unit, 'the period type') } : undefined;
    const { types } = profileTypeName([sampleType], periodType, displayName);
    const builder = new ProfileBuilder('otlp', [{ profileType: types[0]!, unit: sampleType.unit || 'count' }]);
    const locationFrames = new Map<number, number[]>();
    const framesOf = (locationIndex: number): number[] => {
      let frames = locationFrames.get(locationIndex);
      if (frames !== undefined) return frames;
      const what = `location ${locationIndex}`;
      const location = entry(d.locations, locationIndex, 'location', `a stack${where}`);
      const module = location.mappingIndex === 0 ? '' : str(entry(d.mappings, location.mappingIndex, 'mapping', what).filename, `mapping ${location.mappingIndex}`);
      const rawAddress = location.address;
      const address = typeof rawAddress === 'number' ? rawAddress : Number(rawAddress);
      frames = [];
      if (location.lines.length === 0) frames.push(builder.frame({ name: addressName(rawAddress), file: '', line: 0, column: 0, module, address }));
      for (const line of location.lines) {
        let name = addressName(rawAddress);
        let file = '';
        let startLine = 0;
        if (line.functionIndex !== 0) {
          const f = entry(d.functions, line.functionIndex, 'function', what);
          const fw = `function ${line.functionIndex}`;
          name = str(f.name, fw) || str(f.systemName, fw) || name;
          file = str(f.filename, fw);
          startLine = Math.max(0, f.startLine);
        }
        frames.push(builder.frame({ name, file, line: Math.max(0, line.line) || startLine, column: Math.max(0, line.column), module, address, functionLine: startLine }));
      }
      locationFrames.set(locationIndex, frames);
      return frames;
    };
    const stackIds = new Map<number, number>();
    const stackOf = (stackIndex: number, what: string): number => {
      let id = stackIds.get(stackIndex);
      if (id === undefined) {
        const frames = entry(d.stacks, stackIndex, 'stack', what).flatMap(framesOf);
        id = builder.stack(frames);
        stackIds.set(stackIndex, id);
      }
      return id;
    };

    const startMs = p.timeUnixNano / 1e6;
    const timed = p.samples.some(s => s.timestamps.length > 0);
    const value = [0];
    for (let s = 0; s < p.samples.length; s++) {
      const sample = p.samples[s]!;
      const what = `sample ${s}${where}`;
      const stack = stackOf(sample.stackIndex, what);
      let labels: Record<string, string> | undefined;
      for (const a of sample.attributeIndices) {
        const label = attributeLabel(entry(d.attributes, a, 'attribute', what), what);
        if (label) (labels ??= {})[label[0]] = label[1];
      }
      if (sample.linkIndex !== 0) {
        const link = entry(d.links, sample.linkIndex, 'link', what);
        if (!isZero(link.traceId)) (labels ??= {})[SPAN_LABEL_KEYS.traceId] = hex(link.traceId);
        if (!isZero(link.spanId)) (labels ??= {})[SPAN_LABEL_KEYS.spanId] = hex(link.spanId);
      }
      for (const v of sample.values) if (!Number.isSafeInteger(v)) fail(`${what} has the value ${v}, beyond what Icicle stores exactly (2^53)`);
      const { values, timestamps } = sample;
      if (timestamps.length === 0) {
        value[0] = values.reduce((a, b) => a + b, 0);
        if (!Number.isSafeInteger(value[0])) fail(`${what}'s values add up beyond what Icicle stores exactly (2^53)`);
        builder.sample(stack, value, timed ? startMs : undefined, labels);
        continue;
      }
      if (values.length !== 0 && values.length !== timestamps.length) fail(`${what} has ${values.length} values for ${timestamps.length} timestamps`);
      for (let t = 0; t < timestamps.length; t++) {
        value[0] = values.length === 0 ? 1 : values[t]!;
        builder.sample(stack, value, timestamps[t]! / 1e6, labels);
      }
    }

    const labels: Record<string, string> = {};
    for (const [key, v] of p.resourceAttributes) {
      const text = anyText(v, 'the resource');
      if (text !== undefined) labels[storeKey(typeof key === 'number' ? str(key, 'the resource') : key)] = text;
    }
    for (const a of p.attributeIndices) {
      const label = attributeLabel(entry(d.attributes, a, 'attribute', `the profile${where}`), `the profile${where}`);
      if (label) labels[label[0]] = label[1];
    }
    const periodUnit = periodType?.unit.toLowerCase() ?? '';
    return builder.build({
      labels,
      ...(p.timeUnixNano !== 0 ? { clock: 'epoch' as const } : {}),
      startMs,
      durationNs: p.durationNano,
      periodNs: p.period * (TIME_UNITS_NS[periodUnit] ?? 1),
    });
  });
}

/** A key from the file as a store label key; `__` keys are the store's own, so such a key loses one underscore. */
function storeKey(raw: string): string {
  const key = labelKey(raw);
  return key.startsWith('__') ? key.slice(1) : key;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function isZero(bytes: Uint8Array): boolean {
  return bytes.every(b => b === 0);
}

function addressName(address: number | bigint): string {
  return `0x${(typeof address === 'number' ? address : BigInt.asUintN(64, address)).toString(16)}`;
}

/**
 * A sniff for OTLP profiles in protobuf: every top-level field is ProfilesData's (1 resource_profiles, 2 dictionary,
 * both length-delimited), and a dictionary holds a field only ProfilesDictionary has (4 to 7: links, the string table,
 * attributes, stacks). A pprof file fails it: its top level has a string table (field 6), and its field 2 (a Sample)
 * has only fields 1 to 3. Tried before pprof (formatReaders.ts), whose own sniff would accept fields 1 and 2.
 */
export function isOtlpProfiles(bytes: Uint8Array): boolean {
  let pos = 0;
  let dictionaryFields = false;
  let fields = 0;
  while (pos < bytes.length) {
    const tag = bytes[pos++]!;
    if (tag !== 0x0a && tag !== 0x12) return false;
    const length = readVarint(bytes, pos);
    if (length === undefined) return false;
    pos = length.pos;
    const end = pos + length.value;
    if (end > bytes.length) return false;
    if (tag === 0x12 && !dictionaryFields) dictionaryFields = hasDictionaryField(bytes, pos, end);
    pos = end;
    fields++;
  }
  return fields > 0 && dictionaryFields;
}

function hasDictionaryField(bytes: Uint8Array, start: number, end: number): boolean {
  let pos = start;
  let found = false;
  while (pos < end) {
    const tag = bytes[pos++]!;
    const field = tag >>> 3;
    if ((tag & 7) !== 2 || field < 1 || field > 7) return false;
    const length = readVarint(bytes, pos);
    if (length === undefined || length.pos + length.value > end) return false;
    pos = length.pos + length.value;
    if (field >= 4) found = true;
  }
  return found;
}

function readVarint(bytes: Uint8Array, start: number): { value: number; pos: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let pos = start; pos < bytes.length && pos < start + 8; pos++) {
    const b = bytes[pos]!;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) return { value, pos: pos + 1 };
  }
  return undefined;
}

/** OTLP profiles in the format registry (agent/import/formatReaders.ts): protobuf by its fields, OTLP/JSON by its keys. */
export const otlpReader: FormatReader = {
  sniff: {
    bytes: file => isOtlpProfiles(file.bytes),
    json: json => (looksLikeOtlpJson(json) ? 'sure' : false),
  },
  parse: (file, displayName) => (file.json !== undefined ? parseOtlpJson(file.json.value, displayName) : parseOtlp(file.bytes, displayName)),
};
