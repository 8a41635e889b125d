/**
 * "Icicle: Compare Branches…" against a dataset's branch, in the demo workspace (a git repository with `main` and a
 * branch whose formatReport is slower, and the launch configuration "Run the demo"): CI's runs of main are recorded by
 * `icicle record` in the workspace and exported by `icicle export --format parquet` into a folder named in
 * `icicle.sources`. The user's steps, through the driver's page: the palette, the head branch, the dataset's `main` at
 * the commit the head forked from (the picker's first dataset item; the plain `main` is offered too) as the base, the
 * launch configuration, three runs. Only the head runs; the panel names the dataset's branch and commit as the base,
 * warns that its runs come from another machine, and shows the verdicts `icicle diff --base-dataset` gives on the same
 * stored runs (the head's read from the workspace's store by its compare_id).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { demoBranches, demoLaunchConfiguration } from '../../../scripts/demoNames.mjs';
import { ask, bridgeAvailable } from './e2eBridge';
import { eventually, icicleApi, icicleCli, type IcicleTestApi } from './icicle';

interface DiffJson {
  a: { runs: number };
  b: { runs: number };
  changes: { name: string; line: number; verdict: string }[];
}

/** CI's runs of main: enough for a spread on the base side, as few as the head's. */
const CI_RUNS = 3;

export function register(): void {
  suite('Compare Branches against a dataset of icicle.sources', () => {
    let api: IcicleTestApi;
    let workspace: string;
    let dir: string;
    let dataset: string;
    /** The commit the demo's slower branch forked from main: main's only commit, which CI's runs are of. */
    let forkPoint: string;
    const config = () => vscode.workspace.getConfiguration('icicle');
    /** The comparisons of the workspace's store, by the compare_id label each one's runs carry. */
    const compareIds = async () => JSON.parse((await icicleCli(['labels', 'compare_id', '--store', api.storeDirectory(), '--json'])).stdout) as string[];

    suiteSetup(async function () {
      // The pickers are answered in the page, as a person does; without the driver there is no one to answer.
      if (!bridgeAvailable()) this.skip();
      this.timeout(240_000);
      api = await icicleApi();
      workspace = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
      dir = mkdtempSync(join(tmpdir(), 'icicle-branches-dataset-'));
      dataset = join(dir, 'ci-main');
      forkPoint = execFileSync('git', ['rev-parse', `${demoBranches.slower}~1`], { cwd: workspace, encoding: 'utf8' }).trim();
      // CI: the demo program run on main (the workspace's checkout), recorded with the git labels record gives
      // (branch, commit, source_root), exported as a dataset.
      const ci = join(dir, 'ci-store');
      for (let run = 0; run < CI_RUNS; run++) await icicleCli(['record', '--store', ci, '--', process.execPath, join('src', 'main.js')], workspace);
      assert.deepEqual(JSON.parse((await icicleCli(['labels', 'branch', '--store', ci, '--json'])).stdout), [demoBranches.base], 'CI recorded main');
      assert.deepEqual(JSON.parse((await icicleCli(['labels', 'commit', '--store', ci, '--json'])).stdout), [forkPoint], "CI's runs are of the fork point, by its full hash");
      await icicleCli(['export', '--store', ci, '--format', 'parquet', '--out', dataset]);
    });
    suiteTeardown(async () => {
      if (!bridgeAvailable()) return;
      await config().update('sources', undefined, vscode.ConfigurationTarget.Workspace);
      rmSync(dir, { recursive: true, force: true });
    });

    test(`the dataset's main at the merge base as the base: only ${demoBranches.slower} runs, and the panel shows diff --base-dataset's verdicts, the dataset's branch and commit named as the base`, async function () {
      this.timeout(300_000);
      await config().update('sources', [dataset], vscode.ConfigurationTarget.Workspace);
      const before = new Set(await compareIds());
      // The panel may still show an earlier comparison (the demo walk's): the one to read is the next one shown.
      const earlier = api.comparison();
      await ask({ action: 'runCommand', title: 'Icicle: Compare Branches', timeoutMs: 30_000 });
      await ask({ action: 'quickPick', title: 'The branch to measure', choose: demoBranches.slower, timeoutMs: 30_000 });
      // The base offers the repository's main (run here) and the dataset's: first its runs at the commit the head
      // forked from, then all its runs of main. Typing the dataset's name leaves the dataset's, the first chosen.
      const base = await ask({ action: 'quickPick', title: `Compare ${demoBranches.slower} against`, choose: 'ci-main', timeoutMs: 30_000 });
      assert.ok(base.offered.some(row => row.startsWith(`${demoBranches.base}, run here`)), `offered: ${JSON.stringify(base.offered)}`);
      assert.ok(base.offered.some(row => row.startsWith(`${demoBranches.base}, runs of the dataset ci-main`)), `offered: ${JSON.stringify(base.offered)}`);
      assert.match(base.chosen, new RegExp(`^${demoBranches.base} at the merge base, commit ${forkPoint.slice(0, 7)}, where ${demoBranches.slower} forked from ${demoBranches.base}; dataset ci-main`));
      await ask({ action: 'quickPick', title: 'What should run on each branch?', choose: demoLaunchConfiguration, timeoutMs: 30_000 });
      await ask({ action: 'inputBox', title: 'How many runs per branch?', text: '3', timeoutMs: 30_000 });
      const shown = await eventually(() => {
        const now = api.comparison();
        assert.ok(now !== earlier && (now.type === 'comparison' || now.type === 'error'), `the compare panel shows ${JSON.stringify(now).slice(0, 200)}`);
        return now;
      }, 240_000);
      assert.equal(shown.type, 'comparison', `the comparison failed: ${JSON.stringify(shown).slice(0, 500)}`);
      assert.match(shown.base!, new RegExp(`^\\{branch="${demoBranches.base}", commit="${forkPoint}"\\} from the dataset .*ci-main$`));
      assert.equal(shown.head, demoBranches.slower);
      assert.match(shown.method!, /the base's runs come from the dataset ci-main and were probably recorded on another machine/);

      // The head's runs as the store holds them: one new comparison, and only the head's branch ran in it.
      const added = (await compareIds()).filter(id => !before.has(id));
      assert.equal(added.length, 1, `new comparisons in the store: ${JSON.stringify(added)}`);
      // The comparison's runs, whatever their branch: three, so the base's branch did not run here.
      const run = await icicleCli(['diff', '--store', api.storeDirectory(), '--base', `branch=${demoBranches.base}`, '--base', `commit=${forkPoint}`, '--base-dataset', dataset, '--head', `compare_id=${added[0]}`, '--format', 'json']);
      const diff = JSON.parse(run.stdout) as DiffJson;
      assert.deepEqual([diff.a.runs, diff.b.runs], [CI_RUNS, 3]);
      assert.deepEqual([shown.a!.runs, shown.b!.runs], [diff.a.runs, diff.b.runs]);
      assert.deepEqual(
        shown.changes!.map(c => [c.name, c.line, c.verdict]),
        diff.changes.map(c => [c.name, c.line, c.verdict]),
      );
      // The branch's change is found against CI's runs: formatReport pauses a second on it, not on main.
      const top = JSON.stringify(shown.changes!.slice(0, 4));
      assert.equal(shown.changes![0]?.name, demoBranches.slowedFunction, `the first changes are ${top}`);
      assert.equal(shown.changes![0]!.verdict, 'regression', `the first changes are ${top}`);
    });
  });
}
