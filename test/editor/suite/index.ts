/**
 * The editor-test suite's entry point: the editor's test runner loads this bundle (out/test/editor/index.js)
 * into the extension host and calls run(), which settles with the suite's result.
 *
 * The test modules are imported statically so that esbuild bundles them; each registers its suites in a
 * register() function, called after mocha has defined its globals (`suite`, `test`, …), which a plain top-level
 * `suite(...)` would run before.
 */
import { join } from 'node:path';
import Mocha from 'mocha';
import { suiteVariable } from '../handshake';
import { announceStart } from './e2eBridge';
import { repoRoot } from './icicle';
import * as activationTests from './activation.test';
import * as allocationCostsTests from './allocationCosts.test';
import * as compareTests from './compare.test';
import * as compareBranchesDatasetTests from './compareBranchesDataset.test';
import * as compareDatasetTests from './compareDataset.test';
import * as cpuPerRequestTests from './cpuPerRequest.test';
import * as demoWalkTests from './demoWalk.test';
import * as debugProfilingTests from './debugProfiling.test';
import * as partialProfilingTests from './partialProfiling.test';
import * as escapingPathsTests from './escapingPaths.test';
import * as flameGraphTests from './flameGraph.test';
import * as flameGraphDatasetTests from './flameGraphDataset.test';
import * as liveDebugRunTests from './liveDebugRun.test';
import * as mcpServerTests from './mcpServer.test';
import * as recoveryTests from './recovery.test';
import * as sourceCostsTests from './sourceCosts.test';
import * as sourceNavigationTests from './sourceNavigation.test';
import * as untrustedTests from './untrusted.test';
import * as workspaceTests from './workspace.test';

/** In the order they run: the harness first, so that a broken setup is reported before anything else. */
const trustedModules = [workspaceTests, activationTests, flameGraphTests, sourceNavigationTests, escapingPathsTests, sourceCostsTests, debugProfilingTests, liveDebugRunTests, partialProfilingTests, compareTests, compareDatasetTests, flameGraphDatasetTests, recoveryTests, allocationCostsTests, mcpServerTests];

/**
 * The driver runs the editor a second time in a folder it does not trust, with ICICLE_EDITOR_SUITE=untrusted, and
 * only the untrusted suite then (the others need a trusted folder, and it needs an untrusted one); and a third time
 * on a fresh demo workspace with ICICLE_EDITOR_SUITE=demo, for the demo README's walk and then Compare Branches
 * against a dataset, and a dataset at the merge base (the one git workspace with branches and a launch configuration,
 * whose history a test may change and put back); and a fourth time on a
 * fresh copy of the traced server with ICICLE_EDITOR_SUITE=requests, for the CPU-per-request walk alone.
 */
const bySuite: Record<string, { register(): void }[]> = { untrusted: [untrustedTests], demo: [demoWalkTests, compareBranchesDatasetTests, { register: compareDatasetTests.registerMergeBase }], requests: [cpuPerRequestTests] };
const testModules = bySuite[process.env[suiteVariable] ?? ''] ?? trustedModules;

export async function run(): Promise<void> {
  announceStart();
  const mocha = new Mocha({
    ui: 'tdd',
    // The same reporter as the other tiers: spec output, plus the counts written to ICICLE_RESULTS_FILE.
    reporter: join(repoRoot, 'test', 'support', 'tallyReporter.cjs'),
    timeout: 60_000,
    color: false,
    // ICICLE_EDITOR_GREP=<regular expression> runs only the tests whose titles match it, `a|b` for two (the driver's
    // environment reaches here).
    ...(process.env.ICICLE_EDITOR_GREP ? { grep: new RegExp(process.env.ICICLE_EDITOR_GREP) } : {}),
  });
  mocha.suite.emit('pre-require', globalThis, 'editor-suite', mocha);
  for (const module of testModules) module.register();
  const failures = await new Promise<number>(resolve => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} editor test(s) failed`);
}
