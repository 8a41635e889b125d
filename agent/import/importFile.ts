import { attachNativeSourceLines } from '../sourceLines/nativeSourceLines';
import { createHash } from 'node:crypto';
import type { Store } from '../../storage/store';
import { gunzipIfCompressed, readProfileFile } from '../readProfileFile';
import { applySourceMaps } from '../sourceMaps/applySourceMaps';
import { SourceMapResolver } from '../sourceMaps/sourceMapResolver';
import { parseProfileBytes } from './detectFormat';
import type { ProfileFormat } from './importedProfile';
import { importToStore, plannedWrites } from './importToStore';
import { PROFILE_ROWS_LABEL, storedWhole } from './storedProfile';
import { fileAnchor, nowAnchor, type TimeAnchor } from './timeAnchor';

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
export async function importProfileFile(store: Store, path: string, displayName: string, labels: Record<string, string>): Promise<FileImportResult> {
  const { bytes, modifiedMs } = await readProfileFile(path, displayName);
  return importProfileBytes(store, bytes, displayName, labels, { anchor: fileAnchor(modifiedMs) });
}

/**
 * Imports a profile's bytes (gzip or not) into the store, unless a profile with the same content is there already:
 * detect the format, parse, map JavaScript frames through their source maps, write every profile in the file with
 * the labels `source`, `format` and `profile_id` plus the caller's. A profile whose file does not say when it was
 * taken is placed by `anchor` (default: it ended now). Throws ProfileImportError (a UserFacingError) for a file that
 * is not a readable profile; nothing is written then.
 */
export async function importProfileBytes(
  store: Store,
  raw: Buffer,
  displayName: string,
  labels: Record<string, string>,
  /** `knownAbsent`: the caller has just found the profile not stored whole (storedWhole), so it is not looked up again. */
  options: { sourceMaps?: boolean; anchor?: TimeAnchor; knownAbsent?: boolean } = {},
): Promise<FileImportResult> {
  const bytes = gunzipIfCompressed(raw, displayName);
  const profileId = profileIdOf(bytes);
  const { format, profiles, notes } = parseProfileBytes(bytes, displayName, options.anchor ?? nowAnchor());
  if (!options.knownAbsent && (await storedWhole(store, profileId, displayName))) {
    return { format, rows: 0, profileId, alreadyStored: true, sourceMapped: 0, unmapped: 0, notes };
  }
  const planned = profiles.map(plannedWrites).reduce((a, b) => ({ writes: a.writes + b.writes, rows: a.rows + b.rows }), { writes: 0, rows: 0 });
  const marker: Record<string, string> = planned.writes > 1 ? { [PROFILE_ROWS_LABEL]: String(planned.rows) } : {};
  let sourceMapped = 0;
  let unmapped = 0;
  const resolver = options.sourceMaps === false ? undefined : new SourceMapResolver();
  let rows = 0;
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
    const written = await importToStore(store, profile, { ...labels, source: displayName, format, profile_id: profileId, ...marker });
    rows += written.rows;
  }
  return { format, rows, profileId, alreadyStored: false, sourceMapped, unmapped, notes };
}

function hasJavaScriptFrames(frames: readonly { file: string }[]): boolean {
  return frames.some(f => /\.(c|m)?js$/.test(f.file) || f.file.startsWith('file://'));
}
