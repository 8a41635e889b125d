import { attachNativeSourceLines } from './sourceLines/nativeSourceLines';
import { createHash } from 'node:crypto';
import type { Store } from '../../storage/store';
import { gunzipIfCompressed, readProfileFile } from '../readProfileFile';
import { applySourceMaps } from './sourceMaps/applySourceMaps';
import { SourceMapResolver } from './sourceMaps/sourceMapResolver';
import { parseProfileBytes, type ParsedFile } from './detectFormat';
import type { ProfileFormat } from '../../common/profileFormats';
import type { SampleWrite } from '../../storage/write/sampleWrite';
import { plannedWrites, profileWrites } from './importToStore';
import { PROFILE_ROWS_LABEL, storedWhole } from './storedProfile';
import { fileAnchor, nowAnchor, type TimeAnchor } from './timeAnchor';
import { STREAM_MIN_BYTES, parseStreamedFile } from './streamImport';
import { stat } from 'node:fs/promises';
import { MAX_BATCH_ROWS } from '../../storage/part/activePart';

export interface FileImportResult {
  format: ProfileFormat;
  /** Rows written (0 when the file was already in the store). */
  rows: number;
  /** The `profile_id` label: a hash of the file's content. */
  profileId: string;
  alreadyStored: boolean;
  /** JavaScript frames moved to their original source by a source map, and those left where they ran. */
  sourceMapped: number;
  unmapped: number;
  /** What the importer left out of the file, in sentences (skipped lines...); empty when it read everything. */
  notes: string[];
}

/** The `profile_id` of a profile: the first 16 hex digits of the SHA-256 of its (decompressed) bytes. */
export function profileIdOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

/**
 * Reads, detects, parses and stores one profile file (see importProfileBytes); a profile whose file does not say when
 * it was taken ends when the file was last written (fileAnchor).
 */
export async function importProfileFile(
  store: Store,
  path: string,
  displayName: string,
  labels: Record<string, string>,
  /** `streamMinBytes`: from what size a line format's file is read as a stream (streamImport.ts; tests lower it). */
  options: { streamMinBytes?: number } = {},
): Promise<FileImportResult> {
  // A big file will fill parts as soon as it is parsed: its first flush need not wait for the block worker to start.
  // (A file that cannot be read is reported by the reading below.)
  const size = await stat(path).then(
    info => info.size,
    () => 0,
  );
  if (size >= (options.streamMinBytes ?? STREAM_MIN_BYTES)) store.startBlockWorker();
  // A big file in a line format (perf script) is read as a stream, in bounded memory; any other is read whole.
  const streamed = await parseStreamedFile(path, displayName, { minBytes: options.streamMinBytes });
  if (streamed) {
    const { parsed, profileId } = streamed;
    if (await storedWhole(store, profileId, displayName)) return alreadyStoredResult(parsed, profileId);
    return storeParsedProfile(store, parsed, { displayName, profileId, labels, sourceMaps: new SourceMapResolver() });
  }
  const { bytes, modifiedMs } = await readProfileFile(path, displayName);
  return importProfileBytes(store, bytes, displayName, labels, { anchor: fileAnchor(modifiedMs) });
}

function alreadyStoredResult({ format, notes }: ParsedFile, profileId: string): FileImportResult {
  return { format, rows: 0, profileId, alreadyStored: true, sourceMapped: 0, unmapped: 0, notes };
}

/**
 * Rows one store transaction holds at most: about 30 bytes a row in its log record, and the rows' columns are held
 * until the transaction is written, so this bounds an import's memory. A bigger import (over half an hour of
 * samples at 1 ms) is written in several, each row marked with `__profile_rows` (storedProfile.ts).
 */
const MAX_TRANSACTION_ROWS = 2_000_000;

/**
 * Rows per transaction of a profile stored in several anyway (over MAX_TRANSACTION_ROWS, its rows marked): a
 * fraction of the store's active part, so that the part fills and its flush to a block (the block worker, on another
 * thread) starts while the next rows are still being written, instead of after a transaction of 2M rows; it also
 * bounds the rows held for the transaction being written. Which transaction a row is in is invisible once stored.
 */
const MARKED_TRANSACTION_ROWS = 2 * MAX_BATCH_ROWS;

/**
 * Imports a profile's bytes (gzip or not) into the store, unless a profile with the same content is there already:
 * detect the format, parse, map JavaScript frames through their source maps, write every profile in the file with
 * the labels `source`, `format` and `profile_id` plus the caller's, in one store transaction (so that readers see all
 * of it or none, also after a kill). A profile whose file does not say when it was taken is placed by `anchor`
 * (default: it ended now). With an `idempotencyKey` (a probe's chunk), the store checks it in the same step as the
 * write instead of looking the content up first. Throws ProfileImportError (a UserFacingError) for a file that is not
 * a readable profile; nothing is written then.
 */
