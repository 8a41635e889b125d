import type { FileCostTable, FunctionAnnotation } from './annotations';
import { baselineTotals } from './baselineTotals';
import type { DocumentCosts } from './costCache';
import { isPseudoFunction, type BaselineDelta, type CostContext } from './costText';

/**
 * One side of a delta in one document: a shown function's self cost summed over the side's runs, found by name and
 * definition (two functions of one name each meet their own; one that moved meets itself), and how many runs ran.
 */
interface Side {
  selfOf: (fn: { name: string; line: number }) => number | undefined;
  runs: number;
}

function sideOf(costs: DocumentCosts | undefined, shown: FileCostTable['functions']): Side | undefined {
  const runs = costs?.runs ?? 0;
  if (!costs || runs === 0) return undefined;
  return { selfOf: baselineTotals(shown, costs.table.functions, f => f.self), runs };
}

/**
 * The deltas of one document's functions: the current branch's mean self cost per run against the base branch's,
 * each over the runs that ran the file (the statistic of the compare panel's rows). When the current branch has no
 * run of the file (another branch's run is shown, or the folder is not a git repository), the samples shown are the
 * head side, over the selection's runs, and the text says so. No delta for unnamed frames, and none when the base
 * branch never ran the file: that tells nothing about whether a function is new. Made once per request, as a file can hold thousands of functions.
 */
export function baselineDeltas(
  context: CostContext | undefined,
  shown: FileCostTable['functions'],
  base: { costs: DocumentCosts | undefined; label: string } | undefined,
  head: { costs: DocumentCosts | undefined; label: string } | undefined,
): (fn: FunctionAnnotation) => BaselineDelta | undefined {
  const baseSide = base && sideOf(base.costs, shown);
  if (!base || !baseSide || !context || context.runs === 0) return () => undefined;
  const headSide = head && sideOf(head.costs, shown);
  return fn => {
    // An unnamed frame (V8's module wrapper at line 1 above all) is no function a reader can find in the file: no delta.
    if (isPseudoFunction(fn.name)) return undefined;
    const baseSelf = baseSide.selfOf(fn);
    const basePerRun = baseSelf === undefined ? undefined : baseSelf / baseSide.runs;
    const common = { basePerRun, label: base.label, unit: context.unit, baseRuns: baseSide.runs };
    const headSelf = headSide?.selfOf(fn);
    if (head && headSide && headSelf !== undefined) return { ...common, perRun: headSelf / headSide.runs, runs: headSide.runs, headLabel: head.label };
    return { ...common, perRun: fn.self / context.runs, runs: context.runs };
  };
}
