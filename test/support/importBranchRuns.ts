import * as assert from 'node:assert/strict';
import { writeBranchRunProfiles } from './branchRunProfiles';
import { icicle } from './icicleCli';

/**
 * Imports six runs of the two-function program (branchRunProfiles.ts) into `store` with the built `icicle import`,
 * labelled `branch=<branch>`: `slow` sets the slow function's cost and `offset` keeps the runs apart (see writeBranchRunProfiles).
 */
export async function importBranchRuns(dir: string, store: string, branch: string, slow: number, offset: number): Promise<void> {
  const imported = await icicle(['import', '--store', store, '--label', `branch=${branch}`, ...writeBranchRunProfiles(dir, `${branch}-${offset}`, slow, offset)]);
  assert.equal(imported.code, 0, imported.stderr);
}
