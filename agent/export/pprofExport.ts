import { gzipSync } from 'node:zlib';
import { Function as PprofFunction, Line, Location, Mapping, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { COLUMN } from '../../storage/schema';
import { forEachLocation, isAddressFrame } from './stackLocations';
import { functionKey } from '../../common/functionIdentity';
import { parseProfileType, type ParsedProfileType } from '../../common/profileTypes';
import { executePlan, max, min, scan, selectionPredicate, type ScanSource, type Selection } from '../../storage/query';
import { functionPositions } from '../queries/stacks/functionPositions';
import { mergeStacks } from '../queries/stacks/mergeStacks';
import { profileTypes as profileTypesIn } from '../queries/selectionProfileTypes';
import type { StoredFrame } from '../../storage/metadata/metadataStore';

export interface PprofExportOptions {
  /**
   * The profile types to export, when the selection names none: each becomes one sample type. Default: every
   * profile type among the selected samples, which must then share their name and period (one pprof file has
   * one period type).
   */
  profileTypes?: readonly string[];
  /** gzip the protobuf, as pprof files usually are (default true). */
  gzip?: boolean;
}

/** A request the selection cannot satisfy (e.g. profile types that cannot share one pprof file). */
export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

/**
 * The selected samples of the store as a pprof profile (gzipped protobuf), readable by `go tool pprof`, Parca,
 * speedscope and the rest.
 *
 * Sample types: the selection's profile type, or the options' list, or every profile type among the selected
 * samples; each Parca-style `<name>:<type>:<unit>:<periodType>:<periodUnit>` gives the sample type (type, unit)
 * and the period type. Order: `samples` first, then V8's `idle`, then by type name (a Go CPU profile comes out
 * samples, cpu as Go writes it, and a V8 profile idle, cpu: `go tool pprof` shows the last by default, pass
 * `-sample_index=<type>` to choose).
 *
 * Samples: one per stack (storage/query's mergeStacks per profile type, summed over the selection), with one
 * value per sample type (0 where a type has nothing on that stack). Per-sample labels and times are not exported:
 * merged samples have none. Stack 0 ("no stack") becomes a sample without locations. In a delta profile, samples
 * of one stack with opposite signs (kept apart in the file by their labels) net out: readers that total |value|
 * (`go tool pprof`'s "of N total") then show a smaller total than for the original, with the same flat and cum.
 *
 * Locations: the store keeps one frame per inlined call; consecutive frames of a stack with the same non-zero
 * address and module (and different frame ids, which tells inlining from recursion at one address) are one
 * location with several lines, innermost first, as pprof writes them. A frame named by its address (`0x4a2f1c`,
 * no file, no line: an unsymbolised location) becomes a location without lines at that address. Functions are
 * (name, file, definition) with the definition's line as start_line (common/functionIdentity.ts; pprof has no
 * column, so two functions defined on one line are two Functions with the same fields); mappings are the frames' modules (file name only: the store keeps no address ranges or build ids).
 *
 * time_nanos is the earliest selected sample's time (milliseconds in the store), duration_nanos spans the
 * selected profiles from that time to the end of the last (timeRange), period is the largest period_ns stored (nanoseconds for time
 * periods, the file's own unit otherwise, as the importer stored it).
 */
export async function exportPprof(source: ScanSource, selection: Selection, options: PprofExportOptions = {}): Promise<Uint8Array> {
  const profileTypes = await resolveProfileTypes(source, selection, options.profileTypes);
  const parsed = profileTypes.map(parseProfileType);
  const order = parsed.map((_, i) => i).sort((a, b) => sampleTypeOrder(parsed[a]!, parsed[b]!));
  const sortedTypes = order.map(i => profileTypes[i]!);
  const sortedParsed = order.map(i => parsed[i]!);

  // Values per stack, per type.
  const valuesByStack = new Map<number, number[]>();
  for (let t = 0; t < sortedTypes.length; t++) {
    const merged = await mergeStacks(source, { ...selection, profileType: sortedTypes[t]! });
    for (let s = 0; s < merged.stackIds.length; s++) {
      const stackId = merged.stackIds[s]!;
      let values = valuesByStack.get(stackId);
      if (values === undefined) {
        values = new Array<number>(sortedTypes.length).fill(0);
        valuesByStack.set(stackId, values);
      }
      values[t] = merged.values[s]!;
    }
  }
  const times = await timeRange(source, selection, sortedTypes);

  const strings = new StringTable();
  const metadata = source.metadata;
  const mappings: Mapping[] = [];
  const mappingIds = new Map<string, number>();
  const functions: PprofFunction[] = [];
  const functionIds = new Map<string, number>();
  const positionOf = functionPositions(metadata);
  const locations: Location[] = [];
  const locationIds = new Map<string, number>();

  const mappingOf = (module: string, symbolised: boolean): number => {
    if (module === '') return 0;
    let id = mappingIds.get(module);
    if (id === undefined) {
      id = mappings.length + 1;
      mappings.push(
        new Mapping({ id, filename: strings.dedup(module), hasFunctions: symbolised, hasFilenames: symbolised, hasLineNumbers: symbolised, hasInlineFrames: symbolised }),
      );
      mappingIds.set(module, id);
    } else if (symbolised) {
      const m = mappings[id - 1]!;
      m.hasFunctions = m.hasFilenames = m.hasLineNumbers = m.hasInlineFrames = true;
    }
    return id;
  };
  const functionOf = (frame: StoredFrame): number => {
    const definition = positionOf(frame);
    const startLine = definition.line;
    const key = functionKey({ name: frame.functionName, file: frame.file, ...definition });
    let id = functionIds.get(key);
    if (id === undefined) {
      id = functions.length + 1;
      const name = strings.dedup(frame.functionName);
      functions.push(new PprofFunction({ id, name, systemName: name, filename: strings.dedup(frame.file), startLine }));
      functionIds.set(key, id);
    }
    return id;
  };
  /** A location for frames[from, to) of a stack (leaf first: frames[from] is the innermost line). */
  const locationOf = (frames: Uint32Array, from: number, to: number): number => {
    const key = to - from === 1 ? String(frames[from]) : Array.prototype.join.call(frames.subarray(from, to), ',');
    let id = locationIds.get(key);
    if (id !== undefined) return id;
    id = locations.length + 1;
    const first = metadata.frame(frames[from]!);
    const unsymbolised = to - from === 1 && isAddressFrame(first);
    const lines: Line[] = [];
    if (!unsymbolised) {
      for (let k = from; k < to; k++) {
        const frame = metadata.frame(frames[k]!);
        lines.push(new Line({ functionId: functionOf(frame), line: frame.line, column: frame.column }));
      }
    }
    const address = unsymbolised ? BigInt(first.functionName) : first.address;
    locations.push(new Location({ id, mappingId: mappingOf(first.module, !unsymbolised), address, line: lines }));
    locationIds.set(key, id);
    return id;
  };

  const samples: Sample[] = [];
  const stackIds = [...valuesByStack.keys()].sort((a, b) => a - b);
  for (const stackId of stackIds) {
    const values = valuesByStack.get(stackId)!;
    if (values.every(v => v === 0)) continue;
    const locationIdsOfSample: number[] = [];
    if (stackId !== 0) {
      const frames = metadata.stack(stackId);
      forEachLocation(metadata, frames, (from, to) => locationIdsOfSample.push(locationOf(frames, from, to)));
    }
    samples.push(new Sample({ locationId: locationIdsOfSample, value: values }));
  }

  const period = sortedParsed[0];
  const profile = new Profile({
    sampleType: sortedParsed.map(p => new ValueType({ type: strings.dedup(p.type), unit: strings.dedup(p.unit) })),
    sample: samples,
    mapping: mappings,
    location: locations,
    function: functions,
    stringTable: strings,
    timeNanos: BigInt(Math.round(times.startMs)) * 1_000_000n,
    durationNanos: times.durationNs,
    periodType: period ? new ValueType({ type: strings.dedup(period.periodType), unit: strings.dedup(period.periodUnit) }) : undefined,
    period: times.periodNs,
  });
  const encoded = profile.encode();
  return options.gzip === false ? encoded : new Uint8Array(gzipSync(encoded));
}

function sampleTypeOrder(a: ParsedProfileType, b: ParsedProfileType): number {
  // Idle time is never the one to show by default (docs/design/time.md).
  const rank = (p: ParsedProfileType): number => (p.type === 'samples' ? 0 : p.type === 'idle' ? 1 : 2);
  return rank(a) - rank(b) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0) || (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0);
}

