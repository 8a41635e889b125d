import type { PackedCallTree } from './callTree';
import { PRUNED_NAME } from './pruneCallTree';

/**
 * The base side's cost laid onto the head's call tree, for a differential flame graph: per head node, the base's self
 * value of the same call path (same function, file, line and column at every step). A base path the head does not
 * have, or has pruned into a `…` node, is charged to the nearest node it shares: its `…` child when there is one,
 * else the last common frame. So the deltas add up to the difference of the totals, except for code the head no
 * longer calls at all, which has nowhere to be drawn (a flame graph shows what ran).
 */
export function baseSelfOnto(head: PackedCallTree, base: PackedCallTree): number[] {
  const key = (tree: PackedCallTree, parent: number, i: number) =>
    `${parent}\u0000${tree.strings[tree.name[i]!]}\u0000${tree.strings[tree.url[i]!]}\u0000${tree.line[i]}\u0000${tree.column[i]}`;
  const childOf = new Map<string, number>();
  const prunedChildOf = new Map<number, number>();
  for (let i = 1; i < head.parent.length; i++) {
    childOf.set(key(head, head.parent[i]!, i), i);
    if (head.strings[head.name[i]!] === PRUNED_NAME) prunedChildOf.set(head.parent[i]!, i);
  }
  const baseSelf = new Array<number>(head.parent.length).fill(0);
  // Where each base node lands in the head, and whether it landed exactly (its children can then be looked up).
  const landed = new Int32Array(base.parent.length);
  const exact = new Uint8Array(base.parent.length);
  exact[0] = 1;
  for (let i = 1; i < base.parent.length; i++) {
    const parent = base.parent[i]!;
    const at = landed[parent]!;
    const found = exact[parent] === 1 ? childOf.get(key(base, at, i)) : undefined;
    if (found !== undefined) {
      landed[i] = found;
      exact[i] = 1;
    } else {
      landed[i] = exact[parent] === 1 ? (prunedChildOf.get(at) ?? at) : at;
    }
  }
  for (let i = 0; i < base.parent.length; i++) baseSelf[landed[i]!]! += base.selfValue[i]!;
  return baseSelf;
}

/** A tree's strings with each of the prefixes (a checkout's path, as a path or a file URL) cut off. */
export function stripPrefixes(tree: PackedCallTree, prefixes: readonly string[]): PackedCallTree {
  if (prefixes.length === 0) return tree;
  return {
    ...tree,
    strings: tree.strings.map(s => {
      for (const prefix of prefixes) if (s.startsWith(prefix)) return s.slice(prefix.length);
      return s;
    }),
  };
}

/** The tree with every value multiplied by `factor` (per-run means: 1 / runs); samples are left as counted. */
export function scaleValues(tree: PackedCallTree, factor: number): PackedCallTree {
  if (factor === 1) return tree;
  return { ...tree, selfValue: tree.selfValue.map(v => v * factor), totalValue: tree.totalValue.map(v => v * factor) };
}
