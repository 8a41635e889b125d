import { writeFile } from 'node:fs/promises';
import { exportCollapsed } from '../export/collapsedExport';
import { exportPprof } from '../export/pprofExport';
import { UsageError } from './cliErrors';
import { openForQuery } from './queryContext';

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
  const context = await openForQuery(options.store, options.where, options.type);
  try {
    const bytes =
      options.format === 'pprof'
        ? await exportPprof(context.source, context.selection)
        : Buffer.from(await exportCollapsed(context.source, context.selection), 'utf8');
    await writeFile(options.out, bytes);
    log(`wrote ${options.out} (${options.format}, ${context.profileType ?? 'no samples'}, ${bytes.length} bytes)`);
    return 0;
  } finally {
    await context.reader.close();
  }
}
