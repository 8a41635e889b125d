import { FRAME_KINDS, toPackedCallTree, type CallTreeColumns, type PackedCallTree } from './callTree';

/** The name of the node that stands for a parent's children too narrow (or too deep) to draw. */
export const PRUNED_NAME = '…';

/**
 * The deepest level sent to a flame graph, from the root (or from the zoomed frame). Deeper stacks end in one `…`
 * holding the rest: d3-flame-graph walks its tree recursively when zooming, which overflows the browser's stack
 * somewhere near 10,000 levels, and a thousand rows of 18 px is already more than anyone scrolls through.
 */
export const MAX_DRAWN_DEPTH = 1_000;

/**
 * The tree without the nodes whose total is below `minShare` of the root's: each parent's pruned children (with
 * everything below them) become one `…` child holding their combined cost, so every parent's total still adds up
 * and the pruned time stays visible as such. The kept nodes stay in pre-order, with their columns unchanged.
 *
 * Why: a flame graph cannot show a frame narrower than a pixel, and d3-flame-graph lays out every node it is given
 * on every update (185,000 nodes: seconds per zoom, gigabytes of memory). Measured by value when the tree has
 * values, else by samples. `minShare` 0 prunes nothing by value.
 *
 * With a `focus` node (the frame a user zoomed into), that node's subtree is pruned against the node's own total
 * instead, so the zoomed view is as detailed as an overview of the whole tree; the rest stays pruned as usual.
 * Levels deeper than `maxDepth` are merged the same way, whatever `minShare` is. The tree may come in any column form
 * (the agent's cached trees are typed arrays); what comes out is a PackedCallTree.
 */
export function pruneCallTree(tree: CallTreeColumns, minShare: number, focus?: number, maxDepth = MAX_DRAWN_DEPTH): PackedCallTree {
  const steps = pruneCallTreeSteps(tree, minShare, focus, maxDepth);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Nodes handled between two chances to pause (pruneCallTreeSteps): well under a millisecond of work. */
const NODES_PER_STEP = 8_192;

/**
 * As pruneCallTree, one step per NODES_PER_STEP nodes, so that the agent may give its thread to other requests
 * between steps (it runs them with storage/query/yieldSlice.ts runSliced): an 85,000-node tree takes 3 to 7 ms.
 */
export function* pruneCallTreeSteps(tree: CallTreeColumns, minShare: number, focus?: number, maxDepth = MAX_DRAWN_DEPTH): Generator<void, PackedCallTree> {
  const count = tree.parent.length;
  if (count <= 1) return toPackedCallTree(tree);
  const share = minShare > 0 ? minShare : 0;
  const byValue = Array.prototype.some.call(tree.totalValue, (v: number) => v > 0);
  const totals = byValue ? tree.totalValue : tree.totalSamples;
  const threshold = (totals[0] ?? 0) * share;
  const focused = focus !== undefined && focus > 0 && focus < count;
  const focusThreshold = focused ? (totals[focus] ?? 0) * share : threshold;
  // Depth from the root, or from the focus inside its subtree: a zoomed frame gets its own full depth below it.
  const depth = new Int32Array(count);
  for (let i = 1; i < count; i++) {
    if (i % NODES_PER_STEP === 0) yield;
    depth[i] = depth[tree.parent[i]!]! + 1;
  }
  const focusDepth = focused ? depth[focus!]! : 0;
  // Which nodes stay: the root, and any node at or above its threshold whose parent stays. A node is inside the
  // focused subtree when its parent is the focus or inside it (pre-order: parents are decided first).
  const inFocus = new Uint8Array(count);
  if (focused) inFocus[focus!] = 1;
  const keep = new Uint8Array(count);
  keep[0] = 1;
  let pruned = 0;
  for (let i = 1; i < count; i++) {
    if (i % NODES_PER_STEP === 0) yield;
    const parent = tree.parent[i]!;
    if (parent >= 0 && inFocus[parent] === 1) inFocus[i] = 1;
    const deep = inFocus[i] === 1 ? depth[i]! - focusDepth : depth[i]!;
    if (keep[parent] === 1 && deep <= maxDepth && totals[i]! >= (inFocus[i] === 1 ? Math.min(threshold, focusThreshold) : threshold)) keep[i] = 1;
    else pruned++;
  }
  if (pruned === 0) return toPackedCallTree(tree);

  const out: PackedCallTree = {
    strings: [...tree.strings],
    parent: [], name: [], url: [], line: [], column: [], kind: [],
    selfSamples: [], totalSamples: [], selfValue: [], totalValue: [],
  };
  let prunedName = out.strings.indexOf(PRUNED_NAME);
  if (prunedName < 0) prunedName = out.strings.push(PRUNED_NAME) - 1;
  const newIndex = new Int32Array(count).fill(-1);
  // Per kept parent (by old index): its `…` child's new index, made when its first pruned child is met.
  const ellipsisOf = new Map<number, number>();
  const push = (parent: number, name: number, url: number, line: number, column: number, kind: number, selfSamples: number, totalSamples: number, selfValue: number, totalValue: number): number => {
    out.parent.push(parent);
    out.name.push(name);
    out.url.push(url);
    out.line.push(line);
    out.column.push(column);
    out.kind.push(kind);
    out.selfSamples.push(selfSamples);
    out.totalSamples.push(totalSamples);
    out.selfValue.push(selfValue);
    out.totalValue.push(totalValue);
    return out.parent.length - 1;
  };
  const programKind = FRAME_KINDS.indexOf('program');
  for (let i = 0; i < count; i++) {
    if (i % NODES_PER_STEP === NODES_PER_STEP - 1) yield;
    const parent = tree.parent[i]!;
    if (keep[i] === 1) {
      newIndex[i] = push(parent < 0 ? -1 : newIndex[parent]!, tree.name[i]!, tree.url[i]!, tree.line[i]!, tree.column[i]!, tree.kind[i]!, tree.selfSamples[i]!, tree.totalSamples[i]!, tree.selfValue[i]!, tree.totalValue[i]!);
      continue;
    }
    // Only the top of a pruned subtree counts; its descendants are inside its total already.
    if (keep[parent] !== 1) continue;
    let ellipsis = ellipsisOf.get(parent);
    if (ellipsis === undefined) {
      ellipsis = push(newIndex[parent]!, prunedName, 0, 0, 0, programKind, 0, 0, 0, 0);
      ellipsisOf.set(parent, ellipsis);
    }
    // The `…` node's own cost is all of its subtrees': it has no children to hand any of it to.
    out.selfSamples[ellipsis]! += tree.totalSamples[i]!;
    out.totalSamples[ellipsis]! += tree.totalSamples[i]!;
    out.selfValue[ellipsis]! += tree.totalValue[i]!;
    out.totalValue[ellipsis]! += tree.totalValue[i]!;
  }
  return out;
}
