/**
 * Every profile format Icicle knows, declared once: its id (the `format` label of the samples it imports), its name
 * in messages, the file name extensions it is saved with, and whether Icicle reads it or only recognises it to say
 * what to do instead. Everything else is derived from this table: the names in error messages, the sentence saying
 * what Icicle reads, the open dialog's filters (extension/), and, through a unit test, package.json's custom editor.
 * How a format is recognised and read is the agent's part (agent/import/formatReaders.ts), typed against these ids
 * so that a format listed here without a reader does not compile.
 *
 * The order is the order of the sentence "Icicle reads …"; detection has its own order (formatReaders.ts).
 */
export const PROFILE_FORMATS = {
  cpuprofile: { name: 'V8 CPU profile', readable: true, listName: 'V8 CPU profiles (.cpuprofile)', extensions: ['cpuprofile'], defaultEditor: true },
  'chrome-trace': { name: 'Chrome trace', readable: true, listName: 'Chrome traces', extensions: ['json'] },
  pprof: { name: 'pprof profile', readable: true, listName: 'pprof', extensions: ['pprof', 'prof', 'pb'] },
  // The development proto of opentelemetry-proto v1.11.0 (agent/import/formats/otlp/otlpVersion.ts), protobuf or JSON.
  otlp: { name: 'OpenTelemetry profile (OTLP)', readable: true, listName: 'OpenTelemetry profiles (OTLP)', extensions: ['otlp', 'json'] },
  speedscope: { name: 'speedscope profile', readable: true, listName: 'speedscope files', extensions: ['json'] },
  'perf-script': { name: '`perf script` output', readable: true, listName: '`perf script` output', extensions: ['perf', 'txt'] },
  collapsed: { name: 'collapsed stacks file', readable: true, listName: 'collapsed stacks', extensions: ['folded', 'collapsed', 'txt'] },
  heapprofile: { name: 'V8 sampling heap profile', readable: true, listName: 'V8 heap profiles (.heapprofile)', extensions: ['heapprofile'], defaultEditor: true },
  firefox: { name: 'Firefox Profiler file', readable: false, extensions: ['json'] },
} as const satisfies Record<string, ProfileFormatInfo>;

export type ProfileFormatInfo =
  | {
      /** One file of the format, in messages: "x is not a readable V8 CPU profile". */
      name: string;
      readable: true;
      /** The format in the sentence saying what Icicle reads: "Icicle reads V8 CPU profiles (.cpuprofile), …". */
      listName: string;
      /** Extensions (without the dot) files of the format usually have; detection never looks at them. */
      extensions: readonly string[];
      /**
       * Whether the flame graph is the default editor for files with these extensions (package.json's
       * `customEditors`); only for extensions that no other kind of file uses (not .json or .txt).
       */
      defaultEditor?: boolean;
    }
  | {
      name: string;
      /** Recognised only to refuse it with what to do instead (a Firefox profile). */
      readable: false;
      extensions: readonly string[];
    };

/** Every format Icicle knows, read or refused. */
export type FormatId = keyof typeof PROFILE_FORMATS;

/** A format Icicle reads: the `format` label of imported samples. */
export type ProfileFormat = { [K in FormatId]: (typeof PROFILE_FORMATS)[K]['readable'] extends true ? K : never }[FormatId];

/** A format Icicle recognises only to refuse it. */
export type RefusedFormat = Exclude<FormatId, ProfileFormat>;

const ids = Object.keys(PROFILE_FORMATS) as FormatId[];

/** The formats Icicle reads, in the table's order. */
export const READABLE_FORMATS = ids.filter((id): id is ProfileFormat => PROFILE_FORMATS[id].readable);

export function formatName(format: FormatId): string {
  return PROFILE_FORMATS[format].name;
}

/** "Icicle reads V8 CPU profiles (.cpuprofile), Chrome traces, …, `perf script` output and collapsed stacks". */
export const READABLE_SENTENCE = `Icicle reads ${listOf(READABLE_FORMATS.map(id => PROFILE_FORMATS[id].listName))}`;

/** Any profile may be compressed with gzip (the agent decompresses it before detecting its format). */
export const COMPRESSED_EXTENSIONS: readonly string[] = ['gz'];

/** The extensions the open dialog offers as profiles: every readable format's, each once, and compressed files. */
export const PROFILE_FILE_EXTENSIONS: readonly string[] = [...new Set([...READABLE_FORMATS.flatMap(id => PROFILE_FORMATS[id].extensions), ...COMPRESSED_EXTENSIONS])];

/** The file name patterns the flame graph opens by default (package.json's `customEditors` selector). */
export const DEFAULT_EDITOR_PATTERNS: readonly string[] = READABLE_FORMATS.flatMap(id => {
  const info: ProfileFormatInfo = PROFILE_FORMATS[id];
  return info.readable && info.defaultEditor ? info.extensions.map(extension => `*.${extension}`) : [];
});

function listOf(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
