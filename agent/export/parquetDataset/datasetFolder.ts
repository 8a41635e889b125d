import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DATASET_FORMAT, DATASET_VERSION, MARKER_FILE } from './datasetLayout';

/** The folder given for a dataset cannot hold one: a mistake in how export was called. */
export class DatasetFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetFolderError';
  }
}

/**
 * Whether `dir` may receive a dataset, and whether it already holds one: it must be a folder that is missing, empty, or
 * an Icicle dataset of this version (its _icicle/dataset.json says so), so that export never litters an unrelated
 * folder nor appends rows of another layout. Throws DatasetFolderError with a sentence otherwise.
 */
export async function checkDatasetFolder(dir: string): Promise<{ exists: boolean; marked: boolean }> {
  if (dir.trim() === '') throw new DatasetFolderError('--out must name a folder for the dataset');
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(dir)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, marked: false };
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') throw new DatasetFolderError(`--out ${dir}: a part of the path is a file, not a folder`);
    throw error;
  }
  if (!isDirectory) throw new DatasetFolderError(`--out ${dir} is a file; the parquet format writes a folder (samples/, stacks/, frames/): give a new or empty folder, or an Icicle dataset to add to`);
  let marker: string;
  try {
    marker = await readFile(join(dir, MARKER_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (await holdsNothing(dir)) return { exists: true, marked: false };
    throw new DatasetFolderError(`--out ${dir} is a folder that is neither empty nor an Icicle dataset (it has no ${MARKER_FILE}): give a new or empty folder, or an Icicle dataset to add to`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(marker);
  } catch {
    throw new DatasetFolderError(`${join(dir, MARKER_FILE)} is damaged (not JSON): it should read ${markerText()}`);
  }
  const { format, version } = (parsed ?? {}) as { format?: unknown; version?: unknown };
  if (format !== DATASET_FORMAT) throw new DatasetFolderError(`${join(dir, MARKER_FILE)} does not describe an Icicle dataset: it should read ${markerText()}`);
  if (version !== DATASET_VERSION) throw new DatasetFolderError(`${dir} is an Icicle dataset of version ${JSON.stringify(version)}, and this Icicle writes version ${DATASET_VERSION}: export into a new folder`);
  return { exists: true, marked: true };
}

/** What _icicle/dataset.json holds. */
export function markerText(): string {
  return JSON.stringify({ format: DATASET_FORMAT, version: DATASET_VERSION });
}

/**
 * Whether a folder is empty, or holds only what an export killed before its marker was in place leaves: `_icicle/`
 * with hidden temporary files (the marker is the first file an export writes).
 */
async function holdsNothing(dir: string): Promise<boolean> {
  const entries = await readdir(dir);
  if (entries.length === 0) return true;
  if (entries.length !== 1 || entries[0] !== dirname(MARKER_FILE)) return false;
  return (await readdir(join(dir, entries[0]))).every(name => name.startsWith('.') && name.endsWith('.tmp'));
}
