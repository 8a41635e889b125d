import { random } from '../test/support/random';
import { MEASURED_NOISE, QUIET_NOISE, simulate, type NoiseModel } from '../test/support/simulatedRuns';
import type { Benchmark } from './benchmarkDoc';

const RUNS = [2, 3, 5, 8, 10, 15, 20];
const CHANGES = [0.1, 0.2, 0.3, 0.5, 1];
const COMPARISONS = 200;

/**
 * `npm run bench -- compare-power`: how often `icicle diff` (and the compare panel) flags a real change of a function
 * that is 5% of the run, by runs a side and size of the change, in simulated runs (test/support/simulatedRuns.ts)
 * with two noise models: the one measured on this project's shared machine, and a quiet CI runner
 * with longer runs. Also the false alarms on identical code. README's power table is this output.
 */
export function runComparePowerBenchmark(): Record<string, number> {
  const fields: Record<string, number> = {};
  const models: [string, NoiseModel][] = [
    ['measured', MEASURED_NOISE],
    ['quiet', QUIET_NOISE],
  ];
  for (const [name, noise] of models) {
    const alarms = simulate({ noise, runsPerSide: 5, share: 0.05, change: 0 }, 400, random(1));
    console.log(`${name} noise (${noiseText(noise)}): identical code flagged in ${percent(alarms.anyFlagged / alarms.comparisons)} of ${alarms.comparisons} comparisons (5 runs a side)`);
    console.log(`| runs a side | ${CHANGES.map(c => `+${c * 100}%`).join(' | ')} |`);
    console.log(`|---:|${CHANGES.map(() => '---:').join('|')}|`);
    for (const runs of RUNS) {
      const cells = CHANGES.map((change, i) => {
        const result = simulate({ noise, runsPerSide: runs, share: 0.05, change }, COMPARISONS, random(1000 * runs + i));
        const power = result.targetFlagged / result.comparisons;
        fields[`comparePower_${name}_${runs}runs_${change * 100}pct`] = power;
        return percent(power);
      });
      console.log(`| ${runs} | ${cells.join(' | ')} |`);
    }
    fields[`compareFalseAlarms_${name}`] = alarms.anyFlagged / alarms.comparisons;
    console.log();
  }
  return fields;
}

function noiseText(noise: NoiseModel): string {
  return `${percent(noise.runCv)} per run, ${percent(noise.functionCv)} per function, ${noise.samplesPerRun} samples a run`;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** Powers and false-alarm rates are shares of simulated comparisons, with no peer of their own: the table is the figure. */
export const comparePowerBenchmark: Benchmark = { run: runComparePowerBenchmark };
