/**
 * Profile types as the store names them, Parca's `<name>:<sampleType>:<sampleUnit>:<periodType>:<periodUnit>`
 * (e.g. `process_cpu:cpu:nanoseconds:cpu:nanoseconds`, `memory:alloc_space:bytes:space:bytes`), and what a reader
 * of a view needs from one: a label for a picker and the unit its values are shown in.
 */

export interface ParsedProfileType {
  name: string;
  type: string;
  unit: string;
  periodType: string;
  periodUnit: string;
}

/** `<name>:<type>:<unit>:<periodType>:<periodUnit>`; a type of another shape is its own sample type, in 'count'. */
export function parseProfileType(profileType: string): ParsedProfileType {
  const parts = profileType.split(':');
  if (parts.length === 5) return { name: parts[0]!, type: parts[1]!, unit: parts[2]!, periodType: parts[3]!, periodUnit: parts[4]! };
  return { name: profileType, type: profileType, unit: 'count', periodType: '', periodUnit: '' };
}

/** The unit of a Parca profile type's values: its third field. */
export function unitOf(profileType: string | undefined): string {
  return profileType === undefined ? 'count' : parseProfileType(profileType).unit;
}

/**
 * The unit values reach views in. Times become microseconds (the call tree's and the webview's time unit, the
 * resolution of V8's profiles), bytes stay bytes, and every other unit (count, objects, samples, goroutines...)
 * is a plain number.
 */
export type DisplayUnit = 'micros' | 'bytes' | 'count';

/** Stored values per microsecond (above 1) or microseconds per stored value (below): kept as exact integers. */
const TO_MICROS: Readonly<Record<string, { divide: number } | { multiply: number }>> = {
  nanoseconds: { divide: 1000 },
  microseconds: { multiply: 1 },
  milliseconds: { multiply: 1000 },
  seconds: { multiply: 1_000_000 },
};

export function displayUnitOf(profileType: string | undefined): DisplayUnit {
  const unit = unitOf(profileType);
  if (unit in TO_MICROS) return 'micros';
  return unit === 'bytes' ? 'bytes' : 'count';
}

/**
 * Turns a stored value into the display unit (nanoseconds → µs). Divides by an integer rather than multiplying by a
 * fraction, so 700 ns is 0.7 µs and not 0.7000000000000001.
 */
export function toDisplayUnit(profileType: string | undefined): (value: number) => number {
  const conversion = TO_MICROS[unitOf(profileType)];
  if (conversion === undefined) return value => value;
  if ('divide' in conversion) return value => value / conversion.divide;
  return value => value * conversion.multiply;
}

/** The CPU time type every recorder and the V8 importer write. */
export const CPU_TIME_PROFILE_TYPE = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';

/**
 * The time V8's sampler found the thread idle (`(idle)` samples: waiting, not running), kept apart from CPU time
 * (agent/import/idleTime.ts). It shares CPU time's name and period, since one sampler took both.
 */
export const IDLE_TIME_PROFILE_TYPE = 'process_cpu:idle:nanoseconds:cpu:nanoseconds';

/**
 * The bytes a program allocated, whether or not they were freed since (pprof's and Parca's `alloc_space`): V8's
 * sampling heap profile (`.heapprofile`, the probe's allocation sampling) is stored as this type.
 */
export const ALLOCATED_BYTES_PROFILE_TYPE = 'memory:alloc_space:bytes:space:bytes';

/**
 * The bytes still allocated (not yet freed) when a heap profile was taken (pprof's `inuse_space`): what a
 * `.heapprofile` file holds unless it was recorded keeping collected objects, which the file does not say.
 */
export const LIVE_BYTES_PROFILE_TYPE = 'memory:inuse_space:bytes:space:bytes';

/**
 * How long OpenTelemetry spans lasted, wall clock, from start to end: one row per local root span (a request), its
 * value the span's duration, its labels the span's (SPAN_LABEL_KEYS), its stack a single pseudo-frame naming the span
 * (agent/import/spanWallTime.ts). Beside CPU time of the same labels it says how much of a request was waiting.
 */
export const SPAN_WALL_TIME_PROFILE_TYPE = 'span:wall:nanoseconds:span:nanoseconds';

/**
 * What people call the types they read about (the webview's type picker, the status bar, hovers, the command line),
 * and, for memory, what a function does to have a cost of that type ("allocates 12 MiB"). One entry matches a type
 * by its sample type, and also its name or unit when given; the first match wins. Time and every other type have no
 * verb: their sentences say "runs".
 */
const TYPE_NAMES: readonly { name?: string; type: string; unit?: string; label: string; verb?: 'allocates' | 'holds' }[] = [
  { name: 'process_cpu', type: 'cpu', label: 'CPU time' },
  { name: 'process_cpu', type: 'samples', label: 'CPU samples' },
  { name: 'process_cpu', type: 'idle', label: 'Idle time' },
  { name: 'span', type: 'wall', label: 'Span wall time' },
  { type: 'wall', label: 'Wall time' },
  { type: 'alloc_space', unit: 'bytes', label: 'Allocated bytes', verb: 'allocates' },
  { type: 'alloc_objects', label: 'Allocated objects' },
  // pprof's "in use": still allocated (not yet freed) when the profile was taken.
  { type: 'inuse_space', unit: 'bytes', label: 'Live bytes', verb: 'holds' },
  { type: 'inuse_objects', label: 'Live objects' },
];

function typeNameOf(profileType: string): (typeof TYPE_NAMES)[number] | undefined {
  const p = parseProfileType(profileType);
  return TYPE_NAMES.find(t => t.type === p.type && (t.name === undefined || t.name === p.name) && (t.unit === undefined || t.unit === p.unit));
}

/** What a function does to have a cost of this type, for sentences about one ("allocates 12 MB"); see TYPE_NAMES. */
export function costVerbOf(profileType: string | undefined): 'allocates' | 'holds' | undefined {
  return profileType === undefined ? undefined : typeNameOf(profileType)?.verb;
}

/** Which type a view opens on when nobody chose: CPU time, then CPU samples, then the first in sort order. */
const PREFERRED_TYPES = [CPU_TIME_PROFILE_TYPE, 'process_cpu:samples:count:cpu:nanoseconds'];

export function preferredProfileType(types: readonly string[]): string | undefined {
  return PREFERRED_TYPES.find(t => types.includes(t)) ?? [...types].sort()[0];
}

/**
 * A short name for a picker, the status bar and the command line: "CPU time", "Allocated bytes", "Live bytes"
 * (TYPE_NAMES); a type without one is its sample type and unit, "goroutine (count)".
 */
export function describeProfileType(profileType: string): string {
  const known = typeNameOf(profileType);
  if (known) return known.label;
  const p = parseProfileType(profileType);
  return `${p.type} (${p.unit})`;
}