async function resolveProfileTypes(source: ScanSource, selection: Selection, asked: readonly string[] | undefined): Promise<string[]> {
  if (selection.profileType !== undefined) return [selection.profileType];
  const types = asked !== undefined && asked.length > 0 ? [...new Set(asked)] : await profileTypesIn(source, selection);
  if (types.length === 0) return [];
  const shape = (t: string): string => {
    const p = parseProfileType(t);
    return `${p.name}:${p.periodType}:${p.periodUnit}`;
  };
  const shapes = new Set(types.map(shape));
  if (shapes.size > 1) {
    throw new ExportError(`the selection holds profile types that cannot share one pprof file (${types.join(', ')}): choose one profile type`);
  }
  return types;
}

/**
 * When the selected samples start and how long they span. A stored row carries the duration of the profile it came
 * from but not that profile's start, and its time is either its own (a V8 sample, a probe chunk's) or the profile's
 * start (a pprof sample, which has none): so per imported profile (`profile_id`), its samples span from the first
 * to the later of its last sample and its first plus its duration. Adding the duration to the samples' own span
 * would count a profile whose samples cover it twice, as `go tool pprof` showed.
 */
export async function timeRange(source: ScanSource, selection: Selection, profileTypes: readonly string[]): Promise<{ startMs: number; durationNs: number; periodNs: number }> {
  let startMs = Infinity;
  let endMs = -Infinity;
  let periodNs = 0;
  const byProfile = source.columnNames().includes(PROFILE_ID_COLUMN) ? [PROFILE_ID_COLUMN] : [];
  for (const profileType of profileTypes) {
    const plan = scan([COLUMN.timestamp, COLUMN.duration, COLUMN.period, COLUMN.profileType, ...byProfile])
      .where(selectionPredicate({ ...selection, profileType }))
      .aggregate(byProfile, [min(COLUMN.timestamp, 'first'), max(COLUMN.timestamp, 'last'), max(COLUMN.duration, 'duration'), max(COLUMN.period, 'period')])
      .build();
    const { table } = await executePlan(plan, source);
    const get = (name: string, g: number): number | null => (table.getChild(name)?.get(g) as number | null | undefined) ?? null;
    for (let g = 0; g < table.numRows; g++) {
      const first = get('first', g);
      const last = get('last', g);
      if (first === null || last === null) continue;
      startMs = Math.min(startMs, first);
      endMs = Math.max(endMs, last, first + (get('duration', g) ?? 0) / 1e6);
      periodNs = Math.max(periodNs, get('period', g) ?? 0);
    }
  }
  if (startMs === Infinity) return { startMs: 0, durationNs: 0, periodNs: 0 };
  return { startMs, durationNs: Math.round((endMs - startMs) * 1e6), periodNs };
}

const PROFILE_ID_COLUMN = 'labels.profile_id';
