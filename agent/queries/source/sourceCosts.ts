import { functionKey } from '../../../common/functionIdentity';
import type { MetadataStore } from '../../../storage/metadata/metadataStore';
import { ShareRanking, type LabelBreakdown } from '../labels/labelBreakdown';
import { functionPositions } from '../stacks/functionPositions';
import { mergeStacksByLabel, mergeStacksWithLeafLines, type MergedStacks } from '../stacks/mergeStacks';
import type { ScanSource, Selection } from '../../../storage/query';

/**
 * A function's cost as the source shows it: identified by name, file and definition (common/functionIdentity.ts),
 * placed where it is defined.
 */
export interface SourceFunctionCost {
  name: string;
  /**
   * Where it is defined (V8: the declaration; pprof: the function's start line), else the smallest line any of its
   * frames names; 0: unknown.
   */
  line: number;
  self: number;
  /** Recursion counted once per sample. */
  total: number;
  selfSamples: number;
  totalSamples: number;
  /**
   * With `splitBy`, and only when some of its samples carry the label: its total split by the label's values (the
   * largest `limit`, "(none)" among them, the rest summed), adding up to `total`.
   */
  split?: LabelBreakdown;
}

export interface SourceLineCost {
  line: number;
  self: number;
  total: number;
  selfSamples: number;
  totalSamples: number;
}

/** Everything one source file costs in a selection. */
export interface FileCosts {
  /** The file as the profile names it (a path, a file:// or webpack:// URL...). */
  file: string;
  functions: SourceFunctionCost[];
  lines: SourceLineCost[];
}

export interface SourceCosts {
  files: FileCosts[];
  /** The selection's whole value and samples: what shares are of. */
  total: number;
  totalSamples: number;
}

/**
 * Per-function and per-line cost of every source file in the selection, in one pass over its distinct stacks: what
 * the language server keeps in memory to answer hovers, code lenses and line heat without a query each. A sample's
 * leaf counts at the line it was executing (the `line` column) when known, else at its frame's line; a caller counts
 * at its frame's line when that is a call site, not when it is the function's first line: V8 names only where a
 * calling function starts, and charging every caller's time to its first line would light up declarations and
 * the module's first line instead of the lines that call. Frames without a file are left out (their cost is still
 * in the totals).
 */
export async function sourceCosts(source: ScanSource, selection: Selection, options: { splitBy?: { key: string; limit: number } } = {}): Promise<SourceCosts> {
  const { merged, leafLines } = await mergeStacksWithLeafLines(source, selection);
  // A second scan, by stack and label, only when the store has the label at all (a store without spans pays nothing).
  const byLabel = options.splitBy && (await mergeStacksByLabel(source, selection, options.splitBy.key));
  return sourceCostsOf(source.metadata, merged, leafLines, byLabel ? { ...byLabel, limit: options.splitBy!.limit } : undefined);
}

/** The selection's stacks merged per value of a label (mergeStacksByLabel), to split each function's total by. */
export interface LabelSplitInput {
  merged: MergedStacks;
  labels: readonly (string | null)[];
  limit: number;
}

const NOT_SEEN = -1;
const NO_FILE = -2;

interface Accumulator {
  self: number;
  total: number;
  selfSamples: number;
  totalSamples: number;
  /** The last merged row that added to `total`, so a row adds once however many of its frames land here. */
  stamp: number;
}

/** A function's running split by a label: per value (null: without it) its total and samples. */
interface SplitAccumulator {
  byValue: Map<string | null, { total: number; samples: number }>;
  /** Some sample carried the label: only then is the split shown. */
  labelled: boolean;
  /** As `stamp`, over the rows merged by label. */
  stamp: number;
}

