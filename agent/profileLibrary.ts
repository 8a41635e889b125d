import { createHash } from 'node:crypto';
import type { PackedCallTree, ProfileSummary } from '../common/callTree';
import { callTreeForSelection, executePlan, max, scan, selectionPredicate, type Selection } from '../storage/query';
import type { Store } from '../storage/store';
import { classifyStoredFrame } from './frameKind';
import { cpuProfileToImported, CPU_TIME_PROFILE_TYPE } from './import/formats/cpuprofileImport';
import { importToStore } from './import/importToStore';

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
  let wasImported = false;
  if (result.summary.sampleCount === 0) {
    // Parsing first means a file that is not a profile is refused before anything is written.
    const imported = cpuProfileToImported(text, displayName, Date.now());
    if (imported.sampleStacks.length === 0) return { ...emptyProfile(), imported: false };
    await importToStore(store, imported, { profile_id: profileId, source: displayName, format: 'cpuprofile' });
    result = await query(store, selection);
    wasImported = true;
  }
  return { ...result, imported: wasImported };
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


/** What a profile without samples shows: the root alone. */
function emptyProfile(): { summary: ProfileSummary; tree: PackedCallTree } {
  const tree: PackedCallTree = {
    strings: ['', '(root)'], parent: [-1], name: [1], url: [0], line: [0], column: [0], kind: [0],
    selfSamples: [0], totalSamples: [0], selfMicros: [0], totalMicros: [0],
  };
  return { summary: { format: 'cpuprofile', sampleCount: 0, durationMicros: 0, nodeCount: 1 }, tree };
}
