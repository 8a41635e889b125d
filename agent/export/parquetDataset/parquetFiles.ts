import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import { randomBytes } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as parquet from 'parquet-wasm';
import { writeFileDurably } from '../../../storage/durableFiles';

/** The key-value metadata entry of a samples file that fingerprints its rows (sampleGroups.ts). */
export const FINGERPRINT_KEY = 'icicle.fingerprint';

/** A file in the dataset that no Parquet reader can open: export stops before writing anything. */
export class DamagedDatasetFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file} is not a readable Parquet file (${reason}): it is left as it is and nothing was exported; move it out of the dataset (or delete it) and export again`);
    this.name = 'DamagedDatasetFileError';
  }
}

/**
 * A table as Parquet with the store's settings (storage/block/blockCodec.ts): ZSTD, dictionaries for strings, delta
 * encoding for timestamps; page statistics are kept (unlike the store's blocks), so engines skip by time.
 */
export function encodeTable(table: Table, metadata: Record<string, string> = {}, deltaColumns: readonly string[] = []): Uint8Array {
  let props = new parquet.WriterPropertiesBuilder().setCompression(parquet.Compression.ZSTD).setDictionaryEnabled(true).setCreatedBy('icicle');
  for (const name of deltaColumns) props = props.setColumnDictionaryEnabled(name, false).setColumnEncoding(name, parquet.Encoding.DELTA_BINARY_PACKED);
  if (Object.keys(metadata).length > 0) props = props.setKeyValueMetadata(new Map(Object.entries(metadata)));
  return parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, 'stream')), props.build());
}

/**
 * Writes a file so that readers see it whole or not at all, also after a crash: a temporary file whose name starts
 * with '.' and does not end in .parquet (Hive, Spark and a `*.parquet` glob all pass it by), synced, renamed over
 * the file, and the folder synced.
 */
export async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  // Shared datasets are read by teammates' and CI's accounts, unlike the store's files.
  await writeFileDurably(path, bytes, { temporary, mode: 0o644 });
}

/** Opens a Parquet file of the dataset (lazily: only the footer and the columns read are loaded). */
async function openParquet(path: string): Promise<parquet.ParquetFile> {
  try {
    return await parquet.ParquetFile.fromFile(await openAsBlob(path));
  } catch (error) {
    throw new DamagedDatasetFileError(path, describe(error));
  }
}

/** A samples file's fingerprint; undefined when the file does not exist. */
export async function fileFingerprint(path: string): Promise<string | undefined> {
  try {
    await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const file = await openParquet(path);
  try {
    return (file.metadata().fileMetadata().keyValueMetadata().get(FINGERPRINT_KEY) as string | undefined) ?? '';
  } finally {
    file.free();
  }
}

/** Every id in one column of the Parquet files directly in `folder` (none when it does not exist). */
export async function idsInFolder(folder: string, column: string): Promise<Set<bigint>> {
  const ids = new Set<bigint>();
  let names: string[];
  try {
    names = (await readdir(folder)).filter(name => name.endsWith('.parquet')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ids;
    throw error;
  }
  for (const name of names) {
    const path = join(folder, name);
    const file = await openParquet(path);
    try {
      const table = tableFromIPC((await file.read({ columns: [column] })).intoIPCStream());
      const vector = table.getChild(column);
      if (!vector) throw new DamagedDatasetFileError(path, `it has no column ${column}`);
      for (const id of vector) ids.add(id as bigint);
    } catch (error) {
      throw error instanceof DamagedDatasetFileError ? error : new DamagedDatasetFileError(path, describe(error));
    } finally {
      file.free();
    }
  }
  return ids;
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200);
}
