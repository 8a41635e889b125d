import { frameName, type PackedCallTree } from '../../../common/callTree';
import { functionKey } from '../../../common/functionIdentity';
import { PathIndex } from '../../../common/pathMapping';
import { sandwichTrees } from '../../../common/sandwich';
import type { ScanSource, Selection } from '../../../storage/query';
import { classifyStoredFrame } from '../../frameKind';
import { buildCallTreeWithLeavesSliced } from '../../queries/view/callTree';
import { functionCostsOf, type FunctionCost } from '../../queries/stacks/functionCosts';
import { mergeStacks } from '../../queries/stacks/mergeStacks';
import { topTotal } from '../topCommand';

/** A caller or callee of the function, with the value that flowed through it (in the store's unit). */
export interface SandwichRow {
  function: string;
  file: string;
  line: number;
  column: number;
  /** Callers: the function's total reached through this caller. Callees: the callee's total under the function. */
  total: number;
  /** Callees: the callee's own cost under the function; callers: 0 unless the caller is a program's outermost frame. */
  self: number;
}

export interface FunctionSandwich {
  /** The selection's whole as `icicle top` counts it, for percentages. */
  totalValue: number;
  /** The function shown (the costliest of those that match), with `icicle top`'s figures. */
  function: FunctionCost;
  /** Every function that matched the name (and file and line, when given), costliest first. */
  matches: FunctionCost[];
  /** Its direct callers, costliest first, and the part of its total with no caller (it was the stack's root). */
  callers: SandwichRow[];
  calledFromRoot: number;
  /** Its direct callees, costliest first, and its own cost in its outermost calls. */
  callees: SandwichRow[];
  ownSelf: number;
}

export interface WantedFunction {
  /** Whether a function's name is the one wanted. */
  name: (name: string) => boolean;
  /** A path as the profile names it or any tail of it (`src/parse.ts`), matched as the language server matches. */
  file?: string | undefined;
  line?: number | undefined;
}

/**
 * A function's sandwich, as the flame graph's sandwich view shows it (common/sandwich.ts), from the call tree of the
 * selection in the store's own unit: its direct callers and callees with their totals. Undefined `function` when no
 * function matches; the matches otherwise, so a caller can tell which of several it got.
 */
export async function functionSandwich(source: ScanSource, selection: Selection, wanted: WantedFunction): Promise<FunctionSandwich | { matches: [] }> {
  const merged = await mergeStacks(source, selection);
  const costs = functionCostsOf(source.metadata, merged);
  let matches = costs.filter(c => (wanted.name(c.functionName) || wanted.name(nameOf(c))) && (wanted.line === undefined || c.line === wanted.line));
  if (wanted.file !== undefined) {
    const match = new PathIndex(new Set(matches.map(c => c.file)), []).resolve(wanted.file);
    const files = new Set(match?.files ?? []);
    matches = matches.filter(c => files.has(c.file));
  }
  const chosen = matches[0];
  if (chosen === undefined) return { matches: [] };
  // Values stay in the store's unit (no display conversion), so they add up with `icicle top`'s.
  const { tree } = await buildCallTreeWithLeavesSliced(source, merged, classifyStoredFrame, value => value);
  const { callers, callees } = sandwichTrees(tree, functionKey({ name: nameOf(chosen), file: chosen.file, line: chosen.line, column: chosen.column }));
  return {
    totalValue: topTotal(costs),
    function: chosen,
    matches,
    callers: childrenOfRoot(callers),
    calledFromRoot: callers.selfValue[0] ?? 0,
    callees: childrenOfRoot(callees),
    ownSelf: callees.selfValue[0] ?? 0,
  };
}

/** The name as a tree names it: an anonymous function is "(anonymous)" there (common/callTree.ts frameName). */
function nameOf(cost: FunctionCost): string {
  return cost.functionName === '' ? '(anonymous)' : cost.functionName;
}

function childrenOfRoot(tree: PackedCallTree): SandwichRow[] {
  const rows: SandwichRow[] = [];
  for (let i = 1; i < tree.parent.length; i++) {
    if (tree.parent[i] !== 0) continue;
    rows.push({ function: frameName(tree, i), file: tree.strings[tree.url[i] ?? 0] ?? '', line: tree.line[i] ?? 0, column: tree.column[i] ?? 0, total: tree.totalValue[i] ?? 0, self: tree.selfValue[i] ?? 0 });
  }
  return rows.sort((a, b) => b.total - a.total || b.self - a.self);
}
