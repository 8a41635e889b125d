import { nodeFunctionKey, type PackedCallTree } from '../common/callTree';
import { frameName, valueColumns, type ValueUnit } from './callTreeHierarchy';

/** One function of a profile, over all the places it was called from. */
export interface FunctionRow {
  /** Identifies the function: its name, file and definition (common/functionIdentity.ts). */
  key: string;
  name: string;
  url: string;
  line: number;
  column: number;
  /** FRAME_KINDS index of its frames. */
  kind: number;
  /** Cost in the chosen unit: the function's own, and with everything it called (recursion counted once). */
  self: number;
  total: number;
  selfSamples: number;
  totalSamples: number;
}

/** The function a tree node belongs to, as FunctionRow.key (one home with the sandwich's: common/callTree.ts). */
export const functionKey = nodeFunctionKey;

/**
 * The profile's functions with their self and total cost, in one pass over the pre-order tree. A function's total
 * counts a node only when no ancestor belongs to the same function, so a recursive function is not counted once
 * per level. The synthetic root is not a function.
 */
export function functionRows(tree: PackedCallTree, unit: ValueUnit): FunctionRow[] {
  const { self, total } = valueColumns(tree, unit);
  const rows = new Map<string, FunctionRow>();
  const keys = new Array<string>(tree.parent.length);
  // The path from the root to the current node, and how many times each function is on it.
  const path: number[] = [];
  const onPath = new Map<string, number>();
  for (let index = 1; index < tree.parent.length; index++) {
    const parent = tree.parent[index]!;
    while (path.length > 0 && path[path.length - 1] !== parent) {
      const left = keys[path.pop()!]!;
      onPath.set(left, onPath.get(left)! - 1);
    }
    const key = functionKey(tree, index);
    keys[index] = key;
    let row = rows.get(key);
    if (!row) {
      row = {
        key,
        name: frameName(tree, index),
        url: tree.strings[tree.url[index] ?? 0] ?? '',
        line: tree.line[index] ?? 0,
        column: tree.column[index] ?? 0,
        kind: tree.kind[index] ?? 1,
        self: 0,
        total: 0,
        selfSamples: 0,
        totalSamples: 0,
      };
      rows.set(key, row);
    }
    row.self += self[index] ?? 0;
    row.selfSamples += tree.selfSamples[index] ?? 0;
    const depth = onPath.get(key) ?? 0;
    if (depth === 0) {
      row.total += total[index] ?? 0;
      row.totalSamples += tree.totalSamples[index] ?? 0;
    }
    onPath.set(key, depth + 1);
    path.push(index);
  }
  return [...rows.values()];
}

/**
 * The nodes a search matches and their share of the whole: a node matches when its function name contains the
 * term, ignoring case (plain text, never a regular expression: a profile's names and a user's typing are not
 * patterns). The share counts a matched node's total once, not again for matches below it.
 */
export function searchTree(tree: PackedCallTree, unit: ValueUnit, term: string): { matches: Set<number>; functions: number; share: number } {
  const needle = term.toLowerCase();
  const total = valueColumns(tree, unit).total;
  const matches = new Set<number>();
  const functions = new Set<string>();
  if (needle === '') return { matches, functions: 0, share: 0 };
  // Per node: whether it or an ancestor matched.
  const covered = new Uint8Array(tree.parent.length);
  let matched = 0;
  for (let index = 1; index < tree.parent.length; index++) {
    const parentCovered = covered[tree.parent[index]!] === 1;
    if (frameName(tree, index).toLowerCase().includes(needle)) {
      matches.add(index);
      functions.add(functionKey(tree, index));
      if (!parentCovered) matched += total[index] ?? 0;
      covered[index] = 1;
    } else {
      covered[index] = parentCovered ? 1 : 0;
    }
  }
  const whole = total[0] ?? 0;
  return { matches, functions: functions.size, share: whole > 0 ? matched / whole : 0 };
}
