import { ProfileBuilder, ProfileImportError, type ImportedFrame, type ImportedProfile, type ValueType } from '../../importedProfile';
import { isRecord, parseJsonText, placeInTime, quoteExcerpt, StackInterner, type ImportNotes, type ImportOptions } from '../parseSupport';
import type { FormatReader } from '../formatReader';

/**
 * speedscope's own file format (https://www.speedscope.app/file-format-schema.json, documented in speedscope's
 * src/lib/file-format-spec.ts): frames shared by every profile in `shared.frames` (name, file, 1-based line and col),
 * and profiles that are either `sampled` (stacks as frame indices, root first, each with a weight) or `evented`
 * (open/close events at positions on the profile's value axis).
 *
 * Each profile's unit decides what its values measure; profiles with the same unit share one imported profile, and
 * every sample carries the label `thread` with its profile's name (speedscope's exporters name a profile after its
 * thread). Time units become nanoseconds of CPU time, `bytes` stays bytes, `none` becomes a count.
 *
 * Sample times exist only for time units: a sample's position on its profile's axis (for sampled profiles, the sum
 * of the weights before it, as speedscope's time-order view lays them out) from `startValue`, plus `options.startMs`.
 */

export const SPEEDSCOPE_SCHEMA_URL = 'https://www.speedscope.app/file-format-schema.json';

/** Deeper than this is not a program's call structure but a generator's bug or an attack on our time. */
const MAX_DEPTH = 4096;

interface Unit {
  valueType: ValueType;
  /** What one unit of the file is in the value type's unit. */
  factor: number;
  /** Whether positions on the value axis are times, which become sample times. */
  isTime: boolean;
}

