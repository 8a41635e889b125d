import { functionKey, matchAcrossVersions, type FunctionIdentity } from '../common/functionIdentity';

/** A function of one document's costs: its name and the line it was defined at in the text as profiled. */
export interface DocumentFunctionCost {
  name: string;
  line: number;
  total: number;
  self: number;
}

/**
 * Each head function's total in the baseline, found by name and definition (common/functionIdentity.ts): two
 * functions of one name in one file each meet their own baseline, and a function that moved meets itself. Undefined
 * for a function the baseline does not have.
 */
export function baselineTotals(
  head: readonly DocumentFunctionCost[],
  base: readonly DocumentFunctionCost[],
  value: (fn: DocumentFunctionCost) => number = fn => fn.total,
): (fn: { name: string; line: number }) => number | undefined {
  // The document is one file: its functions differ by name and line.
  const identity = (fn: { name: string; line: number }): FunctionIdentity => ({ name: fn.name, file: '', line: fn.line, column: 0 });
  const matched = matchAcrossVersions(base.map(identity), head.map(identity));
  const totals = new Map<string, number>();
  for (const fn of base) {
    const key = matched.a.get(functionKey(identity(fn)))!;
    totals.set(key, (totals.get(key) ?? 0) + value(fn));
  }
  return fn => {
    const key = matched.b.get(functionKey(identity(fn)));
    return key === undefined ? undefined : totals.get(key);
  };
}
