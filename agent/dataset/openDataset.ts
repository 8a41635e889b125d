import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describeError, IcicleErrorCode, UserFacingError } from '../../common/errors';
import { describeFileError } from '../fileErrors';
import { DATASET_FORMAT, DATASET_MARKER, DATASET_TABLES, DATASET_VERSION, PARTITION_COLUMNS, partitionOf } from './datasetLayout';

/** A dataset that cannot be read as one: missing, of another version or damaged. The message is for users. */
export class DatasetError extends UserFacingError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(IcicleErrorCode.FileUnreadable, message);
    this.name = 'DatasetError';
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** One file of the samples table, with the partition values its folders give it. */
export interface SampleFile {
  path: string;
  profileType: string;
  /** The samples' UTC date, YYYY-MM-DD. */
  date: string;
}

/** A dataset whose description was checked, and its files (read later, only those a selection needs). */
export interface Dataset {
  dir: string;
  samples: SampleFile[];
  stacks: string[];
  frames: string[];
}

/**
 * Opens the dataset in `dir`: checks its description (format and version) and lists its files. Throws a
 * DatasetError that says what is wrong when the folder is missing, is not a dataset, is of another version or its
 * description is damaged.
 */
export async function openDataset(dir: string): Promise<Dataset> {
  await checkFolder(dir);
  await checkDescription(dir);
  return {
    dir,
    samples: await sampleFiles(dir),
    stacks: await parquetFiles(dir, join(dir, DATASET_TABLES.stacks)),
    frames: await parquetFiles(dir, join(dir, DATASET_TABLES.frames)),
  };
}

/** "The dataset in DIR is damaged: …", the one way every reader says a file of a dataset cannot be trusted. */
export function damaged(dir: string, what: string, cause?: unknown): DatasetError {
  return new DatasetError(`The dataset in ${dir} is damaged: ${what}.`, { cause });
}

/** A path inside the dataset as messages name it. */
export function inDataset(dir: string, path: string): string {
  return relative(dir, path) || path;
}

async function checkFolder(dir: string): Promise<void> {
  let info;
  try {
    info = await stat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new DatasetError(`There is no dataset in ${dir}: the folder does not exist.`);
    throw new DatasetError(describeFileError(error) ?? `Cannot read the dataset in ${dir}: ${describeError(error)}.`, { cause: error });
  }
  if (!info.isDirectory()) throw new DatasetError(`${dir} is a file, not a dataset folder.`);
}

async function checkDescription(dir: string): Promise<void> {
  const marker = join(dir, ...DATASET_MARKER);
  const name = DATASET_MARKER.join('/');
  let text: string;
  try {
    text = await readFile(marker, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DatasetError(`${dir} is not an Icicle dataset: it has no ${name} (icicle export --format parquet writes one).`);
    }
    throw new DatasetError(describeFileError(error) ?? `Cannot read ${marker}: ${describeError(error)}.`, { cause: error });
  }
  let description: unknown;
  try {
    description = JSON.parse(text);
  } catch (error) {
    throw damaged(dir, `${name} is not JSON`, error);
  }
  if (typeof description !== 'object' || description === null || Array.isArray(description)) throw damaged(dir, `${name} is not a JSON object`);
  const { format, version } = description as { format?: unknown; version?: unknown };
  if (format !== DATASET_FORMAT) {
    throw new DatasetError(`${dir} is not an Icicle dataset: its ${name} names the format ${JSON.stringify(format ?? null)}, not ${JSON.stringify(DATASET_FORMAT)}.`);
  }
  if (version !== DATASET_VERSION) {
    const newer = typeof version === 'number' && version > DATASET_VERSION;
    throw new DatasetError(
      `The dataset in ${dir} is of version ${JSON.stringify(version ?? null)}; this Icicle reads version ${DATASET_VERSION}${newer ? ': a newer Icicle wrote it, update Icicle to read it' : ''}.`,
    );
  }
}

/** The samples' files: `samples/profile_type=P/date=D/*.parquet`; files elsewhere in samples/ are not the dataset's. */
async function sampleFiles(dir: string): Promise<SampleFile[]> {
  const root = join(dir, DATASET_TABLES.samples);
  const out: SampleFile[] = [];
  for (const typeFolder of await folderEntries(dir, root)) {
    const type = partitionOf(typeFolder);
    if (type?.key !== PARTITION_COLUMNS.profileType) continue;
    for (const dateFolder of await folderEntries(dir, join(root, typeFolder))) {
      const date = partitionOf(dateFolder);
      if (date?.key !== PARTITION_COLUMNS.date) continue;
      for (const path of await parquetFiles(dir, join(root, typeFolder, dateFolder))) out.push({ path, profileType: type.value, date: date.value });
    }
  }
  return out;
}

/** The `.parquet` files of a folder, sorted; none when the folder is absent (a table with no rows). */
async function parquetFiles(dir: string, folder: string): Promise<string[]> {
  return (await folderEntries(dir, folder)).filter(name => name.endsWith('.parquet') && !name.startsWith('.')).map(name => join(folder, name));
}

async function folderEntries(dir: string, folder: string): Promise<string[]> {
  try {
    return (await readdir(folder)).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw new DatasetError(describeFileError(error) ?? `Cannot list ${inDataset(dir, folder)} of the dataset in ${dir}: ${describeError(error)}.`, { cause: error });
  }
}
