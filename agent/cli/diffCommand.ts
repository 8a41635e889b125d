import { formatSelector, parseSelector } from '../../common/selector';
import { functionLabel } from '../../common/functionIdentity';
import { preferredProfileType, unitOf } from '../../common/profileTypes';
import type { ScanSource, Selection } from '../../storage/query';
import { profileTypes } from '../queries/selectionProfileTypes';
import { runsOf, type RunCosts } from '../queries/runs/runFunctionCosts';
import { StoreReader } from '../../storage/storeReader';
import { compareRuns, type Comparison, type FunctionChange } from '../compare/compareRuns';
import { openDataset } from '../dataset/openDataset';
import { readDatasetSelection } from '../dataset/readSelection';
import { UsageError, whereToSelector } from './cliErrors';
import { DIFF_EXIT } from './diffGate';
import { formatValue } from './queryContext';
import { safe } from './terminalText';

export interface DiffOptions {
  store: string;
  base: string[];
  head: string[];
  /** Percent: a significant regression above it fails the command. */
  threshold: number;
  format: 'text' | 'markdown' | 'json';
  type: string | undefined;
  limit: number;
  /** The false discovery rate of the correction across functions (0.05: 5%). */
  fdr: number;
  /** Fewer runs than this on a side cannot tell a change from noise: the command exits `DIFF_EXIT.tooFewRuns`. */
  minRuns: number;
  /** A Parquet dataset (`icicle export --format parquet`) the base selection is read from, instead of the store. */
  baseDataset?: string;
}


/** Below this many runs a side, the power table (docs/benchmarks.md) shows the test misses even a doubled function. */


/** What each verdict says to people: 'unchanged' is a change the runs could not tell from noise. */
export const VERDICT_TEXT: Record<FunctionChange['verdict'], string> = { regression: 'regression', improvement: 'improvement', unchanged: 'within noise', unknown: 'unknown' };

/**
 * `icicle diff`: compares the base selection with the head, function by function over their runs, and exits 1 when a
 * significant regression is larger than the threshold — so that CI can fail a branch that made things slower, and
 * not one whose runs were merely noisy. 3 when a side has fewer than `minRuns` runs (a gate must not pass because it
 * could not test), 0 otherwise; usage errors (and a side without samples) exit 2.
 */
export async function diffCommand(options: DiffOptions, out: (line: string) => void): Promise<number> {
  const diff = await diffOf(options);
  const { comparison, failing } = diff;
  if (options.format === 'json') {
    out(JSON.stringify(diffJson(diff, options), null, 2));
  } else {
    (options.format === 'markdown' ? markdown : text)(comparison, failing, options, diff.report, out);
  }
  return DIFF_EXIT[diffOutcome(diff, options.minRuns)];
}

/** What the comparison says as a gate: `DIFF_EXIT`'s key, so the exit code and the MCP server's answer agree. */
export function diffOutcome(diff: Diff, minRuns: number): 'regression' | 'tooFewRuns' | 'withinNoise' {
  if (diff.failing.length > 0) return 'regression';
  return tooFew(diff.comparison, minRuns) ? 'tooFewRuns' : 'withinNoise';
}

/** A comparison of the base with the head, and its regressions above the threshold. */
export interface Diff {
  profileType: string;
  comparison: Comparison;
  failing: FunctionChange[];
  report: Report;
}

