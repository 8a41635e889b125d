import { frameName, type PackedCallTree } from '../common/callTree';
import type { DisplayUnit } from '../common/profileTypes';

/**
 * One frame in the nested form d3-flame-graph draws. It carries only what d3-flame-graph reads (name, value,
 * children) plus the frame's index into the packed tree: tooltips, colours and clicks read everything else
 * (self time, URL, line, kind) from the packed columns through that index instead of copying it per node.
 */
export interface FrameDatum {
  name: string;
  /** The frame's total cost in the chosen unit; d3-flame-graph sizes the frame by it. */
  value: number;
  /** Index of this frame in the packed tree's columns. */
  index: number;
  children?: FrameDatum[];
  /**
   * d3-flame-graph's own flag (its zoom hides the siblings of the zoomed frame's ancestors): a hidden frame and its
   * descendants are valued 0 and not drawn. A first paint hides the frames below the screen this way (framesAtDepth).
   */
  hide?: boolean;
}

/**
 * What the frame widths measure: the profile type's values (time in microseconds, bytes, a count) or samples.
 * 'samples' reads the sample columns; the others read the value columns.
 */
export type ValueUnit = DisplayUnit | 'samples';

/**
 * Widths follow the type's values when the profile has any, because samples of unequal intervals misstate cost.
 * Some formats (collapsed stacks, for one) carry only counts, so all values are 0 and samples are the only measure.
 */
export function chooseValueUnit(tree: PackedCallTree, unit: DisplayUnit = 'micros'): ValueUnit {
  return tree.totalValue.some(value => value > 0) ? unit : 'samples';
}

/** The self and total columns a unit reads. */
export function valueColumns(tree: PackedCallTree, unit: ValueUnit): { self: number[]; total: number[] } {
  return unit === 'samples' ? { self: tree.selfSamples, total: tree.totalSamples } : { self: tree.selfValue, total: tree.totalValue };
}

/** Frames are named as the agent's answers name them (common/callTree.ts). */
export { frameName };

/**
 * Builds the nested hierarchy in one forward pass. The packed tree is in pre-order, so every parent is built
 * before its children and appending each node to its parent keeps the children in their original order.
 * No recursion: real trees are deep enough (thousands of levels in recursive code) to overflow the stack.
 * The tree must be sound (see findCallTreeProblem); the message schema checks that before this runs.
 */
export function buildCallTreeHierarchy(tree: PackedCallTree, unit: ValueUnit = chooseValueUnit(tree)): FrameDatum {
  const values = valueColumns(tree, unit).total;
  const count = tree.parent.length;
  const frames = new Array<FrameDatum>(count);
  for (let index = 0; index < count; index++) {
    const frame: FrameDatum = { name: frameName(tree, index), value: values[index] ?? 0, index };
    frames[index] = frame;
    if (index === 0) continue;
    const parent = frames[tree.parent[index] ?? 0]!;
    if (parent.children) parent.children.push(frame);
    else parent.children = [frame];
  }
  return frames[0]!;
}

/**
 * The frames at `depth` below `root` (its children are at depth 1), visiting only the frames above them: on a deep
 * tree, a few hundred of hundreds of thousands. Without recursion, for the same reason as above.
 */
export function framesAtDepth(root: FrameDatum, depth: number): FrameDatum[] {
  const found: FrameDatum[] = [];
  const stack: [FrameDatum, number][] = [[root, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [frame, at] = next;
    if (at === depth) found.push(frame);
    else for (const child of frame.children ?? []) stack.push([child, at + 1]);
  }
  return found;
}

/**
 * The depth of the deepest frame d3-flame-graph draws on the whole profile, zoomed out: frames wider than
 * `minFramePixels` of `width` pixels (d3-flame-graph's filter, widths in proportion to the root's total).
 */
export function deepestDrawnDepth(tree: PackedCallTree, unit: ValueUnit, width: number, minFramePixels: number): number {
  const values = valueColumns(tree, unit).total;
  const whole = values[0] ?? 0;
  if (!(whole > 0)) return 0;
  const depth = new Int32Array(tree.parent.length);
  let deepest = 0;
  for (let index = 1; index < tree.parent.length; index++) {
    depth[index] = depth[tree.parent[index] ?? 0]! + 1;
    if (((values[index] ?? 0) / whole) * width > minFramePixels && depth[index]! > deepest) deepest = depth[index]!;
  }
  return deepest;
}
