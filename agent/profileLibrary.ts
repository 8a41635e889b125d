import { IcicleErrorCode, UserFacingError } from '../common/errors';
import { formatSelector } from '../common/selector';
import type { ViewQuery, ViewResult } from '../common/viewQuery';
import { writeFile } from 'node:fs/promises';
import type { RunSummary } from '../common/protocol/agentProtocol';
import type { Selection } from '../storage/query';
import { recordedRuns } from './queries/runs/recordedRuns';
import type { FileExportFormat } from '../common/exportFormats';
import { EXPORTERS } from './export/exporters';
import type { Store } from '../storage/store';
import { CPU_TIME_PROFILE_TYPE } from '../common/profileTypes';
import { importProfileBytes, importProfileFile, profileIdOf, type FileImportResult } from './import/importFile';
import { storedWhole } from './import/storedProfile';
import { streamedProfileId } from './import/streamImport';
import type { TimeAnchor } from './import/timeAnchor';
import { parseMatchers } from './queries/parseMatchers';
import { viewWorkerOf } from './queries/view/viewWorkerClient';
import { gunzipIfCompressed } from './readProfileFile';

export interface OpenedProfile extends ViewResult {
  /** Whether this open imported the file (false: the store already held it, from this or an earlier session). */
  imported: boolean;
  format: string | undefined;
  /** The profile_id its samples carry. */
  profileId: string;
}

/**
 * Opens a profile file through the store: the file is imported once (identified by a hash of its content, the
 * `profile_id` label, with `source` and `format` labels) and its view is always queried from the store, as the
 * selection `{profile_id="…"}`, so what the user sees is what the store holds, a profile opened before survives
 * editor restarts, and the view's filters, type picker and timeline work on files as on recorded runs.
 */
export async function openProfileThroughStore(
  store: Store,
  content: Buffer | string,
  displayName: string,
  minShare = 0,
  query: Omit<ViewQuery, 'selector'> = {},
  /** Where a profile whose file does not say when it was taken goes: fileAnchor for a file; default: it ended now. */
  anchor?: TimeAnchor,
): Promise<OpenedProfile> {
  const bytes = gunzipIfCompressed(typeof content === 'string' ? Buffer.from(content, 'utf8') : content, displayName);
  const profileId = profileIdOf(bytes);
  let imported: FileImportResult | undefined;
  // The same import as the command line's (detection, source maps, labels), so both find each other's profiles.
  if (!(await storedWhole(store, profileId, displayName))) imported = await importProfileBytes(store, bytes, displayName, {}, { knownAbsent: true, ...(anchor ? { anchor } : {}) });
  return viewOfOpened(store, profileId, imported, displayName, minShare, query);
}

/**
 * Opens a profile file through the store from its path (see openProfileThroughStore), imported as the command line
 * imports it (importProfileFile): a big file in a format that streams (perf script, collapsed stacks, a V8 profile
 * as V8 writes it) is read as a stream, never held whole, and may be bigger than a file read whole may be.
 */
export async function openProfilePathThroughStore(
  store: Store,
  path: string,
  displayName: string,
  minShare = 0,
  query: Omit<ViewQuery, 'selector'> = {},
  /** `streamMinBytes`: from what size a file is read as a stream (streamImport.ts; tests lower it). */
  options: { streamMinBytes?: number } = {},
): Promise<OpenedProfile> {
  // A big file opened again (an editor restarted) is found by its hash before it is parsed again.
  const known = await streamedProfileId(path, displayName, options.streamMinBytes);
  if (known !== undefined && (await storedWhole(store, known, displayName))) return viewOfOpened(store, known, undefined, displayName, minShare, query);
  const result = await importProfileFile(store, path, displayName, {}, options);
  return viewOfOpened(store, result.profileId, result.alreadyStored ? undefined : result, displayName, minShare, query);
}

/** The view of an opened profile, queried from the store by its `profile_id`. */
async function viewOfOpened(
  store: Store,
  profileId: string,
  imported: FileImportResult | undefined,
  displayName: string,
  minShare: number,
  query: Omit<ViewQuery, 'selector'>,
): Promise<OpenedProfile> {
  const view = await viewWorkerOf(store).query({ ...query, selector: formatSelector([{ key: 'profile_id', op: '=', value: profileId }]) }, minShare);
  if (view.summary.sampleCount === 0 && view.profileTypes.length === 0) {
    throw new UserFacingError(IcicleErrorCode.ProfileInvalid, `${displayName} holds no samples, so there is nothing to draw.`);
  }
  return { ...view, imported: imported !== undefined && imported.rows > 0, format: imported?.format, profileId };
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

/** A selection of the store's CPU time samples as a file of an export format; resolves with its size. */
export async function exportSelection(store: Store, selector: string, format: FileExportFormat, path: string): Promise<number> {
  const selection: Selection = { profileType: CPU_TIME_PROFILE_TYPE, matchers: parseMatchers(selector) };
  const snapshot = store.snapshot();
  try {
    const bytes = await EXPORTERS[format](snapshot, selection);
    await writeFile(path, bytes);
    return bytes.length;
  } finally {
    snapshot.release();
  }
}

