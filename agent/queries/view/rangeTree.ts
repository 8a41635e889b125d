import type { PackedCallTree } from '../../../common/callTree';

/**
 * A selection's whole call tree with, per stack of the selection (ascending ids, as mergeStacks lists them), the
 * node its samples end on: what a time range's tree is cut from.
 */
export interface StackTree {
  tree: PackedCallTree;
  stackIds: Uint32Array;
  /** `leafOf[k]`: the node of `stackIds[k]`'s leaf in `tree`. */
  leafOf: Int32Array;
}

/**
 * The call tree of some of a selection's samples, given per stack (`samples[k]` and `values[k]` for the selection's
 * k-th stack; stacks without samples are left out), cut from the selection's whole tree instead of built again. It
 * is the tree buildCallTree makes from those stacks, column for column: the same nodes (those some sample passes
 * through), children in the order the builder first meets them (by the first stack through each), strings in the
 * order it interns them (name and file of each node as it is created), the same sums in the same order. Cutting
 * visits each kept node a few times; building walks every frame of every stack through a hash table.
 */
export function cutStackTree(whole: StackTree, samples: Float64Array, values: Float64Array, toDisplay: (value: number) => number): PackedCallTree {
  const { tree, leafOf } = whole;
  const n = tree.parent.length;
  const selfSamples = new Float64Array(n);
  const selfValue = new Float64Array(n);
  // Per node: the first stack (index k) through it, -1 while no stack in the range passes through it.
  const first = new Int32Array(n).fill(-1);
  const created = new Int32Array(n);
  let createdCount = 0;
  const up: number[] = [];
  first[0] = -2; // The root is always there, made before any stack.
  for (let k = 0; k < samples.length; k++) {
    if (samples[k] === 0) continue;
    const leaf = leafOf[k]!;
    selfSamples[leaf]! += samples[k]!;
    selfValue[leaf]! += toDisplay(values[k]!);
    // The nodes this stack is the first through are the end of its path; the builder makes them top down.
    up.length = 0;
    for (let node = leaf; first[node] === -1; node = tree.parent[node]!) {
      first[node] = k;
      up.push(node);
    }
    for (let j = up.length - 1; j >= 0; j--) created[createdCount++] = up[j]!;
  }

  // Strings as the builder interns them: '' first, then each created node's name and file, then the root's name.
  const strings: string[] = [''];
  const stringOf = new Int32Array(tree.strings.length).fill(-1);
  const intern = (old: number): number => {
    let id = stringOf[old]!;
    if (id < 0) {
      const text = tree.strings[old]!;
      // Two old ids may hold the same text only if the old table repeats it, which the builder never does.
      id = stringOf[old] = strings.push(text) - 1;
    }
    return id;
  };
  stringOf[0] = 0;
  for (let i = 0; i < createdCount; i++) {
    const node = created[i]!;
    intern(tree.name[node]!);
    intern(tree.url[node]!);
  }
  intern(tree.name[0]!);

  // Children of every node, in the whole tree's order, then pre-order over the kept ones, each node's children in
  // the order of their first stack.
  const childStart = new Int32Array(n + 1);
  for (let i = 1; i < n; i++) childStart[tree.parent[i]! + 1]!++;
  for (let i = 0; i < n; i++) childStart[i + 1]! += childStart[i]!;
  const fill = childStart.slice(0, n);
  const children = new Int32Array(Math.max(0, n - 1));
  for (let i = 1; i < n; i++) if (first[i] !== -1) children[fill[tree.parent[i]!]!++] = i;
  const kept = createdCount + 1;
  const order = new Int32Array(kept);
  const newIndex = new Int32Array(n);
  const stack = new Int32Array(kept);
  let top = 0;
  stack[top++] = 0;
  let next = 0;
  while (top > 0) {
    const node = stack[--top]!;
    newIndex[node] = next;
    order[next++] = node;
    const from = childStart[node]!;
    const to = fill[node]!;
    // Few nodes have more than a handful of children: an insertion sort by first stack, in place.
    for (let i = from + 1; i < to; i++) {
      const child = children[i]!;
      let j = i - 1;
      while (j >= from && first[children[j]!]! > first[child]!) {
        children[j + 1] = children[j]!;
        j--;
      }
      children[j + 1] = child;
    }
    for (let i = to - 1; i >= from; i--) stack[top++] = children[i]!;
  }

  const out: PackedCallTree = {
    strings,
    parent: new Array<number>(kept),
    name: new Array<number>(kept),
    url: new Array<number>(kept),
    line: new Array<number>(kept),
    column: new Array<number>(kept),
    kind: new Array<number>(kept),
    selfSamples: new Array<number>(kept),
    totalSamples: new Array<number>(kept),
    selfValue: new Array<number>(kept),
    totalValue: new Array<number>(kept),
  };
  for (let i = 0; i < kept; i++) {
    const old = order[i]!;
    const oldParent = tree.parent[old]!;
    out.parent[i] = oldParent < 0 ? -1 : newIndex[oldParent]!;
    out.name[i] = stringOf[tree.name[old]!]!;
    out.url[i] = stringOf[tree.url[old]!]!;
    out.line[i] = tree.line[old]!;
    out.column[i] = tree.column[old]!;
    out.kind[i] = tree.kind[old]!;
    out.selfSamples[i] = out.totalSamples[i] = selfSamples[old]!;
    out.selfValue[i] = out.totalValue[i] = selfValue[old]!;
  }
  // In pre-order every child follows its parent, so one backward pass sums totals bottom-up, as the builder does.
  for (let i = kept - 1; i > 0; i--) {
    const p = out.parent[i]!;
    out.totalSamples[p]! += out.totalSamples[i]!;
    out.totalValue[p]! += out.totalValue[i]!;
  }
  return out;
}
