import { CPU_TIME_PROFILE_TYPE, IDLE_TIME_PROFILE_TYPE } from '../../common/profileTypes';
import type { ImportedFrame, ImportedProfile } from './importedProfile';

/**
 * V8's sampler runs on the wall clock: a sample taken while the thread waited for work (the event loop asleep) is
 * named `(idle)`, and its time is the wait, not CPU time. So a CPU time profile whose samples include `(idle)` ones
 * (a V8 profile, a probe's chunk, a Chrome trace's or a speedscope file's V8 samples) becomes two: CPU time, every
 * sample but the idle ones (`(program)` and `(garbage collector)` are CPU work and stay), and Idle time, the idle
 * ones. Each sample is stored once; CPU time plus Idle time is the wall time the profiler ran. Every other profile is
 * returned as it is (see docs/design/time.md).
 */
export function separateIdle(profile: ImportedProfile): ImportedProfile[] {
  if (profile.valueTypes.length !== 1 || profile.valueTypes[0]!.profileType !== CPU_TIME_PROFILE_TYPE) return [profile];
  const idleStack = profile.stacks.map(stack => stack.length > 0 && isIdleFrame(profile.frames[stack[0]!]!));
  if (!idleStack.includes(true)) return [profile];
  const busy: number[] = [];
  const idle: number[] = [];
  profile.sampleStacks.forEach((stack, i) => (idleStack[stack] ? idle : busy).push(i));
  return [subset(profile, busy, false), { ...subset(profile, idle, true), valueTypes: [{ profileType: IDLE_TIME_PROFILE_TYPE, unit: 'nanoseconds' }] }];
}

/** V8's name for the samples taken while the thread was idle: a pseudo-frame without a script. */
export function isIdleFrame(frame: ImportedFrame): boolean {
  return frame.name === '(idle)' && frame.file === '';
}

/**
 * The profile with only the samples at `indices`. The idle part keeps only the frames and stacks its samples use
 * (a handful), so storing it interns nothing twice; the busy part keeps the profile's frames and stacks whole.
 */
function subset(profile: ImportedProfile, indices: readonly number[], compact: boolean): ImportedProfile {
  const pick = <T>(values: readonly T[]): T[] => picked(values, indices);
  let { frames, stacks } = profile;
  let sampleStacks = pick(profile.sampleStacks);
  if (compact) {
    const frameIds = new Map<number, number>();
    const stackIds = new Map<number, number>();
    frames = [];
    stacks = [];
    sampleStacks = sampleStacks.map(s => {
      let id = stackIds.get(s);
      if (id === undefined) {
        id = stacks.length;
        stacks.push(
          Array.from(profile.stacks[s]!, f => {
            let frame = frameIds.get(f);
            if (frame === undefined) {
              frame = frames.length;
              frames.push(profile.frames[f]!);
              frameIds.set(f, frame);
            }
            return frame;
          }),
        );
        stackIds.set(s, id);
      }
      return id;
    });
  }
  const sampleLabels: Record<string, (string | null)[]> = {};
  for (const [key, column] of Object.entries(profile.sampleLabels)) sampleLabels[key] = pick(column);
  const result: ImportedProfile = {
    ...profile,
    frames,
    stacks,
    sampleStacks,
    sampleValues: profile.sampleValues.map(pick),
    sampleTimes: profile.sampleTimes && pick(profile.sampleTimes),
    sampleLabels,
  };
  if (profile.sampleLines) result.sampleLines = pick(profile.sampleLines);
  // Native addresses name frames by index: the busy part keeps them; idle samples are V8's and have none.
  if (profile.nativeAddresses) {
    if (compact) delete result.nativeAddresses;
    else result.nativeAddresses = { frameOffsets: profile.nativeAddresses.frameOffsets, leafOffsets: pick(profile.nativeAddresses.leafOffsets) };
  }
  return result;
}

/**
 * The values at `indices`, by a plain loop into an array of the final length: `indices.map` with a closure took 0.1 s
 * over the columns of a 420,000-sample profile.
 */
function picked<T>(values: readonly T[], indices: readonly number[]): T[] {
  const out = new Array<T>(indices.length);
  for (let k = 0; k < indices.length; k++) out[k] = values[indices[k]!]!;
  return out;
}
