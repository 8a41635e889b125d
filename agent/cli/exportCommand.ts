import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EXPORT_FORMAT_IDS, isExportFormat, isFileExportFormat } from '../../common/exportFormats';
import { EXPORTERS } from '../export/exporters';
import { describeFileError } from '../fileErrors';
import { CommandError, UsageError } from './cliErrors';
import { exportDatasetCommand } from './exportDatasetCommand';
import { readForQuery } from './queryContext';

export interface ExportOptions {
  store: string;
  where: string[];
  type: string | undefined;
  format: string;
  out: string;
}

/** `icicle export`: a selection of the store in one of the export formats (common/exportFormats.ts). */
export async function exportCommand(options: ExportOptions, log: (line: string) => void): Promise<number> {
  const format = options.format;
  if (!isExportFormat(format)) throw new UsageError(`--format must be ${EXPORT_FORMAT_IDS.join(', ').replace(/, ([^,]*)$/, ' or $1')}, not ${JSON.stringify(format)}`, 'export');
  if (!isFileExportFormat(format)) return exportDatasetCommand(options, log);
  const { bytes, profileType } = await readForQuery(options.store, options.where, options.type, async context => ({
    bytes: await EXPORTERS[format](context.source, context.selection),
    profileType: context.profileType,
  }));
  await writeFile(options.out, bytes).catch((error: NodeJS.ErrnoException) => {
    // Node says ENOENT of the file itself, where what is missing is the folder it would go in; and a full disk is
    // met by a write, which names no path.
    if (error.code === 'ENOENT') throw new CommandError(`Cannot write ${options.out}: the folder ${dirname(options.out)} does not exist.`, { cause: error });
    throw new CommandError(describeFileError(error, options.out) ?? error.message, { cause: error });
  });
  log(`wrote ${options.out} (${options.format}, ${profileType ?? 'no samples'}, ${bytes.length} bytes)`);
  return 0;
}
