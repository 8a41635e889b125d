import type { PackedFileCosts } from '../common/protocol/agentProtocol';
import type { DocumentFunction, LineHeat } from '../common/protocol/languageServerProtocol';
import { functionTableKey, unpackSplits, type FunctionSplit } from './functionSplit';
import { SymbolIndex } from './symbolIndex';
import type { LineTracker } from './lineTracker';

/** One function's cost, placed in the document as it is now. */
export interface FunctionAnnotation {
  name: string;
  /** Where the function was defined in the text as profiled (1-based): with the name, which function this is. */
  line: number;
  /** 0-based lines in the current document: where the lens goes, and the span a hover covers. */
  nameLine: number;
  startLine: number;
  endLine: number;
  self: number;
  total: number;
  selfSamples: number;
  totalSamples: number;
  /** Edited since it was profiled: the figures describe the old code. */
  stale: boolean;
  /** Its total split by a label's values (per route), when some of its samples carry the label. */
  split?: FunctionSplit;
}

export interface FileAnnotations {
  functions: FunctionAnnotation[];
  lines: LineHeat[];
}

/** The costs of the profile files one document stands for, unpacked and merged (one file may have several names). */
export interface FileCostTable {
  functions: { name: string; line: number; self: number; total: number; selfSamples: number; totalSamples: number; split?: FunctionSplit }[];
  lines: { line: number; self: number; total: number; selfSamples: number; totalSamples: number }[];
}

/** `split`: the answer's label and values the files' splits index (SourceCostsRequest.Result's `split`). */
export function unpackFileCosts(packed: readonly PackedFileCosts[], split?: { key: string; values: readonly string[] }): FileCostTable {
  const functions = new Map<string, FileCostTable['functions'][number]>();
  const lines = new Map<number, FileCostTable['lines'][number]>();
  for (const file of packed) {
    file.functionNames.forEach((name, i) => {
      const [line, self, total, selfSamples, totalSamples] = file.functions.slice(i * 5, i * 5 + 5) as [number, number, number, number, number];
      const key = functionTableKey(name, line);
      const known = functions.get(key);
      if (known) Object.assign(known, { self: known.self + self, total: known.total + total, selfSamples: known.selfSamples + selfSamples, totalSamples: known.totalSamples + totalSamples });
      else functions.set(key, { name, line, self, total, selfSamples, totalSamples });
    });
    for (let i = 0; i + 4 < file.lines.length; i += 5) {
      const [line, self, total, selfSamples, totalSamples] = file.lines.slice(i, i + 5) as [number, number, number, number, number];
      const known = lines.get(line);
      if (known) Object.assign(known, { self: known.self + self, total: known.total + total, selfSamples: known.selfSamples + selfSamples, totalSamples: known.totalSamples + totalSamples });
      else lines.set(line, { line, self, total, selfSamples, totalSamples });
    }
  }
  if (split) for (const [key, fnSplit] of unpackSplits(packed, split.key, split.values)) {
    const fn = functions.get(key);
    if (fn) fn.split = fnSplit;
  }
  return { functions: [...functions.values()].sort((a, b) => a.line - b.line), lines: [...lines.values()].sort((a, b) => a.line - b.line) };
}

/**
 * Places a file's costs in its document as it is now. A profiled function (at its first known line, 1-based, in the
 * text as profiled) is moved through the tracker; its span is the editor's symbol for it when one contains that line
 * (the innermost, preferring one of the same name), else up to the next profiled function. A function none of whose
 * lines survive is dropped; one with an edited line is stale.
 */
export function annotate(costs: FileCostTable, tracker: LineTracker, symbols: readonly DocumentFunction[], lineCount: number, total: number): FileAnnotations {
  const placed: FunctionAnnotation[] = [];
  const known = costs.functions.filter(f => f.line > 0);
  // The first line of the next profiled function after each one (they are sorted by line), in one backward pass:
  // files of tens of thousands of functions exist (generated code), so nothing here may be quadratic.
  const nextLine = new Array<number>(known.length);
  for (let i = known.length - 1, following = tracker.lineCount + 1; i >= 0; i--) {
    nextLine[i] = following;
    if (i > 0 && known[i - 1]!.line < known[i]!.line) following = known[i]!.line;
  }
  const changed = tracker.hasChanges ? changedLineCounts(tracker, lineCount) : undefined;
  const symbolIndex = new SymbolIndex(symbols);
  known.forEach((fn, i) => {
    const original = fn.line - 1;
    const nextOriginal = nextLine[i]! - 2;
    const current = tracker.current(original);
    if (current === undefined) return;
    const symbol = symbolIndex.at(current, fn.name);
    let startLine: number;
    let endLine: number;
    let nameLine: number;
    let stale: boolean;
    if (symbol) {
      ({ startLine, endLine, nameLine } = symbol);
      // Any line of the symbol's span typed in or edited since: counted from a prefix sum, not line by line.
      stale = changed !== undefined && changed[Math.min(symbol.endLine + 1, lineCount)]! - changed[Math.min(symbol.startLine, lineCount)]! > 0;
    } else {
      startLine = nameLine = current;
      // The fallback span ends before the next profiled function, wherever the edits moved it.
      let end = current;
      for (let line = nextOriginal; line > original; line--) {
        const moved = tracker.current(line);
        if (moved !== undefined) {
          end = moved;
          break;
        }
      }
      endLine = Math.min(Math.max(end, current), lineCount - 1);
      stale = tracker.editedBetween(original, Math.max(original, nextOriginal));
    }
    placed.push({ name: fn.name, line: fn.line, nameLine, startLine, endLine, self: fn.self, total: fn.total, selfSamples: fn.selfSamples, totalSamples: fn.totalSamples, stale, ...(fn.split ? { split: fn.split } : {}) });
  });
  const lines: LineHeat[] = [];
  for (const cost of costs.lines) {
    const current = tracker.current(cost.line - 1);
    if (current === undefined || current >= lineCount) continue;
    lines.push({ line: current, self: cost.self, total: cost.total, share: total > 0 ? cost.total / total : 0, stale: tracker.edited(cost.line - 1) });
  }
  return { functions: placed, lines };
}

/**
 * Prefix sums over the current lines of "typed in or edited since the text was first seen": entry k counts such lines
 * among lines 0..k−1, so any span's count is one subtraction.
 */
function changedLineCounts(tracker: LineTracker, lineCount: number): Int32Array {
  const changed = new Uint8Array(lineCount).fill(1);
  for (let original = 0; original < tracker.lineCount; original++) {
    const current = tracker.current(original);
    if (current !== undefined && current < lineCount) changed[current] = tracker.edited(original) ? 1 : 0;
  }
  const sums = new Int32Array(lineCount + 1);
  for (let line = 0; line < lineCount; line++) sums[line + 1] = sums[line]! + changed[line]!;
  return sums;
}

/** The annotation a hover at `line` is about: the innermost profiled function whose span contains it. */
export function functionAt(annotations: FileAnnotations, line: number): FunctionAnnotation | undefined {
  let best: FunctionAnnotation | undefined;
  for (const fn of annotations.functions) {
    if (fn.startLine > line || fn.endLine < line) continue;
    if (!best || fn.endLine - fn.startLine < best.endLine - best.startLine) best = fn;
  }
  return best;
}
