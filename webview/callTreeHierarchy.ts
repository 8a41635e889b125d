import type { PackedCallTree } from '../common/callTree';
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

/** The label of a frame; anonymous functions get a name a reader recognises rather than an empty frame. */
export function frameName(tree: PackedCallTree, index: number): string {
  const name = tree.strings[tree.name[index] ?? 0] ?? '';
  if (name !== '') return name;
  return index === 0 ? '(all)' : '(anonymous)';
}

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