export async function importProfileBytes(
  store: Store,
  raw: Buffer,
  displayName: string,
  labels: Record<string, string>,
  /** `knownAbsent`: the caller has just found the profile not stored whole (storedWhole), so it is not looked up again. */
  options: { sourceMaps?: boolean; anchor?: TimeAnchor; knownAbsent?: boolean; idempotencyKey?: string } = {},
): Promise<FileImportResult> {
  const bytes = gunzipIfCompressed(raw, displayName);
  const profileId = profileIdOf(bytes);
  const parsed = parseProfileBytes(bytes, displayName, options.anchor ?? nowAnchor());
  const keyed = options.idempotencyKey !== undefined;
  if (!keyed && !options.knownAbsent && (await storedWhole(store, profileId, displayName))) {
    return alreadyStoredResult(parsed, profileId);
  }
  const sourceMaps = options.sourceMaps === false ? undefined : new SourceMapResolver();
  return storeParsedProfile(store, parsed, { displayName, profileId, labels, sourceMaps, idempotencyKey: options.idempotencyKey });
}

/**
 * Stores a parsed profile file (ParsedFile: its format's profiles): maps JavaScript frames through `sourceMaps`
 * (none: left as they ran), attaches native frames' source lines, and writes every profile with the labels
 * `source`, `format` and `profile_id` plus the caller's, in one store transaction, or with an `idempotencyKey` in
 * one transaction the store checks the key of. A recording's chunks come here already parsed, by their known format.
 */
export async function storeParsedProfile(
  store: Store,
  { format, profiles, notes }: ParsedFile,
  options: { displayName: string; profileId: string; labels: Record<string, string>; sourceMaps: SourceMapResolver | undefined; idempotencyKey?: string | undefined },
): Promise<FileImportResult> {
  const { displayName, profileId, labels, sourceMaps: resolver } = options;
  const keyed = options.idempotencyKey !== undefined;
  const planned = profiles.map(plannedWrites).reduce((a, b) => ({ writes: a.writes + b.writes, rows: a.rows + b.rows }), { writes: 0, rows: 0 });
  // Only a profile too big for one transaction is stored in several, which an import cut short can leave in part.
  const marker: Record<string, string> = planned.rows > MAX_TRANSACTION_ROWS && !keyed ? { [PROFILE_ROWS_LABEL]: String(planned.rows) } : {};
  let sourceMapped = 0;
  let unmapped = 0;
  // Writes gather into a transaction until the next would pass the limit; one with a key is never split.
  const maxRows = keyed ? Infinity : PROFILE_ROWS_LABEL in marker ? MARKED_TRANSACTION_ROWS : MAX_TRANSACTION_ROWS;
  let pending: SampleWrite[] = [];
  let pendingRows = 0;
  let rows = 0;
  let alreadyStored = false;
  const commit = async (): Promise<void> => {
    if (pending.length === 0) return;
    const written = await store.writeTransaction(pending, keyed ? { idempotencyKey: options.idempotencyKey } : {});
    alreadyStored ||= written.alreadyStored;
    if (!written.alreadyStored) rows += pendingRows;
    pending = [];
    pendingRows = 0;
  };
  for (let p = 0; p < profiles.length; p++) {
    let profile = profiles[p]!;
    // Native frames get their source lines from the binaries' debug information, when the binaries are here.
    if (profile.nativeAddresses) profile = await attachNativeSourceLines(profile);
    if (resolver && hasJavaScriptFrames(profile.frames)) {
      const mapped = await applySourceMaps(profile, resolver);
      sourceMapped += mapped.sourceMaps.mapped;
      unmapped += mapped.sourceMaps.unmapped;
      profile = mapped;
    }
    for (const write of profileWrites(store, profile, { ...labels, source: displayName, format, profile_id: profileId, ...marker })) {
      if (pendingRows + write.timestamps.length > maxRows) await commit();
      pending.push(write);
      pendingRows += write.timestamps.length;
    }
  }
  await commit();
  return { format, rows, profileId, alreadyStored, sourceMapped, unmapped, notes };
}

function hasJavaScriptFrames(frames: readonly { file: string }[]): boolean {
  return frames.some(f => /\.(c|m)?js$/.test(f.file) || f.file.startsWith('file://'));
}
