import type { LabelMatcher } from '../../common/selector';
import { DatasetFolderError, checkDatasetFolder } from '../export/parquetDataset/datasetFolder';
import { DamagedStoreError, exportDataset } from '../export/parquetDataset/exportDataset';
import { DamagedDatasetFileError } from '../export/parquetDataset/parquetFiles';
import { StoreReader } from '../../storage/storeReader';
import { CommandError, UsageError } from './cliErrors';
import type { ExportOptions } from './exportCommand';
import { parseWhere, selectionOf } from './queryContext';

/**
 * `icicle export --format parquet --out DIR`: the selection, of every profile type unless --type names one, written
 * into (or added to) the Parquet dataset DIR. A --out that cannot hold a dataset is a usage error, found before the
 * store is opened; a damaged file already in DIR stops the export before it writes anything.
 */
export async function exportDatasetCommand(options: ExportOptions, log: (line: string) => void): Promise<number> {
  await asUsage(checkDatasetFolder(options.out));
  const matchers = parseWhere(options.where);
  const summary = await StoreReader.read(options.store, async reader => {
    const source = reader.snapshot();
    if (options.type !== undefined) await selectionOf(source, matchers, options.type);
    const selection = { matchers, ...(options.type !== undefined ? { profileType: options.type } : {}) };
    try {
      return await asUsage(exportDataset(source, selection, selectionKey(matchers), options.out));
    } catch (error) {
      if (error instanceof DamagedDatasetFileError || error instanceof DamagedStoreError) throw new CommandError(error.message, { cause: error });
      throw error;
    }
  });
  const perSample = summary.samplesWritten > 0 ? `, ${(summary.samplesBytes / summary.samplesWritten).toFixed(1)} bytes a sample` : '';
  log(
    `wrote ${options.out} (parquet): ${summary.samplesWritten} of ${summary.samples} selected samples in ${summary.filesWritten} new or grown run files` +
      ` (${summary.filesUnchanged} already there), ${summary.stacksWritten} new stacks, ${summary.framesWritten} new frames, ${summary.bytesWritten} bytes${perSample}`,
  );
  return 0;
}

/**
 * The selection as the samples files' names know it: exports of the same --where replace each other's files of a run;
 * the matchers are sorted, so their order on the command line does not matter.
 */
export function selectionKey(matchers: readonly LabelMatcher[]): string {
  return matchers.length === 0 ? '' : JSON.stringify(matchers.map(m => [m.key, m.op, m.value]).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)));
}

async function asUsage<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof DatasetFolderError) throw new UsageError(error.message, 'export');
    throw error;
  }
}
