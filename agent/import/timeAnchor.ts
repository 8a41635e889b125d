import { shiftInTime } from './formats/parseSupport';
import type { ImportedProfile } from './importedProfile';

/**
 * Where in time a profile whose file does not say goes: at a known start (a probe's chunk, a perf window or a scrape,
 * whose recorder read the clock when it began), or ending at a known moment (a file: when it was last written).
 * See docs/design/time.md for the rule per format.
 */
export type TimeAnchor = { startMs: number } | { endMs: number };

/**
 * The anchor of a profile file: it ended when the file was last written, and not after now (a clock set wrong, a
 * file from a machine ahead of this one). The same file imported again, here or into another store, gets the same
 * times, and its samples never end in the future.
 */
export function fileAnchor(modifiedMs: number, nowMs = Date.now()): TimeAnchor {
  return { endMs: Math.floor(Math.min(modifiedMs, nowMs)) };
}

/** The anchor of a profile that has no file (text sent by the editor): it ends now. */
export function nowAnchor(nowMs = Date.now()): TimeAnchor {
  return { endMs: nowMs };
}

/**
 * Places the relative profiles of one file in time by the anchor, all by the same offset so that the threads or
 * value types of one file stay aligned; profiles on the epoch's clock are kept as they are.
 */
export function placeProfiles(profiles: ImportedProfile[], anchor: TimeAnchor): ImportedProfile[] {
  const relative = profiles.filter(p => p.clock !== 'epoch');
  if (relative.length === 0) return profiles;
  let offsetMs: number;
  if ('startMs' in anchor) {
    offsetMs = anchor.startMs;
  } else {
    let endMs = 0;
    for (const p of relative) endMs = Math.max(endMs, profileEndMs(p));
    offsetMs = anchor.endMs - endMs;
  }
  return profiles.map(p => (p.clock === 'epoch' ? p : { ...shiftInTime(p, offsetMs), clock: 'epoch' as const }));
}

/** When a relative profile ends, ms from its origin: its start plus its duration, or its last sample if later. */
function profileEndMs(profile: ImportedProfile): number {
  let end = profile.startMs + profile.durationNs / 1e6;
  const times = profile.sampleTimes;
  if (times !== undefined) for (let i = 0; i < times.length; i++) if (times[i]! > end) end = times[i]!;
  return end;
}
