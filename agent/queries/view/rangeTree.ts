import type { CallTreeColumns, PackedCallTree } from '../../../common/callTree';

/**
 * A selection's whole call tree with, per stack of the selection (ascending ids, as mergeStacks lists them), the
 * node its samples end on, and each node's children (`children[childStart[p]]` up to `children[childStart[p + 1]]`):
 * what a time range's tree is cut from.
 */
export interface StackTree {
  tree: PackedCallTree;
  stackIds: Uint32Array;
  /** `leafOf[k]`: the node of `stackIds[k]`'s leaf in `tree`. */
  leafOf: Int32Array;
  /** `tree.parent` as a typed array, read on every step up a stack. */
  parent: Int32Array;
  childStart: Int32Array;
  children: Int32Array;
  /** The per-node arrays a cut works in, kept for the next cut of this tree (CutScratch). */
  scratch: CutScratch;
}

/**
 * A cut's working arrays, one entry per node of the whole tree, reused from one cut to the next: fresh memory costs
 * a page fault per 4 KiB on first touch, and on this project's machines that made the ~8 MB a cut of a 245,000-node
 * tree works in cost more than the cut itself. Two cuts of one tree can run at once (the agent interleaves sliced
 * queries), so a cut that finds them `busy` works in fresh arrays.
 */
export class CutScratch {
  busy = false;
  readonly first: Int32Array;
  readonly created: Int32Array;
  readonly selfSamples: Float64Array;
  readonly selfValue: Float64Array;
  readonly newIndex: Int32Array;
  readonly order: Int32Array;
  readonly stack: Int32Array;

  constructor(readonly nodes: number) {
    this.first = new Int32Array(nodes);
    this.created = new Int32Array(nodes);
    this.selfSamples = new Float64Array(nodes);
    this.selfValue = new Float64Array(nodes);
    this.newIndex = new Int32Array(nodes);
    this.order = new Int32Array(nodes);
    this.stack = new Int32Array(nodes);
  }

  /** Bytes held, for the view cache's accounting. */
  get bytes(): number {
    return this.nodes * 36;
  }
}

/** Stacks or nodes handled between two chances to pause (stackTreeSteps, cutStackTreeSteps): about a millisecond of work. */
const PER_STEP = 8_192;

