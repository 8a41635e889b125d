/**
 * Every format Icicle writes a selection of the store in, declared once: its id (`icicle export --format ID`, the
 * agent's ExportSelectionRequest), its name in the export picker, what reads it, and whether it writes one file (with
 * the extension it is saved with) or a folder. The file writers are the agent's (agent/export/exporters.ts, a Record
 * over the file formats' ids: a format listed here without a writer does not compile); the folder format is the
 * Parquet dataset (agent/export/parquetDataset/). The command line's usage derives from this table; the protocol's
 * schema and the picker (which save one file) from its file formats.
 */
export const EXPORT_FORMATS = {
  pprof: { label: 'pprof', description: 'gzipped protobuf: go tool pprof, Pyroscope, Parca', writes: 'file', extension: 'pb.gz' },
  collapsed: { label: 'Collapsed stacks', description: 'FlameGraph, speedscope', writes: 'file', extension: 'folded' },
  // The development proto of opentelemetry-proto v1.11.0 (agent/import/formats/otlp/otlpVersion.ts).
  otlp: { label: 'OpenTelemetry profiles (OTLP)', description: 'protobuf ProfilesData, v1.11.0 development proto, with trace links', writes: 'file', extension: 'otlp.pb' },
  // docs/design/parquet-dataset.md: appended to idempotently, read by SQL alone.
  parquet: { label: 'Parquet dataset', description: 'a folder of Hive-partitioned samples/, stacks/, frames/: DuckDB, Spark, Trino', writes: 'folder' },
} as const satisfies Record<string, { label: string; description: string } & ({ writes: 'file'; extension: string } | { writes: 'folder' })>;

export type ExportFormat = keyof typeof EXPORT_FORMATS;

/** The formats that write one file (the picker's and the agent's request's). */
export type FileExportFormat = { [F in ExportFormat]: (typeof EXPORT_FORMATS)[F] extends { writes: 'file' } ? F : never }[ExportFormat];

/** The export formats' ids, in the table's order (a non-empty tuple, for zod's enum). */
export const EXPORT_FORMAT_IDS = Object.keys(EXPORT_FORMATS) as [ExportFormat, ...ExportFormat[]];

/** The ids of the formats that write one file, in the table's order. */
export const FILE_EXPORT_FORMAT_IDS = EXPORT_FORMAT_IDS.filter(id => EXPORT_FORMATS[id].writes === 'file') as [FileExportFormat, ...FileExportFormat[]];

export function isExportFormat(id: string): id is ExportFormat {
  return Object.hasOwn(EXPORT_FORMATS, id);
}

export function isFileExportFormat(id: ExportFormat): id is FileExportFormat {
  return EXPORT_FORMATS[id].writes === 'file';
}
