import { SPAN_LABEL_KEYS } from '../../common/protocol/probeProtocol';
import { isInternalLabel } from '../../common/labelKeys';
import { functionKey } from '../../common/functionIdentity';
import { parseProfileType } from '../../common/profileTypes';
import { COLUMN, LABEL_PREFIX } from '../../storage/schema';
import { executePlan, numbers, scan, selectionPredicate, strings, sum, type ScanSource, type Selection } from '../../storage/query';
import type { StoredFrame } from '../../storage/metadata/metadataStore';
import { functionPositions } from '../queries/stacks/functionPositions';
import { profileTypes as profileTypesIn } from '../queries/selectionProfileTypes';
import { timeRange } from './pprofExport';
import { forEachLocation, isAddressFrame } from './stackLocations';
import { ProtobufWriter } from './protobufWriter';

/**
 * The importer's own labels of a file (agent/import/importFile.ts): a file imported again gets new ones, so they are
 * not written (they would be replaced, not read back).
 */
const IMPORT_LABELS = new Set(['source', 'format', 'profile_id']);

/**
 * The selected samples of the store as OpenTelemetry profiles: a `ProfilesData` message of the development proto
 * Icicle reads (agent/import/formats/otlp/otlpVersion.ts), binary protobuf, not compressed.
 *
 * One Profile per profile type (OTLP's Profile has one sample type), in one ResourceProfiles and one ScopeProfiles
 * (without a scope: the reader would make its name a label the original did not have), all sharing the dictionary. Unlike the pprof export, samples keep their labels and times: the stored rows
 * are summed per (stack, time, labels), and a Sample is one (stack, labels) with its values and timestamps, one pair
 * per time. The labels `trace_id` and `span_id` (SPAN_LABEL_KEYS), when they are hex ids, become the sample's link;
 * other labels become attributes: the Profile's when every selected row of its type has the same value, else the
 * Sample's. Labels starting with `__` (the store's) and the importer's own (`source`, `format`, `profile_id`) are not
 * written.
 *
 * Frames become locations as in the pprof export (consecutive frames at one non-zero address of one module are one
 * location with several lines, innermost first; a frame named by its address is a location without lines); functions
 * are (name, file, definition line); mappings are modules, file name only. time_unix_nano and duration_nano span the
 * selected samples and profiles; the period is the largest stored.
 */
