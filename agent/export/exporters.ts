import type { FileExportFormat } from '../../common/exportFormats';
import type { ScanSource, Selection } from '../../storage/query';
import { exportCollapsed } from './collapsedExport';
import { exportOtlp } from './otlpExport';
import { exportPprof } from './pprofExport';

/**
 * The agent's half of the file export formats (common/exportFormats.ts): how each writes a selection, as the file's
 * bytes. A file format declared there without a writer here does not compile.
 */
export const EXPORTERS: Record<FileExportFormat, (source: ScanSource, selection: Selection) => Promise<Uint8Array>> = {
  pprof: (source, selection) => exportPprof(source, selection),
  collapsed: async (source, selection) => Buffer.from(await exportCollapsed(source, selection), 'utf8'),
  otlp: exportOtlp,
};
