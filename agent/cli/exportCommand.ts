import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportCollapsed } from '../export/collapsedExport';
import { describeFileError } from '../fileErrors';
import { exportPprof } from '../export/pprofExport';
import { CommandError, UsageError } from './cliErrors';
import { readForQuery } from './queryContext';

export interface ExportOptions {
  store: string;
  where: string[];
  type: string | undefined;
  format: string;
  out: string;
}

/** `icicle export`: a selection of the store as pprof (gzipped protobuf) or collapsed stacks. */
export async function exportCommand(options: ExportOptions, log: (line: string) => void): Promise<number> {
  if (options.format !== 'pprof' && options.format !== 'collapsed') throw new UsageError(`--format must be pprof or collapsed, not ${JSON.stringify(options.format)}`);
  const { bytes, profileType } = await readForQuery(options.store, options.where, options.type, async context => ({
    bytes: options.format === 'pprof' ? await exportPprof(context.source, context.selection) : Buffer.from(await exportCollapsed(context.source, context.selection), 'utf8'),
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
