import tCdf from '@stdlib/stats-base-dists-t-cdf';
import { functionKey, matchAcrossVersions, type FunctionIdentity } from '../../common/functionIdentity';
import type { FunctionCost } from '../queries/stacks/functionCosts';
import type { RunCosts } from '../queries/runs/runFunctionCosts';

/** How a function changed from side A (the base) to side B (the head). */
export type ChangeVerdict = 'regression' | 'improvement' | 'unchanged' | 'unknown';

export interface SideFigures {
  /** The function's cost per run (self, or total), averaged; and the runs' standard deviation (0 with one run). */
  mean: number;
  sd: number;
  runs: number;
}

export interface FunctionChange {
  name: string;
  file: string;
  /** Where the function is defined (the head's definition when both sides have it); 0 when unknown. */
  line: number;
  column: number;
  a: SideFigures;
  b: SideFigures;
  /** b.mean − a.mean. */
  delta: number;
  /** delta / a.mean × 100; Infinity for a function new in B, −100 for one gone. */
  deltaPercent: number;
  /** Welch's t-test, two-sided; undefined with fewer than two runs on a side. */
  p: number | undefined;
  verdict: ChangeVerdict;
}

export interface Comparison {
  a: SideFigures;
  b: SideFigures;
  changes: FunctionChange[];
  /** The test in words, for reports. */
  method: string;
}

export interface CompareOptions {
  /** The false discovery rate across all functions (Benjamini–Hochberg). */
  alpha?: number;
  /** A change smaller than this share of the larger side's mean total is never significant, however steady. */
  minShareOfTotal?: number;
  /**
   * What is compared: a function's self cost (the default: where the time went, so one slower function is one
   * change) or its total (which every caller of a slower function shares, so its whole call path changes).
   */
  measure?: 'self' | 'total';
}

const method = (measure: 'self' | 'total', alpha: number, minShare: number): string =>
  `Welch’s t-test per function on its ${measure} cost per run; Benjamini–Hochberg at a ${percent(alpha)} false discovery rate, weighted by cost, across the functions big enough to change by ${percent(minShare)} of a run; and at least that change`;

const percent = (share: number): string => `${+(share * 100).toFixed(2)}%`;

/**
 * Compares the per-run function costs of two sides. Each function (matched by name, file and definition, and code
 * that moved by name and file in order of definition: common/functionIdentity.ts) gets its mean and spread per side and a verdict: a regression or improvement only when the
 * difference stands out from the run-to-run variation — Welch's t-test (unequal variances), corrected for testing
 * the functions that could change by a minimum share of the total (Benjamini–Hochberg, weighted by each function's
 * cost: see docs/design/comparison.md), and larger than that share so that a tiny but steady function does not make
 * noise. With fewer than two runs on a side the verdict is 'unknown'. 'unchanged' means within noise: no change this
 * test could tell from the run-to-run variation.
 */
