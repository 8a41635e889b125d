import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { DATASET_MARKER, DATASET_TABLES } from '../../dataset/datasetLayout';

/**
 * Where each table of an Icicle Parquet dataset lives (docs/design/parquet-dataset.md): fixed names, since users'
 * queries depend on them.
 */
export { DATASET_FORMAT, DATASET_VERSION } from '../../dataset/datasetLayout';
// The names are declared once, beside the reader (agent/dataset/datasetLayout.ts); the writer derives its own from them.
export const MARKER_FILE = join(...DATASET_MARKER);
export const TABLES = DATASET_TABLES;

/**
 * A Hive partition value as a path segment: every byte outside [A-Za-z0-9_.-] percent-encoded, as Hive escapes
 * ':' '/' '=' '%' (Hadoop paths cannot hold ':'); DuckDB and Spark decode it back (tested).
 */
export function partitionValue(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The UTC date of a timestamp in milliseconds, `YYYY-MM-DD`: the `date` partition. */
export function utcDate(timestampMs: number): string {
  return new Date(timestampMs).toISOString().slice(0, 10);
}

/** The folder of one samples partition, relative to the dataset. */
export function samplesPartition(profileType: string, date: string): string {
  return join(TABLES.samples, `profile_type=${partitionValue(profileType)}`, `date=${date}`);
}

/**
 * What one samples file holds: the rows of one run (a recorded session's `session_id`, else an imported profile's
 * `profile_id`, else none) in one partition, within one selection (the export's --where). Its name is a hash of
 * that key, so exporting the run again finds the same file and replaces it, never adds a second.
 */
export interface RunKey {
  selection: string;
  profileType: string;
  date: string;
  sessionId: string | null;
  profileId: string | null;
}

export function runFileName(key: RunKey): string {
  const content = JSON.stringify([key.selection, key.profileType, key.date, key.sessionId, key.profileId]);
  return `run-${createHash('sha256').update(content).digest('hex').slice(0, 32)}.parquet`;
}

/** A frames/ or stacks/ file's name: a hash of the ids it holds, so the same ids make the same file. */
export function idsFileName(ids: readonly bigint[]): string {
  const hash = createHash('sha256');
  for (const id of ids) hash.update(`${id},`);
  return `ids-${hash.digest('hex').slice(0, 32)}.parquet`;
}
