import { functionCosts } from '../../storage/query';
import type { ScanSource } from '../../storage/query/scanSource';
import { unitOf } from '../../common/profileTypes';
import { formatValue, openForQuery, parseWhere, selectionOf, type QueryContext } from './queryContext';

export interface TopOptions {
  store: string;
  where: string[];
  type: string | undefined;
  limit: number;
  json: boolean;
}

export interface TopRow {
  function: string;
  file: string;
  line: number;
  self: number;
  selfPercent: number;
  total: number;
  totalPercent: number;
}

/** `icicle top`: the functions with the most self cost in the selection, with their total cost. */
export async function topCommand(options: TopOptions, out: (line: string) => void): Promise<number> {
  const context = await openForQuery(options.store, options.where, options.type);
  try {
    return await printTop(context, options, out, context.reader.walCorruption !== undefined);
  } finally {
    await context.reader.close();
  }
}

/** The top functions of a store this process holds open (`icicle record`), without opening it a second time. */
export async function topOfSource(source: ScanSource, options: Omit<TopOptions, 'store'>, out: (line: string) => void): Promise<number> {
  const context = { source, ...(await selectionOf(source, parseWhere(options.where), options.type)) };
  return printTop(context, options, out, false);
}

async function printTop(context: Omit<QueryContext, 'reader'>, options: Omit<TopOptions, 'store'>, out: (line: string) => void, walDamaged: boolean): Promise<number> {
  const costs = await functionCosts(context.source, context.selection);
  const metadata = context.source.metadata;
  // The function's line is the first line any of its frames names: its start in V8 and pprof profiles.
  const lineOf = new Map<string, number>();
  for (let id = 1; id <= metadata.frameCount; id++) {
    const frame = metadata.frame(id);
    const key = `${frame.functionName}\u0000${frame.file}`;
    if (frame.line > 0 && !(lineOf.get(key)! <= frame.line)) lineOf.set(key, frame.line);
  }
  const all = costs.reduce((sum, c) => sum + c.self, 0);
  const percent = (v: number): number => (all === 0 ? 0 : Math.round((v / all) * 10_000) / 100);
  const rows: TopRow[] = [...costs]
    .sort((a, b) => b.self - a.self || b.total - a.total || (a.functionName < b.functionName ? -1 : 1))
    .slice(0, options.limit)
    .map(c => ({
      function: c.functionName,
      file: c.file,
      line: lineOf.get(`${c.functionName}\u0000${c.file}`) ?? 0,
      self: c.self,
      selfPercent: percent(c.self),
      total: c.total,
      totalPercent: percent(c.total),
    }));
  if (options.json) {
    out(JSON.stringify({ profileType: context.profileType ?? null, unit: unitOf(context.profileType), totalValue: all, functions: rows }, null, 2));
    return 0;
  }
  const unit = unitOf(context.profileType);
  out(`${context.profileType ?? 'no samples'} — total ${formatValue(all, unit)}${walDamaged ? ' (the store log is damaged: newest writes may be missing)' : ''}`);
  out(`${'self'.padStart(12)} ${'self%'.padStart(7)} ${'total'.padStart(12)} ${'total%'.padStart(7)}  function`);
  for (const r of rows) {
    const where = r.file ? ` ${r.file}${r.line ? `:${r.line}` : ''}` : '';
    out(`${formatValue(r.self, unit).padStart(12)} ${r.selfPercent.toFixed(2).padStart(6)}% ${formatValue(r.total, unit).padStart(12)} ${r.totalPercent.toFixed(2).padStart(6)}%  ${safe(r.function)}${safe(where)}`);
  }
  return 0;
}

/** Function names come from profiles: control characters are shown escaped so they cannot drive the terminal. */
export function safe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
