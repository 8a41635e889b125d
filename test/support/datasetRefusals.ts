import * as assert from 'node:assert/strict';
import { cpSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The datasets the agent must refuse, each with the one sentence it says: a folder that is gone, a copy of `dataset`
 * whose first samples file is not Parquet, and a folder icicle.sources does not list. `listed` is what the test sets
 * as the agent's sources (the good dataset first), so that only the unlisted one is refused for not being listed.
 */
export function datasetRefusals(dir: string, dataset: string): { listed: string[]; cases: [string, RegExp][] } {
  const missing = join(dir, 'not-there');
  const damaged = join(dir, 'damaged');
  cpSync(dataset, damaged, { recursive: true });
  const sample = readdirSync(join(damaged, 'samples'), { recursive: true }).map(String).find(f => f.endsWith('.parquet'))!;
  writeFileSync(join(damaged, 'samples', sample), 'PAR1 this is not Parquet');
  return {
    listed: [dataset, missing, damaged],
    cases: [
      [missing, /^There is no dataset in .*not-there: the folder does not exist\.$/],
      [damaged, /^The dataset in .*damaged is damaged: samples\/.*\.parquet is not a readable Parquet file \(.*\)\.$/s],
      [join(dir, 'elsewhere'), /^.*elsewhere is not one of the datasets of icicle\.sources\.$/],
    ],
  };
}

/** Asserts that `attempt` fails for each refused folder with its sentence, and no stack trace. */
export async function assertRefused(cases: [string, RegExp][], attempt: (folder: string) => Promise<unknown>): Promise<void> {
  for (const [folder, message] of cases) {
    const error = await attempt(folder).then(
      () => assert.fail(`${folder} should be refused`),
      (e: Error) => e,
    );
    assert.match(error.message, message);
    assert.doesNotMatch(error.message, /\n\s+at /, 'no stack trace');
  }
}
