import { functionKey } from '../../../common/functionIdentity';
import type { MetadataStore } from '../../../storage/metadata/metadataStore';
import type { ScanSource, Selection } from '../../../storage/query';
import { functionPositions } from './functionPositions';
import { mergeStacks, type MergedStacks } from './mergeStacks';

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

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