export function stackTreeOf(tree: PackedCallTree, stackIds: Uint32Array, leafOf: Int32Array): StackTree {
  const steps = stackTreeSteps(tree, stackIds, leafOf);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * As stackTreeOf, one step per PER_STEP nodes, so that the agent may give its thread to other requests between
 * steps (storage/query/yieldSlice.ts runSliced): on the 251,000-node tree of 10M samples it took 38 ms.
 */
export function* stackTreeSteps(tree: PackedCallTree, stackIds: Uint32Array, leafOf: Int32Array): Generator<void, StackTree> {
  const n = tree.parent.length;
  const parent = new Int32Array(tree.parent);
  yield;
  const childStart = new Int32Array(n + 1);
  for (let i = 1; i < n; i++) {
    if (i % PER_STEP === 0) yield;
    childStart[parent[i]! + 1]!++;
  }
  for (let i = 0; i < n; i++) childStart[i + 1]! += childStart[i]!;
  yield;
  const fill = childStart.slice(0, n);
  const children = new Int32Array(Math.max(0, n - 1));
  for (let i = 1; i < n; i++) {
    if (i % PER_STEP === 0) yield;
    children[fill[parent[i]!]!++] = i;
  }
  return { tree, stackIds, leafOf, parent, childStart, children, scratch: new CutScratch(n) };
}

/**
 * The call tree of some of a selection's samples, given per stack (`samples[k]` and `values[k]` for the selection's
 * k-th stack; stacks without samples are left out), cut from the selection's whole tree instead of built again. It
 * is the tree buildCallTree makes from those stacks, column for column: the same nodes (those some sample passes
 * through), children in the order the builder first meets them (by the first stack through each), strings in the
 * order it interns them (name and file of each node as it is created), the same sums in the same order. Cutting
 * visits each kept node a few times; building walks every frame of every stack through a hash table. The columns
 * are typed arrays, cheaper to make than arrays of numbers: pruning turns what it keeps into those.
 */
export function cutStackTree(whole: StackTree, samples: Float64Array, values: Float64Array, toDisplay: (value: number) => number): CallTreeColumns {
  const steps = cutStackTreeSteps(whole, samples, values, toDisplay);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * As cutStackTree, one step per PER_STEP stacks or nodes, so that the agent may give its thread to other requests
 * between steps (storage/query/yieldSlice.ts runSliced): cutting an 85,000-node tree takes 20 ms or more.
 */
export function* cutStackTreeSteps(whole: StackTree, samples: Float64Array, values: Float64Array, toDisplay: (value: number) => number): Generator<void, CallTreeColumns> {
  const scratch = whole.scratch.busy ? new CutScratch(whole.tree.parent.length) : whole.scratch;
  scratch.busy = true;
  try {
    return yield* cutIn(scratch, whole, samples, values, toDisplay);
  } finally {
    scratch.busy = false;
  }
}

/** cutStackTreeSteps' work, in `scratch`'s arrays. */
function* cutIn(scratch: CutScratch, whole: StackTree, samples: Float64Array, values: Float64Array, toDisplay: (value: number) => number): Generator<void, CallTreeColumns> {
  const { tree, leafOf, parent, childStart, children } = whole;
  const selfSamples = scratch.selfSamples.fill(0);
  const selfValue = scratch.selfValue.fill(0);
  // Per node: the first stack (index k) through it, -1 while no stack in the range passes through it.
  const first = scratch.first.fill(-1);
  const created = scratch.created;
  let createdCount = 0;
  const up: number[] = [];
  first[0] = -2; // The root is always there, made before any stack.
  for (let k = 0; k < samples.length; k++) {
    if (k % PER_STEP === PER_STEP - 1) yield;
    if (samples[k] === 0) continue;
    const leaf = leafOf[k]!;
    selfSamples[leaf]! += samples[k]!;
    selfValue[leaf]! += toDisplay(values[k]!);
    // The nodes this stack is the first through are the end of its path; the builder makes them top down.
    up.length = 0;
    for (let node = leaf; first[node] === -1; node = parent[node]!) {
      first[node] = k;
      up.push(node);
    }
    for (let j = up.length - 1; j >= 0; j--) created[createdCount++] = up[j]!;
  }

  // Strings as the builder interns them: '' first, then each created node's name and file, then the root's name.
  // (The whole tree's table holds each text once, as the builder's does, so old ids map to new ones one to one.)
  yield;
  const strings: string[] = [''];
  const stringOf = new Int32Array(tree.strings.length).fill(-1);
  stringOf[0] = 0;
  for (let i = 0; i <= createdCount; i++) {
    const node = i < createdCount ? created[i]! : 0;
    const name = tree.name[node]!;
    if (stringOf[name]! < 0) stringOf[name] = strings.push(tree.strings[name]!) - 1;
    const url = tree.url[node]!;
    if (i < createdCount && stringOf[url]! < 0) stringOf[url] = strings.push(tree.strings[url]!) - 1;
  }

  // Pre-order over the kept nodes, each node's kept children in the order of their first stack.
  const kept = createdCount + 1;
  const { order, newIndex, stack } = scratch;
  const siblings: number[] = [];
  let top = 0;
  stack[top++] = 0;
  let next = 0;
  while (top > 0) {
    if (next % PER_STEP === PER_STEP - 1) yield;
    const node = stack[--top]!;
    newIndex[node] = next;
    order[next++] = node;
    siblings.length = 0;
    for (let i = childStart[node]!; i < childStart[node + 1]!; i++) {
      const child = children[i]!;
      if (first[child] === -1) continue;
      // Few nodes have more than a handful of children: an insertion sort by first stack.
      let j = siblings.length;
      siblings.push(child);
      while (j > 0 && first[siblings[j - 1]!]! > first[child]!) {
        siblings[j] = siblings[j - 1]!;
        j--;
      }
      siblings[j] = child;
    }
    for (let i = siblings.length - 1; i >= 0; i--) stack[top++] = siblings[i]!;
  }

  const out = {
    strings,
    parent: new Int32Array(kept),
    name: new Int32Array(kept),
    url: new Int32Array(kept),
    line: new Float64Array(kept),
    column: new Float64Array(kept),
    kind: new Int32Array(kept),
    selfSamples: new Float64Array(kept),
    totalSamples: new Float64Array(kept),
    selfValue: new Float64Array(kept),
    totalValue: new Float64Array(kept),
  };
  for (let i = 0; i < kept; i++) {
    if (i % PER_STEP === PER_STEP - 1) yield;
    const old = order[i]!;
    out.parent[i] = i === 0 ? -1 : newIndex[parent[old]!]!;
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
    if (i % PER_STEP === 0) yield;
    const p = out.parent[i]!;
    out.totalSamples[p]! += out.totalSamples[i]!;
    out.totalValue[p]! += out.totalValue[i]!;
  }
  return out;
}
