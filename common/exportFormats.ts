/**
 * Every format Icicle writes a selection of the store in, declared once: its id (`icicle export --format ID`, the
 * agent's ExportSelectionRequest), its name in the export picker, what reads it, and the file name extension it is
 * saved with. The writers are the agent's (agent/export/exporters.ts, a Record over these ids: a format listed here
 * without a writer does not compile); the command line's usage, the protocol's schema and the picker derive from this.
 */
export const EXPORT_FORMATS = {
  pprof: { label: 'pprof', description: 'gzipped protobuf: go tool pprof, Pyroscope, Parca', extension: 'pb.gz' },
  collapsed: { label: 'Collapsed stacks', description: 'FlameGraph, speedscope', extension: 'folded' },
  // The development proto of opentelemetry-proto v1.11.0 (agent/import/formats/otlp/otlpVersion.ts).
  otlp: { label: 'OpenTelemetry profiles (OTLP)', description: 'protobuf ProfilesData, v1.11.0 development proto, with trace links', extension: 'otlp.pb' },
} as const satisfies Record<string, { label: string; description: string; extension: string }>;

export type ExportFormat = keyof typeof EXPORT_FORMATS;

/** The export formats' ids, in the table's order (a non-empty tuple, for zod's enum). */
export const EXPORT_FORMAT_IDS = Object.keys(EXPORT_FORMATS) as [ExportFormat, ...ExportFormat[]];

export function isExportFormat(id: string): id is ExportFormat {
  return Object.hasOwn(EXPORT_FORMATS, id);
}
