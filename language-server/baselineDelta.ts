import type { FunctionAnnotation } from './annotations';
import type { DocumentCosts } from './costCache';
import { isPseudoFunction, type BaselineDelta, type CostContext } from './costText';

/** One side of a delta in one document: each function's self cost summed over the side's runs, and how many ran. */
interface Side {
  selfByName: Map<string, number>;
  runs: number;
}

function sideOf(costs: DocumentCosts | undefined): Side | undefined {
  const runs = costs?.runs ?? 0;
  if (!costs || runs === 0) return undefined;
  const selfByName = new Map<string, number>();
  for (const f of costs.table.functions) selfByName.set(f.name, (selfByName.get(f.name) ?? 0) + f.self);
  return { selfByName, runs };
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
  base: { costs: DocumentCosts | undefined; label: string } | undefined,
  head: { costs: DocumentCosts | undefined; label: string } | undefined,
): (fn: FunctionAnnotation) => BaselineDelta | undefined {
  const baseSide = base && sideOf(base.costs);
  if (!base || !baseSide || !context || context.runs === 0) return () => undefined;
  const headSide = head && sideOf(head.costs);
  return fn => {
    // Every `(anonymous)` of a file shares the name: their sums are no one function's, so no delta is made of them.
    if (isPseudoFunction(fn.name)) return undefined;
    const basePerRun = baseSide.selfByName.has(fn.name) ? baseSide.selfByName.get(fn.name)! / baseSide.runs : undefined;
    const common = { basePerRun, label: base.label, unit: context.unit, baseRuns: baseSide.runs };
    const headSelf = headSide?.selfByName.get(fn.name);
    if (head && headSide && headSelf !== undefined) return { ...common, perRun: headSelf / headSide.runs, runs: headSide.runs, headLabel: head.label };
    return { ...common, perRun: fn.self / context.runs, runs: context.runs };
  };
}
