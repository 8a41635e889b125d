import { functionKey } from '../../common/functionIdentity';
import type { MetadataStore } from '../metadata/metadataStore';
import { COLUMN } from '../schema';
import { executePlan } from './execute';
import { functionPositions } from './functionPositions';
import { count, scan, sum } from './logicalPlan';
import { mergeStacks, type MergedStacks } from './mergeStacks';
import { numbers } from './resultColumns';
import type { ScanSource } from './scanSource';
import { selectionPredicate, type Selection } from './selection';

/**
 * Cost of one function, identified by name, file and definition (common/functionIdentity.ts), all its lines and call
 * sites together.
 */
export interface FunctionCost {
  functionName: string;
  file: string;
  /** Where the function is defined, 1-based; 0 when unknown. */
  line: number;
  column: number;
  /** Summed value of samples whose leaf frame is this function. */
  self: number;
  /** Summed value of samples whose stack contains the function at least once (recursion counted once). */
  total: number;
  selfSamples: number;
  totalSamples: number;
}

/** Cost of one line of a file, from the frames whose (file, line) it is. */
export interface LineCost {
  line: number;
  self: number;
  total: number;
  selfSamples: number;
  totalSamples: number;
}

/**
 * Per-function self and total cost of the selected samples, most expensive (total, then self) first, ties by
 * name, file, then definition. Works on merged stacks, so the per-sample cost is one aggregate and the per-stack walk runs
 * once per distinct stack.
 */
export async function functionCosts(source: ScanSource, selection: Selection): Promise<FunctionCost[]> {
  return functionCostsOf(source.metadata, await mergeStacks(source, selection));
}

export function functionCostsOf(metadata: MetadataStore, merged: MergedStacks): FunctionCost[] {
  const functionOf = new Int32Array(metadata.frameCount + 1).fill(-1);
  const positionOf = functionPositions(metadata);
  const ids = new Map<string, number>();
  const costs: FunctionCost[] = [];
  const fn = (frameId: number): number => {
    let f = functionOf[frameId]!;
    if (f >= 0) return f;
    const frame = metadata.frame(frameId);
    const { line, column } = positionOf(frame);
    const key = functionKey({ name: frame.functionName, file: frame.file, line, column });
    f = ids.get(key) ?? -1;
    if (f < 0) {
      f = costs.length;
      costs.push({ functionName: frame.functionName, file: frame.file, line, column, self: 0, total: 0, selfSamples: 0, totalSamples: 0 });
      ids.set(key, f);
    }
    functionOf[frameId] = f;
    return f;
  };
  // The stamp of the last stack that counted a function, so recursion adds to total once per stack.
  let stamps = new Int32Array(1024).fill(-1);
  for (let s = 0; s < merged.stackIds.length; s++) {
    if (merged.stackIds[s] === 0) continue;
    const frames = metadata.stack(merged.stackIds[s]!);
    const value = merged.values[s]!;
    const samples = merged.samples[s]!;
    for (let k = 0; k < frames.length; k++) {
      const f = fn(frames[k]!);
      if (f >= stamps.length) {
        const grown = new Int32Array(stamps.length * 2).fill(-1);
        grown.set(stamps);
        stamps = grown;
      }
      const cost = costs[f]!;
      if (k === 0) {
        cost.self += value;
        cost.selfSamples += samples;
      }
      if (stamps[f] !== s) {
        stamps[f] = s;
        cost.total += value;
        cost.totalSamples += samples;
      }
    }
  }
  return costs
    .filter(c => c.total > 0 || c.totalSamples > 0)
    .sort((a, b) => b.total - a.total || b.self - a.self || compare(a.functionName, b.functionName) || compare(a.file, b.file) || a.line - b.line || a.column - b.column);
}

/**
 * Self and total cost per line of one file. A sample's leaf frame counts at the line it was executing when the
 * profile recorded it (the `line` column: V8's positionTicks, pprof's leaf line), else at the frame's own line;
 * callers count at their frames' lines.
 */
export async function lineCosts(source: ScanSource, selection: Selection, file: string): Promise<LineCost[]> {
  const { merged, leafLines } = await mergeStacksWithLeafLines(source, selection);
  return lineCostsOf(source.metadata, merged, file, leafLines);
}

/**
 * The selection's stacks merged per (stack, leaf line): the value and samples of each, with the line the leaf was
 * executing (0: unknown). Without a line column (an older store), merged per stack with no leaf lines.
 */
export async function mergeStacksWithLeafLines(source: ScanSource, selection: Selection): Promise<{ merged: MergedStacks; leafLines: Float64Array | undefined }> {
  if (!source.columnNames().includes(COLUMN.line)) return { merged: await mergeStacks(source, selection), leafLines: undefined };
  const plan = scan()
    .where(selectionPredicate(selection))
    .aggregate([COLUMN.stackId, COLUMN.line], [sum(COLUMN.value, 'value'), count('samples')])
    .build();
  const { table } = await executePlan(plan, source);
  const stackIds = Uint32Array.from(numbers(table, COLUMN.stackId));
  // A null line (a block written before the column existed) reads as NaN here: unknown, like 0.
  const leafLines = Float64Array.from(numbers(table, COLUMN.line), line => (line > 0 ? line : 0));
  return { merged: { stackIds, values: numbers(table, 'value'), samples: numbers(table, 'samples') }, leafLines };
}

/** Per frame in lineCostsOf: its line in the file, 0 when in the file at an unknown line, or one of these. */
const NOT_COMPUTED = -1;
const NOT_IN_FILE = -2;

export function lineCostsOf(metadata: MetadataStore, merged: MergedStacks, file: string, leafLines?: Float64Array): LineCost[] {
  const lineOf = new Int32Array(metadata.frameCount + 1).fill(NOT_COMPUTED);
  const costs = new Map<number, LineCost & { stamp: number }>();
  for (let s = 0; s < merged.stackIds.length; s++) {
    if (merged.stackIds[s] === 0) continue;
    const frames = metadata.stack(merged.stackIds[s]!);
    const value = merged.values[s]!;
    const samples = merged.samples[s]!;
    for (let k = 0; k < frames.length; k++) {
      const frameId = frames[k]!;
      let line = lineOf[frameId]!;
      if (line === NOT_COMPUTED) {
        const frame = metadata.frame(frameId);
        lineOf[frameId] = line = frame.file !== file ? NOT_IN_FILE : frame.line > 0 ? frame.line : 0;
      }
      if (line === NOT_IN_FILE) continue;
      // The leaf's executing line, when known, replaces its frame's line (the function's first line in V8, which
      // V8 does not always know).
      if (k === 0 && leafLines && leafLines[s]! > 0) line = leafLines[s]!;
      if (line === 0) continue;
      let cost = costs.get(line);
      if (cost === undefined) {
        cost = { line, self: 0, total: 0, selfSamples: 0, totalSamples: 0, stamp: -1 };
        costs.set(line, cost);
      }
      if (k === 0) {
        cost.self += value;
        cost.selfSamples += samples;
      }
      if (cost.stamp !== s) {
        cost.stamp = s;
        cost.total += value;
        cost.totalSamples += samples;
      }
    }
  }
  return [...costs.values()]
    .sort((a, b) => a.line - b.line)
    .map(({ line, self, total, selfSamples, totalSamples }) => ({ line, self, total, selfSamples, totalSamples }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