export function compareRuns(a: readonly RunCosts[], b: readonly RunCosts[], options: CompareOptions = {}): Comparison {
  const alpha = options.alpha ?? 0.05;
  const minShare = options.minShareOfTotal ?? 0.005;
  const measure = options.measure ?? 'self';
  const keys = new Map<string, FunctionIdentity>();
  const identities = (side: readonly RunCosts[]): FunctionIdentity[] => side.flatMap(run => run.functions.map(identityOf));
  const matched = matchAcrossVersions(identities(a), identities(b));
  const valuesOf = (side: readonly RunCosts[], matchKeys: Map<string, string>): Map<string, number[]> => {
    const byKey = new Map<string, number[]>();
    side.forEach((run, r) => {
      for (const fn of run.functions) {
        const identity = identityOf(fn);
        const key = matchKeys.get(functionKey(identity))!;
        keys.set(key, identity);
        let values = byKey.get(key);
        if (!values) byKey.set(key, (values = new Array<number>(side.length).fill(0)));
        values[r]! += measure === 'self' ? fn.self : fn.total;
      }
    });
    return byKey;
  };
  const inA = valuesOf(a, matched.a);
  const inB = valuesOf(b, matched.b);
  const totalsA = figures(a.map(run => run.total));
  const totalsB = figures(b.map(run => run.total));
  const floor = minShare * Math.max(totalsA.mean, totalsB.mean);
  const changes: FunctionChange[] = [...keys].map(([key, { name, file, line, column }]) => {
    const sideA = figures(inA.get(key) ?? new Array<number>(a.length).fill(0));
    const sideB = figures(inB.get(key) ?? new Array<number>(b.length).fill(0));
    const delta = sideB.mean - sideA.mean;
    const deltaPercent = sideA.mean > 0 ? (100 * delta) / sideA.mean : sideB.mean > 0 ? Infinity : 0;
    return { name, file, line, column, a: sideA, b: sideB, delta, deltaPercent, p: welchP(sideA, sideB), verdict: 'unknown' as ChangeVerdict };
  });
  // The practical floor comes first: a function whose two means add up to less than the floor cannot change by the
  // floor, so it is left out of the family that Benjamini–Hochberg corrects for. Filtering on the overall mean (not
  // on the delta) keeps the correction valid — under no change, the mean says nothing about the t statistic — and
  // 80 slivers of a profile no longer raise the bar for the few functions that could matter.
  const tested = changes.filter(c => c.p !== undefined && c.a.mean + c.b.mean >= floor);
  // Weighted Benjamini–Hochberg (Genovese, Roeder and Wasserman 2006): each function's weight is its share of the
  // family's cost (weights average 1), so a function of 20% of the run is held to a less strict bar than one of 0.5%.
  // The weights come from the two sides' means, not from their difference, so the false discovery rate stays
  // controlled; and a change to a big function is what a regression gate is for.
  const size = tested.reduce((s, c) => s + c.a.mean + c.b.mean, 0);
  const weighted = tested.map(c => ({ c, q: c.p! / ((tested.length * (c.a.mean + c.b.mean)) / size) })).sort((x, y) => x.q - y.q);
  // Benjamini–Hochberg: the largest rank k whose weighted p-value is at most k/m × alpha; every smaller one passes.
  let passing = 0;
  weighted.forEach(({ q }, i) => {
    if (q <= ((i + 1) / weighted.length) * alpha) passing = i + 1;
  });
  for (const c of changes) if (c.p !== undefined) c.verdict = 'unchanged';
  weighted.forEach(({ c }, i) => {
    const significant = i < passing && Math.abs(c.delta) >= floor && c.delta !== 0;
    if (significant) c.verdict = c.delta > 0 ? 'regression' : 'improvement';
  });
  const rank = (c: FunctionChange): number => (c.verdict === 'regression' ? 0 : c.verdict === 'improvement' ? 1 : 2);
  changes.sort((x, y) => rank(x) - rank(y) || Math.abs(y.delta) - Math.abs(x.delta) || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0) || x.line - y.line);
  return { a: totalsA, b: totalsB, changes, method: method(measure, alpha, minShare) };
}

function identityOf(fn: FunctionCost): FunctionIdentity {
  return { name: fn.functionName, file: fn.file, line: fn.line, column: fn.column };
}

function figures(values: readonly number[]): SideFigures {
  const n = values.length;
  const mean = n === 0 ? 0 : values.reduce((s, v) => s + v, 0) / n;
  const variance = n < 2 ? 0 : values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  return { mean, sd: Math.sqrt(variance), runs: n };
}

/** The two-sided p-value of Welch's t-test, or undefined with fewer than two runs on a side. */
export function welchP(a: SideFigures, b: SideFigures): number | undefined {
  if (a.runs < 2 || b.runs < 2) return undefined;
  const va = (a.sd * a.sd) / a.runs;
  const vb = (b.sd * b.sd) / b.runs;
  // No spread at all: the means either are the same or differ for sure.
  if (va + vb === 0) return a.mean === b.mean ? 1 : 0;
  const t = (b.mean - a.mean) / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / ((va * va) / (a.runs - 1) + (vb * vb) / (b.runs - 1));
  return Math.min(1, 2 * (1 - tCdf(Math.abs(t), df)));
}