export function sourceCostsOf(metadata: MetadataStore, merged: MergedStacks, leafLines?: Float64Array, split?: LabelSplitInput): SourceCosts {
  const fileIds = new Map<string, number>();
  const files: { file: string; functions: Map<string, SourceFunctionCost & Accumulator>; lines: Map<number, SourceLineCost & Accumulator> }[] = [];
  // Per stored frame: its file's index (or NO_FILE) and its function's accumulator, computed once.
  const fileOf = new Int32Array(metadata.frameCount + 1).fill(NOT_SEEN);
  const functionOf: (SourceFunctionCost & Accumulator)[] = [];
  const lineOf = new Int32Array(metadata.frameCount + 1);
  const positionOf = functionPositions(metadata);
  let total = 0;
  let totalSamples = 0;
  const add = (cost: Accumulator, row: number, leaf: boolean, value: number, samples: number): void => {
    if (leaf) {
      cost.self += value;
      cost.selfSamples += samples;
    }
    if (cost.stamp !== row) {
      cost.stamp = row;
      cost.total += value;
      cost.totalSamples += samples;
    }
  };
  // First the frames: each function's first line must be known before any caller is charged to a line.
  for (let row = 0; row < merged.stackIds.length; row++) {
    if (merged.stackIds[row] === 0) continue;
    const frames = metadata.stack(merged.stackIds[row]!);
    for (let k = 0; k < frames.length; k++) {
      const frameId = frames[k]!;
      if (fileOf[frameId] !== NOT_SEEN) continue;
      const frame = metadata.frame(frameId);
      if (frame.file === '') {
        fileOf[frameId] = NO_FILE;
        continue;
      }
      let fileIndex = fileIds.get(frame.file) ?? -1;
      if (fileIndex < 0) {
        fileIndex = files.push({ file: frame.file, functions: new Map(), lines: new Map() }) - 1;
        fileIds.set(frame.file, fileIndex);
      }
      const functions = files[fileIndex]!.functions;
      // Where the function is defined; one whose start is unknown at the first line its frames name.
      const definition = positionOf(frame);
      const key = functionKey({ name: frame.functionName, file: frame.file, ...definition });
      let fn = functions.get(key);
      if (fn === undefined) {
        fn = { name: frame.functionName, line: definition.line, self: 0, total: 0, selfSamples: 0, totalSamples: 0, stamp: -1 };
        functions.set(key, fn);
      }
      functionOf[frameId] = fn;
      lineOf[frameId] = frame.line;
      fileOf[frameId] = fileIndex;
    }
  }
  for (let row = 0; row < merged.stackIds.length; row++) {
    const value = merged.values[row]!;
    const samples = merged.samples[row]!;
    total += value;
    totalSamples += samples;
    if (merged.stackIds[row] === 0) continue;
    const frames = metadata.stack(merged.stackIds[row]!);
    for (let k = 0; k < frames.length; k++) {
      const frameId = frames[k]!;
      const fileIndex = fileOf[frameId]!;
      if (fileIndex === NO_FILE) continue;
      const fn = functionOf[frameId]!;
      add(fn, row, k === 0, value, samples);
      const line = k === 0 && leafLines && leafLines[row]! > 0 ? leafLines[row]! : lineOf[frameId]!;
      if (line <= 0 || (k > 0 && line === fn.line)) continue;
      const lines = files[fileIndex]!.lines;
      let cost = lines.get(line);
      if (cost === undefined) {
        cost = { line, self: 0, total: 0, selfSamples: 0, totalSamples: 0, stamp: -1 };
        lines.set(line, cost);
      }
      add(cost, row, k === 0, value, samples);
    }
  }
  const splits = split ? splitFunctions(metadata, split, fileOf, functionOf) : undefined;
  const output = (fn: SourceFunctionCost & Accumulator): SourceFunctionCost => {
    const { name, line, self, total, selfSamples, totalSamples } = fn;
    const breakdown = splits?.get(fn);
    return { name, line, self, total, selfSamples, totalSamples, ...(breakdown ? { split: breakdown } : {}) };
  };
  return {
    total,
    totalSamples,
    files: files
      .map(({ file, functions, lines }) => ({
        file,
        functions: [...functions.values()].map(output).sort((a, b) => a.line - b.line || compare(a.name, b.name)),
        lines: [...lines.values()].map(({ stamp: _stamp, ...cost }) => cost).sort((a, b) => a.line - b.line),
      }))
      .sort((a, b) => compare(a.file, b.file)),
  };
}

/**
 * Each function's total split by the label's values, from the rows merged per (stack, value): a row adds once to a
 * function however many of its frames are the function's (recursion), as the total does, so the parts add up to it.
 * The frames are those `sourceCostsOf` already placed (the same snapshot holds the same stacks).
 */
function splitFunctions(
  metadata: MetadataStore,
  split: LabelSplitInput,
  fileOf: Int32Array,
  functionOf: readonly (SourceFunctionCost & Accumulator)[],
): Map<SourceFunctionCost, LabelBreakdown> {
  const running = new Map<SourceFunctionCost, SplitAccumulator>();
  const { merged, labels } = split;
  // The rows come sorted by stack, each stack once per value: its frames are read once for all its values.
  let frames: ArrayLike<number> = [];
  let framesOf = 0;
  for (let row = 0; row < merged.stackIds.length; row++) {
    const stackId = merged.stackIds[row]!;
    if (stackId === 0) continue;
    const value = labels[row] ?? null;
    if (stackId !== framesOf) {
      frames = metadata.stack(stackId);
      framesOf = stackId;
    }
    for (let k = 0; k < frames.length; k++) {
      const frameId = frames[k]!;
      if (fileOf[frameId]! < 0) continue;
      const fn = functionOf[frameId];
      if (fn === undefined) continue;
      let acc = running.get(fn);
      if (acc === undefined) {
        acc = { byValue: new Map(), labelled: false, stamp: -1 };
        running.set(fn, acc);
      }
      if (acc.stamp === row) continue;
      acc.stamp = row;
      const part = acc.byValue.get(value) ?? { total: 0, samples: 0 };
      part.total += merged.values[row]!;
      part.samples += merged.samples[row]!;
      acc.byValue.set(value, part);
      if (value !== null && value !== '') acc.labelled = true;
    }
  }
  const out = new Map<SourceFunctionCost, LabelBreakdown>();
  for (const [fn, acc] of running) {
    if (!acc.labelled) continue;
    const ranking = new ShareRanking(split.limit);
    for (const [value, part] of acc.byValue) ranking.add(value, part.total, part.samples);
    out.set(fn, ranking.finish());
  }
  return out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
