/**
 * `icicle diff` as a gate: the fewest runs a side it tests with, and its exit codes as README and `--help` give them.
 * Apart from diffCommand.ts so that the help names them without loading the comparison's code.
 */
export const DEFAULT_MIN_RUNS = 3;

/** 4: the comparison could not be made (the store or the base dataset could not be read), which is neither a pass nor a regression. */
export const DIFF_EXIT = { withinNoise: 0, regression: 1, usage: 2, tooFewRuns: 3, couldNotCompare: 4 } as const;