/** The comparison `icicle diff` makes, whatever it prints: also the MCP server's `compare`. */
export async function diffOf(options: Pick<DiffOptions, 'store' | 'base' | 'head' | 'baseDataset' | 'type' | 'fdr' | 'threshold'>): Promise<Diff> {
  const base = selectionOf('--base', options.base);
  const head = selectionOf('--head', options.head);
  // The dataset is read first and whole (its selection only), so that a missing or damaged one fails before the
  // store is opened, and the store's read view is held only while its own side is read.
  const dataset = options.baseDataset === undefined ? undefined : await datasetSource(options.baseDataset, base, options.type);
  const { profileType, a, b } = await StoreReader.read(options.store, async reader => {
    const store = reader.snapshot();
    const baseSource = dataset ?? store;
    const types = [...new Set([...(await profileTypes(baseSource, base)), ...(await profileTypes(store, head))])];
    const chosen = options.type ?? preferredProfileType(types);
    if (chosen === undefined || (options.type !== undefined && !types.includes(options.type))) {
      const where = dataset ? 'the dataset and the store have' : 'the store has';
      throw new UsageError(`no samples${options.type ? ` of type ${options.type}` : ''} match --base or --head; ${where}: ${types.join(', ') || 'nothing'}`, 'diff');
    }
    const inDataset = options.baseDataset === undefined ? '' : ` in the dataset ${options.baseDataset}`;
    return { profileType: chosen, a: await sideRuns(baseSource, { ...base, profileType: chosen }, '--base', inDataset), b: await sideRuns(store, { ...head, profileType: chosen }, '--head', '') };
  });
  const comparison = compareRuns(a, b, { alpha: options.fdr });
  const failing = comparison.changes.filter(c => c.verdict === 'regression' && c.deltaPercent > options.threshold);
  return { profileType, comparison, failing, report: { base: describe(base), head: describe(head), unit: unitOf(profileType), baseDataset: options.baseDataset } };
}

/** `--format json`'s report: every change, with `limit` changes when given (the MCP server's budget). */
export function diffJson(diff: Diff, options: Pick<DiffOptions, 'threshold' | 'minRuns'>, limit?: number) {
  const { comparison, failing, report, profileType } = diff;
  const changes = limit === undefined ? comparison.changes : comparison.changes.slice(0, limit);
  return { ...report, profileType, threshold: options.threshold, minRuns: options.minRuns, tooFewRuns: tooFew(comparison, options.minRuns), method: comparison.method, a: comparison.a, b: comparison.b, changes, failing: failing.map(c => c.name) };
}