const CPU_TIME: ValueType = { profileType: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', unit: 'nanoseconds' };
const UNITS: Record<string, Unit> = {
  nanoseconds: { valueType: CPU_TIME, factor: 1, isTime: true },
  microseconds: { valueType: CPU_TIME, factor: 1e3, isTime: true },
  milliseconds: { valueType: CPU_TIME, factor: 1e6, isTime: true },
  seconds: { valueType: CPU_TIME, factor: 1e9, isTime: true },
  bytes: { valueType: { profileType: 'memory:space:bytes:space:bytes', unit: 'bytes' }, factor: 1, isTime: false },
  none: { valueType: { profileType: 'profile:samples:count:samples:count', unit: 'count' }, factor: 1, isTime: false },
};

/**
 * Whether the input is a speedscope file: its `$schema` names speedscope's schema. Takes the parsed JSON or the
 * start of the text (speedscope writes `$schema` among its first keys).
 */
export function looksLikeSpeedscope(input: unknown): boolean {
  if (typeof input === 'string') return input.slice(0, 65536).includes('"https://www.speedscope.app/file-format-schema.json"');
  return isRecord(input) && input['$schema'] === SPEEDSCOPE_SCHEMA_URL;
}

/**
 * Parses a speedscope file (its text, or its JSON for a caller that has parsed it already): one imported profile per value type (usually one). Throws ProfileImportError naming
 * the profile and the sample or event that is wrong when the file does not follow the schema.
 */
export function parseSpeedscope(input: string | { json: unknown }, displayName: string, options: ImportOptions = {}): ImportedProfile[] {
  const notes = options.notes ?? [];
  const json = typeof input === 'string' ? parseJsonText(input, displayName, 'speedscope') : input.json;
  const fail = (reason: string): never => {
    throw new ProfileImportError(displayName, 'speedscope', reason);
  };
  if (!isRecord(json)) return fail('the top level is not an object.');
  if (json['$schema'] !== SPEEDSCOPE_SCHEMA_URL) fail(`its "$schema" is not ${SPEEDSCOPE_SCHEMA_URL}.`);
  const shared = json['shared'];
  if (!isRecord(shared) || !Array.isArray(shared['frames'])) return fail('it has no "shared.frames" array.');
  const profiles = json['profiles'];
  if (!Array.isArray(profiles) || profiles.length === 0) return fail('it has no profiles (its "profiles" array is missing or empty).');

  const frames: ImportedFrame[] = shared['frames'].map((frame: unknown, i) => {
    if (!isRecord(frame) || typeof frame['name'] !== 'string') return fail(`frame ${i} of "shared.frames" has no name.`);
    const file = frame['file'];
    return { name: frame['name'], file: typeof file === 'string' ? file : '', line: position(frame['line']), column: position(frame['col']), module: '', address: 0 };
  });

  const builders = new Map<string, { builder: ProfileBuilder; frameIds: Int32Array; durationNs: number }>();
  profiles.forEach((profile: unknown, p) => {
    if (!isRecord(profile)) return fail(`profile ${p} is not an object.`);
    const name = typeof profile['name'] === 'string' ? profile['name'] : '';
    const where = `profile ${p}${name === '' ? '' : ` (${quoteExcerpt(name)})`}`;
    const unitName = profile['unit'];
    const unit = typeof unitName === 'string' && Object.hasOwn(UNITS, unitName) ? UNITS[unitName]! : undefined;
    if (unit === undefined) {
      return fail(`${where} has the unit ${typeof unitName === 'string' ? quoteExcerpt(unitName) : 'nothing'}, which is not one of speedscope's (${Object.keys(UNITS).join(', ')}).`);
    }
    let target = builders.get(unit.valueType.profileType);
    if (target === undefined) {
      target = { builder: new ProfileBuilder('speedscope', [unit.valueType]), frameIds: new Int32Array(frames.length).fill(-1), durationNs: 0 };
      builders.set(unit.valueType.profileType, target);
    }
    const { builder, frameIds } = target;
    const frameId = (index: unknown, what: () => string): number => {
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= frames.length) {
        return fail(`${what()} names frame ${typeof index === 'number' ? index : quoteExcerpt(String(index))}, which "shared.frames" does not have.`);
      }
      if (frameIds[index] === -1) frameIds[index] = builder.frame(frames[index]!);
      return frameIds[index]!;
    };
    const labels = name === '' ? undefined : { thread: name };
    const startValue = finiteOr(profile['startValue'], 0);
    const endValue = finiteOr(profile['endValue'], startValue);
    target.durationNs = Math.max(target.durationNs, unit.isTime ? (endValue - startValue) * unit.factor : 0);
    const timeMs = (at: number): number | undefined => (unit.isTime ? ((at - startValue) * unit.factor) / 1e6 : undefined);

    if (profile['type'] === 'sampled') {
      const samples = profile['samples'];
      const weights = profile['weights'];
      if (!Array.isArray(samples)) return fail(`${where} is sampled but has no "samples" array.`);
      if (weights !== undefined && (!Array.isArray(weights) || weights.length !== samples.length)) {
        return fail(`${where} has ${Array.isArray(weights) ? weights.length : 'no'} weights for ${samples.length} samples.`);
      }
      let at = startValue;
      for (let s = 0; s < samples.length; s++) {
        const stack = samples[s];
        if (!Array.isArray(stack)) return fail(`sample ${s} of ${where} is not an array of frame indices.`);
        if (stack.length > MAX_DEPTH) return fail(`sample ${s} of ${where} is deeper than ${MAX_DEPTH} frames.`);
        const weight = weights === undefined ? 1 : weights[s];
        if (typeof weight !== 'number' || !Number.isFinite(weight)) return fail(`sample ${s} of ${where} has a weight that is not a number.`);
        const ids = new Array<number>(stack.length);
        // The file lists stacks root first; the imported form is leaf first.
        for (let k = 0; k < stack.length; k++) ids[stack.length - 1 - k] = frameId(stack[k], () => `sample ${s} of ${where}`);
        builder.sample(builder.stack(ids), [Math.round(weight * unit.factor)], timeMs(at), labels);
        at += weight;
      }
    } else if (profile['type'] === 'evented') {
      addEvents(profile, where, builder, frameId, timeMs, startValue, endValue, unit.factor, labels, fail, notes);
    } else {
      fail(`${where} has the type ${quoteExcerpt(String(profile['type']))}; speedscope's types are "sampled" and "evented".`);
    }
  });

  return [...builders.values()].map(({ builder, durationNs }) => placeInTime(builder.build({ startMs: 0, durationNs: Math.round(durationNs) }), options.startMs));
}

