import { nodeFunctionKey as functionKey, type PackedCallTree } from './callTree';

/**
 * The two halves of a sandwich view of one function, as packed trees the flame graph draws: its callees (every
 * call of the function merged into one root, with what it called below) and its callers (the function as the root,
 * each path that led to it merged, the caller nearest to it first). Both count a recursive function's outermost
 * calls only, so their roots equal the function's total in the function table. Strings are the profile's own.
 */
export function sandwichTrees(tree: PackedCallTree, key: string): { callers: PackedCallTree; callees: PackedCallTree } {
  const count = tree.parent.length;
  const isTarget = new Uint8Array(count);
  for (let i = 1; i < count; i++) if (functionKey(tree, i) === key) isTarget[i] = 1;
  // Per node: whether an ancestor is the function (so this occurrence is inside an outer call of it).
  const insideTarget = new Uint8Array(count);
  const topmost: number[] = [];
  for (let i = 1; i < count; i++) {
    const parent = tree.parent[i]!;
    insideTarget[i] = parent > 0 && (insideTarget[parent] === 1 || isTarget[parent] === 1) ? 1 : 0;
    if (isTarget[i] === 1 && insideTarget[i] === 0) topmost.push(i);
  }
  const first = topmost[0] ?? 0;

  // Callees: the subtrees of the outermost calls, merged under one root.
  const callees = new TreeWriter(tree);
  callees.add(-1, first);
  const calleeIndex = new Int32Array(count).fill(-1);
  for (let i = 1; i < count; i++) {
    if (isTarget[i] === 1 && insideTarget[i] === 0) {
      calleeIndex[i] = 0;
      callees.accumulate(0, tree.selfSamples[i]!, tree.totalSamples[i]!, tree.selfValue[i]!, tree.totalValue[i]!);
      continue;
    }
    const parentIndex = calleeIndex[tree.parent[i]!] ?? -1;
    if (parentIndex < 0) continue;
    const merged = callees.child(parentIndex, i);
    calleeIndex[i] = merged;
    callees.accumulate(merged, tree.selfSamples[i]!, tree.totalSamples[i]!, tree.selfValue[i]!, tree.totalValue[i]!);
  }

  // Callers: for each outermost call, its chain of callers up to the profile's root, carrying the call's total.
  const callers = new TreeWriter(tree);
  callers.add(-1, first);
  for (const call of topmost) {
    const samples = tree.totalSamples[call]!;
    const micros = tree.totalValue[call]!;
    callers.accumulate(0, 0, samples, 0, micros);
    let at = 0;
    for (let caller = tree.parent[call]!; caller > 0; caller = tree.parent[caller]!) {
      at = callers.child(at, caller);
      // The outermost caller (just below the profile's root) is where this path ends: its own share.
      const last = tree.parent[caller]! <= 0;
      callers.accumulate(at, last ? samples : 0, samples, last ? micros : 0, micros);
    }
    // A call made straight from the root has no caller: the function's own root keeps it as self.
    if (tree.parent[call]! <= 0) callers.accumulate(0, samples, 0, micros, 0);
  }
  return { callers: callers.tree, callees: callees.tree };
}

/** Builds a packed tree in pre-order-compatible form: children are merged by function under their parent. */
class TreeWriter {
  readonly tree: PackedCallTree;
  private readonly children = new Map<string, number>();

  constructor(private readonly source: PackedCallTree) {
    this.tree = {
      strings: source.strings,
      parent: [], name: [], url: [], line: [], column: [], kind: [],
      selfSamples: [], totalSamples: [], selfValue: [], totalValue: [],
    };
  }

  /** A new node copying the frame of `sourceIndex`. */
  add(parent: number, sourceIndex: number): number {
    const t = this.tree;
    const s = this.source;
    t.parent.push(parent);
    t.name.push(s.name[sourceIndex] ?? 0);
    t.url.push(s.url[sourceIndex] ?? 0);
    t.line.push(s.line[sourceIndex] ?? 0);
    t.column.push(s.column[sourceIndex] ?? 0);
    t.kind.push(s.kind[sourceIndex] ?? 1);
    t.selfSamples.push(0);
    t.totalSamples.push(0);
    t.selfValue.push(0);
    t.totalValue.push(0);
    return t.parent.length - 1;
  }

  /** The child of `parent` for the function of `sourceIndex`, made on first use. */
  child(parent: number, sourceIndex: number): number {
    const key = `${parent}\u0000${functionKey(this.source, sourceIndex)}`;
    let index = this.children.get(key);
    if (index === undefined) {
      index = this.add(parent, sourceIndex);
      this.children.set(key, index);
    }
    return index;
  }

  accumulate(index: number, selfSamples: number, totalSamples: number, selfValue: number, totalValue: number): void {
    const t = this.tree;
    t.selfSamples[index] = t.selfSamples[index]! + selfSamples;
    t.totalSamples[index] = t.totalSamples[index]! + totalSamples;
    t.selfValue[index] = t.selfValue[index]! + selfValue;
    t.totalValue[index] = t.totalValue[index]! + totalValue;
  }
}
