/**
 * Results every side of the storage benchmark returns in the same shape, so that the benchmark can check that
 * the store, DuckDB and the floor computed the same answer before it compares their times.
 */
export interface MergeResult {
  /** Stack ids that had at least one matching sample (any order). */
  stackIds: Uint32Array;
  /** Sum of `value` per stack id, parallel to `stackIds`. */
  sums: Float64Array;
}

export interface PerLineResult {
  lines: Int32Array;
  sums: Float64Array;
}

/** The groups of a dense per-stack accumulator (slot = stack id) as a result; values are ≥ 1, so 0 means no rows. */
export function compactDense(acc: Float64Array): MergeResult {
  let groups = 0;
  for (let id = 1; id < acc.length; id++) if (acc[id] !== 0) groups++;
  const stackIds = new Uint32Array(groups);
  const sums = new Float64Array(groups);
  let j = 0;
  for (let id = 1; id < acc.length; id++) {
    if (acc[id] === 0) continue;
    stackIds[j] = id;
    sums[j++] = acc[id]!;
  }
  return { stackIds, sums };
}

/** What the metadata side of a per-line query needs: stack frames (leaf or root first) and each frame's file/line. */
export interface StackCatalog {
  stackCount: number;
  frameCount: number;
  /** Frame ids (1-based) of stack `id` (1-based). */
  stack(id: number): ArrayLike<number>;
  frameFile(id: number): string;
  frameLine(id: number): number;
}

/**
 * Expands per-stack totals to per-line totals for one file: each stack with samples adds its total to every
 * distinct line of that file among its frames (a recursive stack counts a line once, as an inclusive cost).
 */
export function expandToLines(totals: Float64Array, catalog: StackCatalog, file: string): PerLineResult {
  // Resolve the file once per query: frame id → line in that file, 0 for frames elsewhere.
  const lineOf = new Int32Array(catalog.frameCount + 1);
  let maxLine = 0;
  for (let f = 1; f <= catalog.frameCount; f++) {
    if (catalog.frameFile(f) !== file) continue;
    const line = catalog.frameLine(f);
    lineOf[f] = line;
    if (line > maxLine) maxLine = line;
  }
  const perLine = new Float64Array(maxLine + 1);
  // The last stack that added to a line, so that a line repeated within one stack is counted once.
  const stamp = new Int32Array(maxLine + 1);
  for (let s = 1; s <= catalog.stackCount; s++) {
    const total = totals[s]!;
    if (total === 0) continue;
    const frames = catalog.stack(s);
    for (let k = 0; k < frames.length; k++) {
      const line = lineOf[frames[k]!]!;
      if (line === 0 || stamp[line] === s) continue;
      stamp[line] = s;
      perLine[line]! += total;
    }
  }
  let count = 0;
  for (let l = 1; l <= maxLine; l++) if (perLine[l] !== 0) count++;
  const lines = new Int32Array(count);
  const sums = new Float64Array(count);
  let j = 0;
  for (let l = 1; l <= maxLine; l++) {
    if (perLine[l] === 0) continue;
    lines[j] = l;
    sums[j++] = perLine[l]!;
  }
  return { lines, sums };
}

/** A short fingerprint (groups, total) so that runs can be compared at a glance and checked for agreement. */
export function fingerprint(result: MergeResult | PerLineResult): { groups: number; total: number } {
  let total = 0;
  for (let i = 0; i < result.sums.length; i++) total += result.sums[i]!;
  return { groups: result.sums.length, total };
}

/** True when two results hold the same (key, sum) pairs, in whatever order. */
export function sameResult(a: MergeResult | PerLineResult, b: MergeResult | PerLineResult): boolean {
  const keysA = 'stackIds' in a ? a.stackIds : a.lines;
  const keysB = 'stackIds' in b ? b.stackIds : b.lines;
  if (keysA.length !== keysB.length) return false;
  const expected = new Map<number, number>();
  for (let i = 0; i < keysA.length; i++) expected.set(keysA[i]!, a.sums[i]!);
  for (let i = 0; i < keysB.length; i++) if (expected.get(keysB[i]!) !== b.sums[i]) return false;
  return true;
}
