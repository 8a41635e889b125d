/**
 * The generated sections of docs/benchmarks.md: each benchmark's figures of its last run, between markers that
 * `npm run bench` rewrites, with the hand-written prose around them left alone. Pure functions: the run gathers the
 * figures, the date and the machine, and bench/runBenchmarks.ts reads and writes the file.
 */

/** A benchmark's figures, as `--json` prints them (null: not measured, with a `_note` field saying why). */
export type Fields = Record<string, number | string | null>;

/**
 * A benchmark and, declared once beside its field names, which fields are the peers or floors of which: given a
 * figure's field, the fields measured in the same run that it is compared with. Names that are not fields of the run
 * are ignored, so a rule may be written for the naming pattern rather than for each field.
 */
export interface Benchmark {
  run(): Promise<Fields> | Fields;
  peersOf?(field: string): readonly string[];
}

/** What a section says about its run besides the figures. */
export interface RunContext {
  /** The command that measures this section again. */
  command: string;
  /** When the benchmark ended, such as "2026-12-03 09:40 UTC". */
  date: string;
  /** The commit measured, such as "1c1753c" or "1c1753c with uncommitted changes". */
  commit: string;
  /** Cores, processor, memory, Node's version and the load when the run started. */
  machine: string;
}

/** Units, by how a field's name ends; the first that matches wins. A field matching none is a count or a share. */
const UNITS: readonly [suffix: string, unit: string][] = [
  ['_ms', 'ms'],
  ['_pct', '%'],
  ['_mb', 'MB'],
  ['_bytes', 'bytes'],
  ['_ns_per_sample', 'ns'],
  ['_per_sample', 'bytes'],
  ['_per_s', '/s'],
];

export function unitOf(field: string): string {
  return UNITS.find(([suffix]) => field.endsWith(suffix))?.[1] ?? '';
}

/**
 * The command that measures a benchmark again: `npm run bench -- NAME`, after the settings it read from the
 * environment, which are the variables named after it (ICICLE_EDITOR_OPEN_RUNS=5 for editor-open).
 */
export function commandOf(name: string, env: NodeJS.ProcessEnv): string {
  const prefix = `ICICLE_${name.toUpperCase().replace(/-/g, '_')}_`;
  const settings = Object.keys(env)
    .filter(key => key.startsWith(prefix))
    .sort()
    .map(key => `${key}=${env[key]!}`);
  return [...settings, 'npm run bench --', name].join(' ');
}

export function startMarker(name: string): string {
  return `<!-- bench:${name}:start -->`;
}

export function endMarker(name: string): string {
  return `<!-- bench:${name}:end -->`;
}

/** Three significant digits below 1,000, whole numbers with separators above: what these noisy runs can tell apart. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Math.abs(value) >= 1000 ? Math.round(value) : Number(value.toPrecision(3));
  return Math.abs(rounded) >= 1000 ? rounded.toLocaleString('en-US') : String(rounded);
}

function formatValue(field: string, value: Fields[string]): string {
  if (value === null) return 'not measured';
  if (typeof value === 'string') return escapeCell(value);
  const unit = unitOf(field);
  return unit === '' ? formatNumber(value) : unit === '%' || unit === '/s' ? `${formatNumber(value)}${unit}` : `${formatNumber(value)} ${unit}`;
}

/** Notes can hold any text (a peer's error): they must not end a table cell, a row or the generated section. */
function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').replace(/<!--/g, '&lt;!--');
}

/** The peers of a field that this run measured, other than the field itself. */
function peersIn(benchmark: Pick<Benchmark, 'peersOf'>, fields: Fields, field: string): string[] {
  return (benchmark.peersOf?.(field) ?? []).filter(peer => peer !== field && peer in fields);
}

/**
 * The section of one run: a line on the run, then a table with a row for each figure that is no other figure's peer,
 * its peers or floors of the same run, and the figure's ratio to each. Markers included.
 */
export function renderSection(name: string, fields: Fields, benchmark: Pick<Benchmark, 'peersOf'>, context: RunContext): string {
  const names = Object.keys(fields);
  const peerFields = new Set(names.flatMap(field => peersIn(benchmark, fields, field)));
  const rows = names
    .filter(field => !peerFields.has(field))
    .map(field => {
      const value = fields[field]!;
      const peers = peersIn(benchmark, fields, field);
      const peerCell = peers.map(peer => `${peer} ${formatValue(peer, fields[peer]!)}`).join('; ');
      const ratios = peers.map(peer => {
        const of = fields[peer];
        return typeof value === 'number' && typeof of === 'number' && of !== 0 ? `${formatNumber(value / of)}×` : '—';
      });
      return `| ${field} | ${formatValue(field, value)} | ${peerCell === '' ? '—' : peerCell} | ${ratios.length === 0 ? '—' : ratios.join('; ')} |`;
    });
  return [
    startMarker(name),
    `<!-- Written by \`${context.command}\`: the next run of this benchmark replaces everything up to the end marker. -->`,
    `\`${context.command}\`, ${context.date}, commit ${context.commit}; ${context.machine}.`,
    '',
    '| figure | this run | peer or floor, same run | ratio |',
    '|---|---:|---|---:|',
    ...rows,
    endMarker(name),
  ].join('\n');
}

/**
 * The document with the named benchmark's section replaced by `section` (markers included), or appended at the end
 * when the document has none yet. Everything outside the markers is kept byte for byte.
 */
export function replaceSection(doc: string, name: string, section: string): string {
  const start = doc.indexOf(startMarker(name));
  const end = doc.indexOf(endMarker(name));
  if (start === -1 && end === -1) return `${doc.replace(/\n*$/, '')}\n\n${section}\n`;
  if (start === -1 || end < start) throw new Error(`docs/benchmarks.md has a broken section for ${name}: its start and end markers are missing or out of order.`);
  if (doc.indexOf(startMarker(name), start + 1) !== -1) throw new Error(`docs/benchmarks.md has two sections for ${name}.`);
  return doc.slice(0, start) + section + doc.slice(end + endMarker(name).length);
}