export async function exportOtlp(source: ScanSource, selection: Selection): Promise<Uint8Array> {
  const types = selection.profileType !== undefined ? [selection.profileType] : await profileTypesIn(source, selection);
  const labelKeys = source
    .columnNames()
    .filter(name => name.startsWith(LABEL_PREFIX))
    .map(name => name.slice(LABEL_PREFIX.length))
    .filter(key => !isInternalLabel(key) && !IMPORT_LABELS.has(key))
    .sort();
  const metadata = source.metadata;
  const positionOf = functionPositions(metadata);

  // The dictionary: every table's entry 0 is the zero value, as OTLP requires.
  const stringTable: string[] = [''];
  const stringIndex = new Map<string, number>([['', 0]]);
  const str = (s: string): number => {
    let i = stringIndex.get(s);
    if (i === undefined) {
      i = stringTable.length;
      stringTable.push(s);
      stringIndex.set(s, i);
    }
    return i;
  };
  const mappings: number[] = [0];
  const mappingIndex = new Map<string, number>();
  const functions: { name: number; file: number; startLine: number }[] = [{ name: 0, file: 0, startLine: 0 }];
  const functionIndex = new Map<string, number>();
  const locations: { mapping: number; address: number | bigint; lines: { fn: number; line: number; column: number }[] }[] = [{ mapping: 0, address: 0, lines: [] }];
  const locationIndex = new Map<string, number>();
  const stacks: number[][] = [[]];
  const stackIndex = new Map<number, number>();
  const links: { traceId: Buffer; spanId: Buffer }[] = [{ traceId: Buffer.alloc(16), spanId: Buffer.alloc(8) }];
  const linkIndex = new Map<string, number>();
  const attributes: { key: number; value: string }[] = [{ key: 0, value: '' }];
  const attributeIndex = new Map<string, number>();

  const mappingOf = (module: string): number => {
    if (module === '') return 0;
    let i = mappingIndex.get(module);
    if (i === undefined) {
      i = mappings.length;
      mappings.push(str(module));
      mappingIndex.set(module, i);
    }
    return i;
  };
  const functionOf = (frame: StoredFrame): number => {
    const definition = positionOf(frame);
    const key = functionKey({ name: frame.functionName, file: frame.file, ...definition });
    let i = functionIndex.get(key);
    if (i === undefined) {
      i = functions.length;
      functions.push({ name: str(frame.functionName), file: str(frame.file), startLine: definition.line });
      functionIndex.set(key, i);
    }
    return i;
  };
  const locationOf = (frames: Uint32Array, from: number, to: number): number => {
    const key = Array.prototype.join.call(frames.subarray(from, to), ',');
    let i = locationIndex.get(key);
    if (i !== undefined) return i;
    const first = metadata.frame(frames[from]!);
    const unsymbolised = to - from === 1 && isAddressFrame(first);
    const lines = [];
    if (!unsymbolised) {
      for (let k = from; k < to; k++) {
        const frame = metadata.frame(frames[k]!);
        lines.push({ fn: functionOf(frame), line: frame.line, column: frame.column });
      }
    }
    i = locations.length;
    locations.push({ mapping: mappingOf(first.module), address: unsymbolised ? BigInt(first.functionName) : first.address, lines });
    locationIndex.set(key, i);
    return i;
  };
  const stackOf = (stackId: number): number => {
    let i = stackIndex.get(stackId);
    if (i !== undefined) return i;
    const indices: number[] = [];
    if (stackId !== 0) {
      const frames = metadata.stack(stackId);
      forEachLocation(metadata, frames, (from, to) => indices.push(locationOf(frames, from, to)));
    }
    i = stacks.length;
    stacks.push(indices);
    stackIndex.set(stackId, i);
    return i;
  };
  const attributeOf = (key: string, value: string): number => {
    const k = `${key}\u0000${value}`;
    let i = attributeIndex.get(k);
    if (i === undefined) {
      i = attributes.length;
      attributes.push({ key: str(key), value });
      attributeIndex.set(k, i);
    }
    return i;
  };
  const linkOf = (traceId: string | null, spanId: string | null): number => {
    const k = `${traceId ?? ''}:${spanId ?? ''}`;
    let i = linkIndex.get(k);
    if (i === undefined) {
      i = links.length;
      links.push({ traceId: Buffer.from(traceId ?? '', 'hex'), spanId: Buffer.from(spanId ?? '', 'hex') });
      linkIndex.set(k, i);
    }
    return i;
  };

  const profiles: ProfileOut[] = [];
  for (const profileType of types) {
    const typed = { ...selection, profileType };
    const keys = labelKeys.map(key => LABEL_PREFIX + key);
    const plan = scan([COLUMN.stackId, COLUMN.timestamp, COLUMN.value, COLUMN.profileType, ...keys])
      .where(selectionPredicate(typed))
      .aggregate([COLUMN.stackId, COLUMN.timestamp, ...keys], [sum(COLUMN.value, 'value')])
      .build();
    const { table } = await executePlan(plan, source);
    if (table.numRows === 0) continue;
    const stackIds = numbers(table, COLUMN.stackId);
    const times = numbers(table, COLUMN.timestamp);
    const values = numbers(table, 'value');
    const labelValues = keys.map(key => strings(table, key));
    // A label with one value on every row is the profile's; a label that is absent everywhere is nobody's.
    const profileLabels: [string, string][] = [];
    const sampleKeys: number[] = [];
    labelValues.forEach((column, k) => {
      const first = column[0];
      // Trace and span ids stay on the samples, as links, even when one trace is selected.
      const spanKey = labelKeys[k] === SPAN_LABEL_KEYS.traceId || labelKeys[k] === SPAN_LABEL_KEYS.spanId;
      if (!spanKey && column.every(v => v === first)) {
        if (first !== null && first !== undefined) profileLabels.push([labelKeys[k]!, first]);
      } else sampleKeys.push(k);
    });
    const samples = new Map<string, SampleOut>();
    for (let row = 0; row < table.numRows; row++) {
      const attributeIndices: number[] = [];
      let traceId: string | null = null;
      let spanId: string | null = null;
      for (const k of sampleKeys) {
        const value = labelValues[k]![row] ?? null;
        if (value === null) continue;
        const key = labelKeys[k]!;
        if (key === SPAN_LABEL_KEYS.traceId && isHexId(value, 16)) traceId = value;
        else if (key === SPAN_LABEL_KEYS.spanId && isHexId(value, 8)) spanId = value;
        else attributeIndices.push(attributeOf(key, value));
      }
      const link = traceId === null && spanId === null ? 0 : linkOf(traceId, spanId);
      const stack = stackOf(stackIds[row]!);
      const k = `${stack}:${link}:${attributeIndices.join(',')}`;
      let sample = samples.get(k);
      if (sample === undefined) {
        sample = { stack, link, attributeIndices, values: [], timestamps: [] };
        samples.set(k, sample);
      }
      sample.values.push(values[row]!);
      sample.timestamps.push(BigInt(Math.round(times[row]! * 1000)) * 1000n);
    }
    const parsed = parseProfileType(profileType);
    const range = await timeRange(source, selection, [profileType]);
    profiles.push({
      sampleType: { type: str(parsed.type), unit: str(parsed.unit) },
      periodType: { type: str(parsed.periodType), unit: str(parsed.periodUnit) },
      period: range.periodNs,
      timeUnixNano: BigInt(Math.round(range.startMs * 1000)) * 1000n,
      durationNano: range.durationNs,
      attributeIndices: profileLabels.map(([key, value]) => attributeOf(key, value)),
      samples: [...samples.values()],
    });
  }

  const w = new ProtobufWriter();
  w.message(1, resource =>
    resource.message(2, scope => {
      for (const p of profiles) scope.message(2, m => writeProfile(m, p), true);
    }),
  );
  w.message(
    2,
    d => {
      for (const filename of mappings) d.message(1, m => m.varint(4, filename), true);
      for (const l of locations) {
        d.message(
          2,
          m => {
            m.varint(1, l.mapping);
            m.varint(2, l.address);
            for (const line of l.lines) m.message(3, x => (x.varint(1, line.fn), x.varint(2, line.line), x.varint(3, line.column)), true);
          },
          true,
        );
      }
      for (const f of functions) d.message(3, m => (m.varint(1, f.name), m.varint(2, f.name), m.varint(3, f.file), m.varint(4, f.startLine)), true);
      for (const l of links) d.message(4, m => (m.bytes(1, l.traceId), m.bytes(2, l.spanId)), true);
      for (const s of stringTable) d.repeatedString(5, s);
      attributes.forEach((a, i) => d.message(6, m => (m.varint(1, a.key), i === 0 ? undefined : m.message(2, v => v.repeatedString(1, a.value), true)), true));
      for (const s of stacks) d.message(7, m => m.packedVarints(1, s), true);
    },
    true,
  );
  return w.finish();
}