/**
 * An evented profile's open (O) and close (C) events, in order of `at`, become samples: each stretch between two
 * consecutive events is one sample of the stack open during it, its value the stretch's length, so a frame's self
 * value is the time it was innermost. A close must close the innermost open frame; frames still open at the end
 * are closed at `endValue`.
 */
function addEvents(
  profile: Record<string, unknown>,
  where: string,
  builder: ProfileBuilder,
  frameId: (index: unknown, what: () => string) => number,
  timeMs: (at: number) => number | undefined,
  startValue: number,
  endValue: number,
  factor: number,
  labels: Record<string, string> | undefined,
  fail: (reason: string) => never,
  notes: ImportNotes,
): void {
  const events = profile['events'];
  if (!Array.isArray(events)) fail(`${where} is evented but has no "events" array.`);
  const list = (events as unknown[]).map((event, i) => {
    if (!isRecord(event) || (event['type'] !== 'O' && event['type'] !== 'C') || typeof event['at'] !== 'number' || !Number.isFinite(event['at'])) {
      return fail(`event ${i} of ${where} is not an open ("O") or close ("C") event with a position "at".`);
    }
    return { open: event['type'] === 'O', at: event['at'], frame: event['frame'], index: i };
  });
  // speedscope requires events in order; a stable sort forgives files that are not, without reordering ties.
  list.sort((a, b) => a.at - b.at || a.index - b.index);
  const interner = new StackInterner(builder);
  /** Per open frame: the stack with it as leaf, and the frame index the file gave, which its close must repeat. */
  const openStacks: number[] = [];
  const openIndices: unknown[] = [];
  let last = startValue;
  const emit = (until: number): void => {
    if (openStacks.length > 0 && until > last) builder.sample(interner.stack(openStacks[openStacks.length - 1]!), [Math.round((until - last) * factor)], timeMs(last), labels);
    if (until > last) last = until;
  };
  for (const event of list) {
    emit(event.at);
    const id = frameId(event.frame, () => `event ${event.index} of ${where}`);
    if (event.open) {
      if (openStacks.length >= MAX_DEPTH) fail(`${where} nests frames deeper than ${MAX_DEPTH} (at event ${event.index}).`);
      openStacks.push(interner.child(openStacks.length > 0 ? openStacks[openStacks.length - 1]! : -1, id));
      openIndices.push(event.frame);
    } else {
      if (openStacks.length === 0) fail(`event ${event.index} of ${where} closes frame ${String(event.frame)}, but no frame is open.`);
      if (openIndices[openIndices.length - 1] !== event.frame) {
        fail(`event ${event.index} of ${where} closes frame ${String(event.frame)}, but the innermost open frame is ${String(openIndices[openIndices.length - 1])}.`);
      }
      openStacks.pop();
      openIndices.pop();
    }
  }
  if (openStacks.length > 0) {
    notes.push(`${openStacks.length} frames of ${where} were still open at its end and were closed at "endValue".`);
    emit(endValue);
  }
}

function position(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0;
}

function finiteOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** speedscope in the format registry (agent/import/formatReaders.ts): JSON naming speedscope's schema. */
export const speedscopeReader: FormatReader = {
  sniff: { json: json => (looksLikeSpeedscope(json) ? 'sure' : false) },
  parse: (file, displayName, notes) => parseSpeedscope(file.json ? { json: file.json.value } : file.text, displayName, { notes }),
};
