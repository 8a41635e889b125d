import { createHash } from 'node:crypto';
import type { PackedCallTree, ProfileSummary } from '../common/callTree';
import { callTreeForSelection, executePlan, max, scan, selectionPredicate, type Selection } from '../storage/query';
import type { Store } from '../storage/store';
import { classifyStoredFrame } from './frameKind';
import { parseCpuProfile } from './importers/cpuprofile';
import { CPU_TIME_PROFILE_TYPE, writeProfileToStore } from './storeProfileWriter';

export interface OpenedProfile {
  summary: ProfileSummary;
  tree: PackedCallTree;
  /** Whether this open imported the file (false: the store already held it, from this or an earlier session). */
  imported: boolean;
}

/**
 * Opens a profile file through the store: the file is imported once (identified by a hash of its content, the
 * `profile_id` label, with `source` and `format` labels) and its call tree is always queried from the store, so
 * what the user sees is what the store holds and a profile opened before survives editor restarts.
 */
export async function openProfileThroughStore(store: Store, text: string, displayName: string): Promise<OpenedProfile> {
  const profileId = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const selection: Selection = { profileType: CPU_TIME_PROFILE_TYPE, matchers: [{ key: 'profile_id', op: '=', value: profileId }] };
  let result = await query(store, selection);
  let imported = false;
  if (result.summary.sampleCount === 0) {
    // Parsing first means a file that is not a profile is refused before anything is written.
    const parsed = parseCpuProfile(text, displayName);
    if (parsed.summary.sampleCount === 0) return { summary: parsed.summary, tree: parsed.tree, imported: false };
    await writeProfileToStore(store, parsed, { profile_id: profileId, source: displayName, format: 'cpuprofile' }, Date.now());
    result = await query(store, selection);
    imported = true;
  }
  return { ...result, imported };
}

async function query(store: Store, selection: Selection): Promise<{ summary: ProfileSummary; tree: PackedCallTree }> {
  const snapshot = store.snapshot();
  try {
    const tree = await callTreeForSelection(snapshot, selection, classifyStoredFrame);
    const durations = await executePlan(scan(['duration_ns']).where(selectionPredicate(selection)).aggregate([], [max('duration_ns')]).build(), snapshot);
    const durationNs = (durations.table.getChild('duration_ns')?.get(0) as number | null) ?? 0;
    return { summary: { format: 'cpuprofile', sampleCount: tree.totalSamples[0]!, durationMicros: durationNs / 1000, nodeCount: tree.parent.length }, tree };
  } finally {
    snapshot.release();
  }
}