interface SampleOut {
  stack: number;
  link: number;
  attributeIndices: number[];
  values: number[];
  timestamps: bigint[];
}

interface ProfileOut {
  sampleType: { type: number; unit: number };
  periodType: { type: number; unit: number };
  period: number;
  timeUnixNano: bigint;
  durationNano: number;
  attributeIndices: number[];
  samples: SampleOut[];
}

function writeProfile(w: ProtobufWriter, p: ProfileOut): void {
  w.message(1, v => (v.varint(1, p.sampleType.type), v.varint(2, p.sampleType.unit)), true);
  for (const s of p.samples) {
    w.message(
      2,
      m => {
        m.varint(1, s.stack);
        m.packedVarints(2, s.attributeIndices);
        m.varint(3, s.link);
        m.packedVarints(4, s.values);
        m.packedFixed64(5, s.timestamps);
      },
      true,
    );
  }
  w.fixed64(3, p.timeUnixNano);
  w.varint(4, p.durationNano);
  w.message(5, v => (v.varint(1, p.periodType.type), v.varint(2, p.periodType.unit)));
  w.varint(6, p.period);
  w.packedVarints(11, p.attributeIndices);
}

/** A trace id (16 bytes) or span id (8 bytes) in lowercase hex, as OpenTelemetry prints them and links carry them. */
function isHexId(value: string, bytes: number): boolean {
  return value.length === bytes * 2 && /^[0-9a-f]+$/.test(value);
}
