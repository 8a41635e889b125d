import type { RunCosts } from '../../agent/queries/runs/runFunctionCosts';
import { compareRuns, type CompareOptions } from '../../agent/compare/compareRuns';

/**
 * Simulated profiled runs, to measure how often `compareRuns` cries wolf on identical code and how often it sees a
 * real change (its power). Used by compareRuns' simulation test and by `npm run bench -- compare-power`.
 *
 * The noise model, from real repeated runs (docs/design/comparison.md, "How noisy runs are"): a function's self cost
 * in one run is its share of the run × the run's samples, times
 * - a factor common to the whole run (the machine was slower or faster: every function alike), CV `runCv`;
 * - a factor of its own (JIT timing, caches), CV `functionCv`;
 * plus the sampling's own noise: a function hit k times in N samples varies like a binomial count, sd √(N·s·(1−s)).
 * The profile's shape is a long tail like real programs': one function of interest and `others` more whose shares
 * fall off like 1/rank (most of them below 1% of the run), as in the 88 functions.
 */
export interface NoiseModel {
  runCv: number;
  functionCv: number;
  /** Samples per run (1 ms sampling: 1,000 per second of CPU). */
  samplesPerRun: number;
}

/** Measured over 12 real runs of a 1 s program on the shared 2-core development machine (see the design note). */
export const MEASURED_NOISE: NoiseModel = { runCv: 0.08, functionCv: 0.03, samplesPerRun: 1000 };

/**
 * A quiet CI runner (2% from run to run) and a run of 20,000 samples (20 s at the default 1 ms, or 5 s with
 * `icicle record --interval 250`): a function of 5% of the run then varies by about 4% from run to run.
 */
export const QUIET_NOISE: NoiseModel = { runCv: 0.02, functionCv: 0.02, samplesPerRun: 20_000 };

export interface Scenario {
  noise: NoiseModel;
  runsPerSide: number;
  /** The function of interest's share of the base run, and its relative change on the head (0.2: +20%). */
  share: number;
  change: number;
  /** How many other functions share the rest of the run. */
  others?: number;
}

function normal(next: () => number): number {
  // Box–Muller; 1 − u keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

function shares(scenario: Scenario): number[] {
  const others = scenario.others ?? 87;
  const weights = Array.from({ length: others }, (_, i) => 1 / (i + 1));
  const sum = weights.reduce((s, w) => s + w, 0);
  return [scenario.share, ...weights.map(w => ((1 - scenario.share) * w) / sum)];
}

/** One side's runs: every function's self cost in samples; function 0 is the one of interest, scaled by `factor`. */
export function simulateSide(scenario: Scenario, factor: number, next: () => number): RunCosts[] {
  const { noise } = scenario;
  const base = shares(scenario);
  return Array.from({ length: scenario.runsPerSide }, (_, r) => {
    const machine = Math.max(0, 1 + noise.runCv * normal(next));
    const functions = base.map((share, i) => {
      const expected = noise.samplesPerRun * share * (i === 0 ? factor : 1) * machine * Math.max(0, 1 + noise.functionCv * normal(next));
      const p = Math.min(1, expected / noise.samplesPerRun);
      const self = Math.max(0, Math.round(expected + Math.sqrt(noise.samplesPerRun * p * (1 - p)) * normal(next)));
      return { functionName: `f${i}`, file: `/app/f${i}.js`, line: 1, column: 1, self, total: self, selfSamples: self, totalSamples: self };
    });
    return { run: `run${r}`, total: functions.reduce((s, f) => s + f.self, 0), functions };
  });
}

export interface SimulationResult {
  comparisons: number;
  /** Comparisons in which any function was marked a regression or improvement (identical code: false alarms). */
  anyFlagged: number;
  /** Comparisons in which function 0 was marked a regression (a real change: the power). */
  targetFlagged: number;
}

/**
 * Runs `comparisons` simulated comparisons of a scenario, each with fresh runs on both sides, drawing from `next` (a
 * seeded generator such as test/support/random.ts, so that the figures are the same every time).
 */
export function simulate(scenario: Scenario, comparisons: number, next: () => number, options?: CompareOptions): SimulationResult {
  let anyFlagged = 0;
  let targetFlagged = 0;
  for (let i = 0; i < comparisons; i++) {
    const result = compareRuns(simulateSide(scenario, 1, next), simulateSide(scenario, 1 + scenario.change, next), options);
    if (result.changes.some(c => c.verdict === 'regression' || c.verdict === 'improvement')) anyFlagged++;
    if (result.changes.some(c => c.name === 'f0' && c.verdict === 'regression')) targetFlagged++;
  }
  return { comparisons, anyFlagged, targetFlagged };
}
