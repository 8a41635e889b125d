import type { PackedCallTree, ProfileSummary } from '../common/callTree';
import { IcicleErrorCode, UserFacingError } from '../common/errors';
import { pruneCallTree } from '../common/pruneCallTree';
import { parseSelector, SelectorSyntaxError, type LabelMatcher } from '../common/selector';
import { writeFile } from 'node:fs/promises';
import type { RunSummary } from '../common/protocol/agentProtocol';
import { callTreeForSelection, executePlan, max, recordedRuns, scan, selectionPredicate, type Selection } from '../storage/query';
import { exportCollapsed } from './export/collapsedExport';
import { exportPprof } from './export/pprofExport';
import type { Store } from '../storage/store';
import { classifyStoredFrame } from './frameKind';
import { CPU_TIME_PROFILE_TYPE } from './import/formats/cpuprofileImport';
import { importProfileBytes, profileIdOf } from './import/importFile';
import { gunzipIfCompressed } from './readProfileFile';

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
export async function openProfileThroughStore(store: Store, content: Buffer | string, displayName: string, minShare = 0): Promise<OpenedProfile> {
  const bytes = gunzipIfCompressed(typeof content === 'string' ? Buffer.from(content, 'utf8') : content, displayName);
  const profileId = profileIdOf(bytes);
  const selection: Selection = { profileType: CPU_TIME_PROFILE_TYPE, matchers: [{ key: 'profile_id', op: '=', value: profileId }] };
  let result = await query(store, selection);
  if (result.summary.sampleCount > 0) return { ...result, tree: pruneCallTree(result.tree, minShare), imported: false };
  // The same import as the command line's (detection, source maps, labels), so both find each other's profiles.
  const imported = await importProfileBytes(store, bytes, displayName, {}, { knownAbsent: true });
  result = await query(store, selection);
  if (result.summary.sampleCount === 0) {
    // Stored, but with no CPU time to draw (a heap or allocation profile): say what it holds instead.
    throw new UserFacingError(
      IcicleErrorCode.ProfileInvalid,
      `${displayName} (${imported.format}) holds no CPU time samples, so the flame graph has nothing to show for it yet. It was stored: \`icicle top --where profile_id=${profileId}\` lists it by its own profile types.`,
    );
  }
  return { ...result, tree: pruneCallTree(result.tree, minShare), imported: !imported.alreadyStored && imported.rows > 0 };
}

/** The recorded runs in the store (CPU time), newest first. */
export async function listRuns(store: Store, limit?: number): Promise<RunSummary[]> {
  const snapshot = store.snapshot();
  try {
    return (await recordedRuns(snapshot, CPU_TIME_PROFILE_TYPE, limit)).map(r => ({ sessionId: r.sessionId, startMs: r.startMs, endMs: r.endMs, samples: r.samples, valueNs: r.value, labels: r.labels }));
  } finally {
    snapshot.release();
  }
}

/** A selection of the store's CPU time samples as a pprof or collapsed-stacks file; resolves with its size. */
export async function exportSelection(store: Store, selector: string, format: 'pprof' | 'collapsed', path: string): Promise<number> {
  const selection: Selection = { profileType: CPU_TIME_PROFILE_TYPE, matchers: parseMatchers(selector) };
  const snapshot = store.snapshot();
  try {
    const bytes = format === 'pprof' ? await exportPprof(snapshot, selection) : Buffer.from(await exportCollapsed(snapshot, selection), 'utf8');
    await writeFile(path, bytes);
    return bytes.length;
  } finally {
    snapshot.release();
  }
}

function parseMatchers(selector: string): LabelMatcher[] {
  try {
    return parseSelector(selector);
  } catch (error) {
    if (error instanceof SelectorSyntaxError) throw new UserFacingError(IcicleErrorCode.InvalidParams, `The selection ${JSON.stringify(selector.slice(0, 200))} is not a label selector: ${error.message}`);
    throw error;
  }
}

/**
 * The call tree of the samples a label selector picks (e.g. one recorded run), of the CPU time type. A selector
 * that does not parse is refused with what is wrong with it; one that picks nothing gives an empty tree.
 */
export async function querySelection(store: Store, selector: string, minShare = 0): Promise<{ summary: ProfileSummary; tree: PackedCallTree }> {
  const matchers = parseMatchers(selector);
  // A selection spans many profiles (a run's chunks, several runs): its duration is the time its samples cover.
  const result = await query(store, { profileType: CPU_TIME_PROFILE_TYPE, matchers }, 'sampled');
  return { ...result, tree: pruneCallTree(result.tree, minShare) };
}

async function query(store: Store, selection: Selection, duration: 'profile' | 'sampled' = 'profile'): Promise<{ summary: ProfileSummary; tree: PackedCallTree }> {
  const snapshot = store.snapshot();
  try {
    const tree = await callTreeForSelection(snapshot, selection, classifyStoredFrame);
    if (duration === 'sampled') {
      return { summary: { format: 'cpuprofile', sampleCount: tree.totalSamples[0]!, durationMicros: tree.totalMicros[0]!, nodeCount: tree.parent.length }, tree };
    }
    const durations = await executePlan(scan(['duration_ns']).where(selectionPredicate(selection)).aggregate([], [max('duration_ns')]).build(), snapshot);
    const durationNs = (durations.table.getChild('duration_ns')?.get(0) as number | null) ?? 0;
    return { summary: { format: 'cpuprofile', sampleCount: tree.totalSamples[0]!, durationMicros: durationNs / 1000, nodeCount: tree.parent.length }, tree };
  } finally {
    snapshot.release();
  }
}
