import type { ImportedProfile } from '../../agent/import/importedProfile';

/**
 * An imported profile summed per (stack, time, labels), for comparing two readings of one profile (a golden file, an
 * export read back): each key is the stack's frames (leaf first: name, file, line, column, module, address), the
 * sample's time in milliseconds when the profile has times, and its labels, the profile's merged with the sample's,
 * sorted; `ignore` leaves labels out (an importer's own); `frameLines: false` leaves frames' lines and columns out.
 * Zero sums are left out.
 */
export function summariseProfile(
  profile: ImportedProfile,
  valueIndex = 0,
  ignore: ReadonlySet<string> = new Set(),
  frameLines = true,
): { profileType: string; total: number; rows: Record<string, number> } {
  const rows = new Map<string, number>();
  const stackText = profile.stacks.map(stack => Array.from(stack, f => frameText(profile, f, frameLines)).join(' <- '));
  const sampleKeys = Object.keys(profile.sampleLabels).filter(k => !ignore.has(k));
  let total = 0;
  for (let s = 0; s < profile.sampleStacks.length; s++) {
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(profile.labels)) if (!ignore.has(k)) labels[k] = v;
    for (const k of sampleKeys) {
      const v = profile.sampleLabels[k]![s];
      if (v !== null && v !== undefined) labels[k] = v;
    }
    const time = profile.sampleTimes ? `@${Math.round(profile.sampleTimes[s]!)}` : `@${Math.round(profile.startMs)}`;
    const labelText = Object.keys(labels)
      .sort()
      .map(k => `${k}=${labels[k]}`)
      .join(',');
    const key = `${stackText[profile.sampleStacks[s]!]} ${time} {${labelText}}`;
    const value = profile.sampleValues[valueIndex]![s]!;
    total += value;
    rows.set(key, (rows.get(key) ?? 0) + value);
  }
  const sorted: Record<string, number> = {};
  for (const key of [...rows.keys()].sort()) if (rows.get(key) !== 0) sorted[key] = rows.get(key)!;
  return { profileType: profile.valueTypes[valueIndex]!.profileType, total, rows: sorted };
}

function frameText(profile: ImportedProfile, frameId: number, lines: boolean): string {
  const f = profile.frames[frameId]!;
  return `${f.name} ${f.file}${lines ? `:${f.line}:${f.column}` : ''}${f.module ? ` [${f.module}@0x${f.address.toString(16)}]` : ''}`;
}
