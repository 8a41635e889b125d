import type { CallTreeColumns, PackedCallTree } from './callTree';
import type { FramePathStep } from './viewQuery';

/**
 * A frame named by its path from the root (function name and file per step) rather than by its index, which
 * changes whenever a tree is queried again (another time range, other pruning): the zoom survives a re-query.
 */
export function framePathOf(tree: PackedCallTree, index: number): FramePathStep[] {
  const path: FramePathStep[] = [];
  for (let at = index; at > 0; at = tree.parent[at] ?? 0) path.unshift({ name: tree.strings[tree.name[at]!] ?? '', url: tree.strings[tree.url[at]!] ?? '' });
  return path;
}

/**
 * The index of the frame at `path`, or undefined when the tree has no such frame. One forward pass: the tree is in
 * pre-order, so the next step's frame, a child of the current one, comes after it and before anything it matches.
 */
export function findFramePath(tree: CallTreeColumns, path: readonly FramePathStep[]): number | undefined {
  let at = 0;
  let depth = 0;
  for (let i = 1; i < tree.parent.length && depth < path.length; i++) {
    const step = path[depth]!;
    if (tree.parent[i] === at && tree.strings[tree.name[i]!] === step.name && tree.strings[tree.url[i]!] === step.url) {
      at = i;
      depth++;
    }
  }
  return depth === path.length ? at : undefined;
}
