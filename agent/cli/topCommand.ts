import { functionCosts, type FunctionCost } from '../queries/stacks/functionCosts';
import { labelBreakdown } from '../queries/labels/labelBreakdown';
import { labelKeys } from '../queries/labels/labelQueries';
import { functionLabel } from '../../common/functionIdentity';
import type { ScanSource } from '../../storage/query';
import { describeProfileType, unitOf } from '../../common/profileTypes';
import { formatValue, readForQuery, parseWhere, selectionOf, type QueryContext } from './queryContext';
import { safe } from './terminalText';

export interface TopOptions {
  store: string;
  where: string[];
  type: string | undefined;
  limit: number;
  json: boolean;
  /** `--by LABEL`: the selection's value per value of the label instead of per function. */
  by?: string;
}

export interface TopRow {
  function: string;
  file: string;
  line: number;
  column: number;
  self: number;
  selfPercent: number;
  total: number;
  totalPercent: number;
}

/** `icicle top`: the functions with the most self cost in the selection, with their total cost. */
export async function topCommand(options: TopOptions, out: (line: string) => void): Promise<number> {
  return readForQuery(options.store, options.where, options.type, context =>
    options.by !== undefined ? printByLabel(context, { ...options, by: options.by }, out, context.reader.walCorruption !== undefined) : printTop(context, options, out, context.reader.walCorruption !== undefined),
  );
}

export interface LabelValueRow {
  /** The label's value; null for the samples without it (or with it empty), "(none)" in the text. */
  value: string | null;
  total: number;
  percent: number;
  samples: number;
}

/**
 * `icicle top --by LABEL`: the selection's value per value of the label (agent/queries/labels/labelBreakdown.ts, as the
 * By Label tab shows it), the `--limit` largest and the rest summed, with each one's share of the whole.
 */
async function printByLabel(context: Omit<QueryContext, 'reader'>, options: Omit<TopOptions, 'store'> & { by: string }, out: (line: string) => void, walDamaged: boolean): Promise<number> {
  const breakdown = await labelBreakdown(context.source, options.by, context.selection, options.limit);
  const percent = (v: number): number => (breakdown.total === 0 ? 0 : Math.round((v / breakdown.total) * 10_000) / 100);
  const values: LabelValueRow[] = breakdown.shares.map(share => ({ ...share, percent: percent(share.total) }));
  const others = { ...breakdown.others, percent: percent(breakdown.others.total) };
  const unit = unitOf(context.profileType);
  if (options.json) {
    out(JSON.stringify({ profileType: context.profileType ?? null, unit, key: options.by, totalValue: breakdown.total, samples: breakdown.samples, values, others }, null, 2));
    return 0;
  }
  const type = context.profileType === undefined ? 'no samples' : `${describeProfileType(context.profileType)} (${context.profileType})`;
  out(`${type} by ${options.by} — total ${formatValue(breakdown.total, unit)}${walDamaged ? ' (the store log is damaged: newest writes may be missing)' : ''}`);
  // A label none of the selected samples has is most likely a typo: say which labels they do have.
  if (breakdown.samples > 0 && values.every(v => v.value === null)) {
    const keys = await labelKeys(context.source, context.selection);
    out(`(no selected sample has the label ${options.by}; their labels: ${keys.join(', ') || 'none'})`);
  }
  out(`${'total'.padStart(12)} ${'total%'.padStart(7)} ${'samples'.padStart(9)}  ${options.by}`);
  for (const v of values) out(`${formatValue(v.total, unit).padStart(12)} ${v.percent.toFixed(2).padStart(6)}% ${String(v.samples).padStart(9)}  ${v.value === null ? '(none)' : safe(v.value)}`);
  if (others.values > 0) out(`${formatValue(others.total, unit).padStart(12)} ${others.percent.toFixed(2).padStart(6)}% ${String(others.samples).padStart(9)}  (${others.values} more ${others.values === 1 ? 'value' : 'values'})`);
  return 0;
}

/** The top functions of a store this process holds open (`icicle record`), without opening it a second time. */
export async function topOfSource(source: ScanSource, options: Omit<TopOptions, 'store'>, out: (line: string) => void): Promise<number> {
  const context = { source, ...(await selectionOf(source, parseWhere(options.where), options.type)) };
  return printTop(context, options, out, false);
}

/** The `limit` functions with the most self cost, and the selection's whole value: `icicle top`'s figures, and the MCP server's. */
export async function topRows(context: Omit<QueryContext, 'reader'>, limit: number): Promise<{ totalValue: number; functions: TopRow[] }> {
  const costs = await functionCosts(context.source, context.selection);
  const all = topTotal(costs);
  const percent = (v: number): number => (all === 0 ? 0 : Math.round((v / all) * 10_000) / 100);
  const functions: TopRow[] = [...costs]
    .sort((a, b) => b.self - a.self || b.total - a.total || (a.functionName < b.functionName ? -1 : a.functionName > b.functionName ? 1 : a.line - b.line))
    .slice(0, limit)
    .map(c => ({
      function: c.functionName,
      file: c.file,
      // Where the function is defined: two functions of one name in one file are two rows, each at its own line.
      line: c.line,
      column: c.column,
      self: c.self,
      selfPercent: percent(c.self),
      total: c.total,
      totalPercent: percent(c.total),
    }));
  return { totalValue: all, functions };
}

/** What `icicle top`'s percentages are of: the functions' self costs summed (the samples with a stack). */
export function topTotal(costs: readonly FunctionCost[]): number {
  return costs.reduce((sum, c) => sum + c.self, 0);
}

async function printTop(context: Omit<QueryContext, 'reader'>, options: Omit<TopOptions, 'store'>, out: (line: string) => void, walDamaged: boolean): Promise<number> {
  const { totalValue: all, functions: rows } = await topRows(context, options.limit);
  if (options.json) {
    out(JSON.stringify({ profileType: context.profileType ?? null, unit: unitOf(context.profileType), totalValue: all, functions: rows }, null, 2));
    return 0;
  }
  const unit = unitOf(context.profileType);
  // The type's name for people, and its id for `--type`.
  const type = context.profileType === undefined ? 'no samples' : `${describeProfileType(context.profileType)} (${context.profileType})`;
  out(`${type} — total ${formatValue(all, unit)}${walDamaged ? ' (the store log is damaged: newest writes may be missing)' : ''}`);
  out(`${'self'.padStart(12)} ${'self%'.padStart(7)} ${'total'.padStart(12)} ${'total%'.padStart(7)}  function`);
  for (const r of rows) {
    const label = functionLabel({ name: r.function, file: r.file, line: r.line, column: r.column });
    out(`${formatValue(r.self, unit).padStart(12)} ${r.selfPercent.toFixed(2).padStart(6)}% ${formatValue(r.total, unit).padStart(12)} ${r.totalPercent.toFixed(2).padStart(6)}%  ${safe(label)}`);
  }
  return 0;
}
