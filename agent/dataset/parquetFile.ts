import { tableFromIPC, type Table } from 'apache-arrow';
import { openAsBlob } from 'node:fs';
import * as parquet from 'parquet-wasm';
import { describeError } from '../../common/errors';
import { describeFileError } from '../fileErrors';
import { damaged, DatasetError, inDataset } from './openDataset';

/** Rows per batch read: the size of the typed arrays one conversion step works on. */
const BATCH_ROWS = 65_536;

/** One Parquet file of a dataset, open: its columns are known without reading its rows. */
export interface ParquetFileReader {
  readonly columns: readonly string[];
  readonly rows: number;
  /** The named columns (those the file has), as Arrow record batches in the file's own types. */
  read(columns: readonly string[]): Promise<Table>;
  close(): void;
}

/**
 * Opens a dataset's Parquet file without reading it whole: the file is a Blob that parquet-wasm reads the footer and
 * the wanted column chunks of. A file that is not Parquet, or is cut short, is reported as damage to the dataset.
 */
export async function openParquetFile(dir: string, path: string): Promise<ParquetFileReader> {
  let blob: Blob;
  try {
    blob = (await openAsBlob(path)) as Blob;
  } catch (error) {
    throw new DatasetError(describeFileError(error) ?? `Cannot read ${path}: ${describeError(error)}.`, { cause: error });
  }
  const name = inDataset(dir, path);
  const unreadable = (error: unknown): DatasetError => damaged(dir, `${name} is not a readable Parquet file (${describeError(error)})`, error);
  let file: parquet.ParquetFile;
  let columns: string[];
  let rows: number;
  try {
    file = await parquet.ParquetFile.fromFile(blob);
    columns = tableFromIPC(file.schema().intoIPCStream()).schema.fields.map(f => f.name);
    rows = Number(file.metadata().fileMetadata().numRows());
  } catch (error) {
    throw unreadable(error);
  }
  return {
    columns,
    rows,
    async read(wanted: readonly string[]): Promise<Table> {
      const present = wanted.filter(c => columns.includes(c));
      try {
        const table = await file.read({ batchSize: BATCH_ROWS, columns: present });
        return tableFromIPC(table.intoIPCStream());
      } catch (error) {
        throw unreadable(error);
      }
    },
    close(): void {
      file.free();
    },
  };
}
