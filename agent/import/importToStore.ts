import type { Store } from '../../storage/store';
import type { ImportedProfile } from './importedProfile';

/** Rows per store write: large writes amortise the log's sync, bounded ones keep each log record small. */
const ROWS_PER_WRITE = 100_000;

export interface ImportResult {
  /** Rows written, over all value types. */
  rows: number;
  /** The last tx id written (0 when the profile had no samples). */
  lastTxId: number;
}

/**
 * Writes an imported profile into the store: frames and stacks are interned in the store's metadata, and each
 * value type becomes rows of its own profile type. When a profile has several value types, samples whose value
 * is zero for a type are left out of that type (a pprof sample with allocations but no in-use bytes, say); a
 * single-type profile keeps every sample, since a sample that took no measurable time is still a sample.
 */
export async function importToStore(store: Store, profile: ImportedProfile, labels: Record<string, string>): Promise<ImportResult> {
  const frameIds = profile.frames.map(f =>
    store.internFrame({ functionName: f.name, file: f.file, line: f.line, column: f.column, module: f.module, address: f.address }),
  );
  const stackIds = profile.stacks.map(stack => store.internStack(stack.map(f => frameIds[f]!)));
  const n = profile.sampleStacks.length;
  const allLabels = { ...profile.labels, ...labels };
  const labelKeys = Object.keys(profile.sampleLabels).filter(key => !(key in allLabels));
  let rows = 0;
  let lastTxId = 0;
  for (let t = 0; t < profile.valueTypes.length; t++) {
    const values = profile.sampleValues[t]!;
    const kept: number[] = [];
    const skipZeros = profile.valueTypes.length > 1;
    for (let i = 0; i < n; i++) if (!skipZeros || values[i] !== 0) kept.push(i);
    for (let from = 0; from < kept.length; from += ROWS_PER_WRITE) {
      const slice = kept.slice(from, from + ROWS_PER_WRITE);
      const rowLabels: Record<string, (string | null)[]> = {};
      for (const key of labelKeys) rowLabels[key] = slice.map(i => profile.sampleLabels[key]![i]!);
      lastTxId = await store.write({
        profileType: profile.valueTypes[t]!.profileType,
        durationNs: Math.round(profile.durationNs),
        periodNs: Math.round(profile.periodNs),
        labels: allLabels,
        rowLabels,
        timestamps: slice.map(i => profile.sampleTimes?.[i] ?? profile.startMs),
        values: slice.map(i => Math.round(values[i]!)),
        stackIds: slice.map(i => stackIds[profile.sampleStacks[i]!]!),
      });
      rows += slice.length;
    }
  }
  return { rows, lastTxId };
}
