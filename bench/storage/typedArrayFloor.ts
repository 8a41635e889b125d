import type { GeneratedCatalog, GeneratedSamples } from './generateSamples';
import { compactDense, expandToLines, type MergeResult, type PerLineResult, type StackCatalog } from './mergeResult';

/**
 * The floor: the same columns as plain typed arrays already in memory (Uint32 stack ids, Float64 values, Int32
 * label codes with the wanted code resolved beforehand) and plain loops into a dense accumulator. No engine can
 * beat it without doing less work, so "within N× of the floor" measures an engine's overhead.
 */
export interface FloorColumns {
  stackIds: Uint32Array;
  values: Float64Array;
  labelA: Int32Array;
  stackCount: number;
}

export function floorColumns(samples: GeneratedSamples, stackCount: number, rows: number): FloorColumns {
  // Stack ids as the store numbers them (index + 1), so that results compare directly.
  const stackIds = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) stackIds[i] = samples.stackIndex[i]! + 1;
  return { stackIds, values: samples.values.subarray(0, rows), labelA: samples.labelA.subarray(0, rows), stackCount };
}

export function floorMergeStacks(columns: FloorColumns, labelCode: number): MergeResult {
  return compactDense(floorStackTotals(columns, labelCode));
}

/**
 * The literal "one loop": test and accumulate in the same pass. Kept as a second floor because V8 runs it about
 * 1.7× slower than the two-pass version below (measured on this machine, 10M rows: ~38 ms against ~22 ms).
 */
export function floorMergeStacksFused(columns: FloorColumns, labelCode: number): MergeResult {
  const { stackIds, values, labelA } = columns;
  const acc = new Float64Array(columns.stackCount + 1);
  for (let i = 0, n = stackIds.length; i < n; i++) if (labelA[i] === labelCode) acc[stackIds[i]!]! += values[i]!;
  return compactDense(acc);
}

/** Rows per pass of the two-pass loop: the selection buffer stays small enough to live in cache. */
const FLOOR_BATCH = 1 << 16;

/**
 * Per-stack totals; `labelCode` -1 keeps every row (the per-line query has no label filter). Filtered totals
 * take two passes per slice of rows, first the matching row numbers into a selection buffer, then the
 * accumulation over just those rows, which V8 compiles into tighter loops than one fused test-and-add loop.
 */
export function floorStackTotals(columns: FloorColumns, labelCode: number): Float64Array {
  const { stackIds, values, labelA } = columns;
  const acc = new Float64Array(columns.stackCount + 1);
  const n = stackIds.length;
  if (labelCode < 0) {
    for (let i = 0; i < n; i++) acc[stackIds[i]!]! += values[i]!;
    return acc;
  }
  const selection = new Uint32Array(FLOOR_BATCH);
  for (let start = 0; start < n; start += FLOOR_BATCH) {
    const end = Math.min(n, start + FLOOR_BATCH);
    let k = 0;
    for (let i = start; i < end; i++) if (labelA[i] === labelCode) selection[k++] = i;
    for (let j = 0; j < k; j++) {
      const i = selection[j]!;
      acc[stackIds[i]!]! += values[i]!;
    }
  }
  return acc;
}

export function floorPerLine(columns: FloorColumns, stacks: StackCatalog, file: string): PerLineResult {
  return expandToLines(floorStackTotals(columns, -1), stacks, file);
}

/** The generator's catalog seen through 1-based ids, like the store's metadata (built once, outside timings). */
export function catalogStacks(catalog: GeneratedCatalog): StackCatalog {
  const stacks = catalog.stacks.map(stack => Uint32Array.from(stack, f => f + 1));
  return {
    stackCount: stacks.length,
    frameCount: catalog.frames.length,
    stack: id => stacks[id - 1]!,
    frameFile: id => catalog.frames[id - 1]!.file,
    frameLine: id => catalog.frames[id - 1]!.line,
  };
}