function selectionOf(flag: string, where: readonly string[]): Selection {
  if (where.length === 0) throw new UsageError(`diff needs ${flag} k=v (one or more), the samples of that side`, 'diff');
  try {
    return { matchers: parseSelector(whereToSelector(where)) };
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message}`, 'diff');
  }
}

async function sideRuns(source: ScanSource, selection: Selection, flag: string, where: string): Promise<RunCosts[]> {
  const runs = await runsOf(source, selection);
  if (runs.length === 0) throw new UsageError(`no runs match ${flag} ${describe(selection)}${where}${commaHint(flag, selection)}`, 'diff');
  return runs;
}

/**
 * A hint when a label's value reads as several labels joined by commas (`--base branch=main,commit=abc`, which
 * is one label whose value holds the comma): each label takes a flag of its own.
 */
function commaHint(flag: string, selection: Selection): string {
  const joined = selection.matchers.find(m => m.op === '=' && /,\s*[A-Za-z_][A-Za-z0-9_]*=/.test(m.value));
  if (joined === undefined) return '';
  const parts = `${joined.key}=${joined.value}`.split(/,\s*(?=[A-Za-z_][A-Za-z0-9_]*=)/);
  return `; ${flag} takes one label: for several, repeat it (${parts.map(part => `${flag} ${part}`).join(' ')})`;
}

/** The base selection read from a dataset (of every profile type unless `--type` names one). */
async function datasetSource(dir: string, base: Selection, type: string | undefined): Promise<ScanSource> {
  const dataset = await openDataset(dir);
  return (await readDatasetSelection(dataset, type === undefined ? base : { ...base, profileType: type })).source;
}

function describe(selection: Selection): string {
  return formatSelector(selection.matchers);
}

function signed(value: number, unit: string): string {
  return `${value >= 0 ? '+' : '−'}${formatValue(Math.abs(value), unit)}`;
}

function percent(change: FunctionChange): string {
  if (!Number.isFinite(change.deltaPercent)) return 'new';
  return `${change.deltaPercent >= 0 ? '+' : '−'}${Math.abs(change.deltaPercent).toFixed(1)}%`;
}

function side(figures: { mean: number; sd: number; runs: number }, unit: string): string {
  return figures.runs > 1 ? `${formatValue(figures.mean, unit)} ± ${formatValue(figures.sd, unit)}` : formatValue(figures.mean, unit);
}

type Report = { base: string; head: string; unit: string; baseDataset: string | undefined };

/** Where the base came from, for people: nothing when it is the store's, like the head. */
function fromDataset(report: Report): string {
  return report.baseDataset === undefined ? '' : ` from the dataset ${report.baseDataset}`;
}

function tooFew(comparison: Comparison, minRuns: number): boolean {
  return comparison.a.runs < minRuns || comparison.b.runs < minRuns;
}

function summary(comparison: Comparison, failing: FunctionChange[], options: DiffOptions): string {
  const { threshold, minRuns } = options;
  if (failing.length === 0 && tooFew(comparison, minRuns)) {
    return `Too few runs to tell: ${comparison.a.runs} base and ${comparison.b.runs} head run(s); record at least ${minRuns} on each side (README: how many runs).`;
  }
  if (failing.length === 0) return `No significant regression above ${threshold}%; the rest is within noise.`;
  return `${failing.length} significant regression${failing.length === 1 ? '' : 's'} above ${threshold}%: ${failing.slice(0, 5).map(c => `${safe(c.name)} ${percent(c)}`).join(', ')}.`;
}

function text(comparison: Comparison, failing: FunctionChange[], options: DiffOptions, report: Report, out: (line: string) => void): void {
  const { unit } = report;
  out(`base ${report.base}${safe(fromDataset(report))}: ${comparison.a.runs} run(s), ${side(comparison.a, unit)} per run`);
  out(`head ${report.head}: ${comparison.b.runs} run(s), ${side(comparison.b, unit)} per run`);
  out(`${'verdict'.padEnd(12)} ${'change'.padStart(8)} ${'delta'.padStart(12)}  ${'base'.padEnd(22)} ${'head'.padEnd(22)} function`);
  for (const c of comparison.changes.slice(0, options.limit)) {
    out(`${VERDICT_TEXT[c.verdict].padEnd(12)} ${percent(c).padStart(8)} ${signed(c.delta, unit).padStart(12)}  ${side(c.a, unit).padEnd(22)} ${side(c.b, unit).padEnd(22)} ${safe(functionLabel(c))}`);
  }
  out(summary(comparison, failing, options));
  out(`(${comparison.method})`);
}

function markdown(comparison: Comparison, failing: FunctionChange[], options: DiffOptions, report: Report, out: (line: string) => void): void {
  const { unit } = report;
  const cell = (value: string) => value.replace(/\|/g, '\\|').replace(/[`*_<>[\]]/g, ch => `\\${ch}`);
  out(`**${cell(summary(comparison, failing, options))}**`);
  out('');
  out(`Base ${cell(report.base)}${cell(safe(fromDataset(report)))}: ${comparison.a.runs} run(s) · head ${cell(report.head)}: ${comparison.b.runs} run(s).`);
  out('');
  out('| | function | change | base | head |');
  out('|---|---|---:|---:|---:|');
  for (const c of comparison.changes.slice(0, options.limit)) {
    const mark = c.verdict === 'regression' ? '🔺' : c.verdict === 'improvement' ? '🔻' : '';
    out(`| ${mark} ${VERDICT_TEXT[c.verdict]} | ${cell(safe(functionLabel(c)))} | ${percent(c)} (${signed(c.delta, unit)}) | ${side(c.a, unit)} | ${side(c.b, unit)} |`);
  }
  out('');
  out(`_${comparison.method}._`);
}
