import { functionKey } from '../../../common/functionIdentity';
import type { MetadataStore } from '../../../storage/metadata/metadataStore';
import { functionPositions } from '../stacks/functionPositions';
import { mergeStacksWithLeafLines, type MergedStacks } from '../stacks/mergeStacks';
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
export async function sourceCosts(source: ScanSource, selection: Selection): Promise<SourceCosts> {
  const { merged, leafLines } = await mergeStacksWithLeafLines(source, selection);
  return sourceCostsOf(source.metadata, merged, leafLines);
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

export function sourceCostsOf(metadata: MetadataStore, merged: MergedStacks, leafLines?: Float64Array): SourceCosts {
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
  return {
    total,
    totalSamples,
    files: files
      .map(({ file, functions, lines }) => ({
        file,
        functions: [...functions.values()].map(({ stamp: _stamp, ...cost }) => cost).sort((a, b) => a.line - b.line || compare(a.name, b.name)),
        lines: [...lines.values()].map(({ stamp: _stamp, ...cost }) => cost).sort((a, b) => a.line - b.line),
      }))
      .sort((a, b) => compare(a.file, b.file)),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
