/**
 * The team's baseline in the editor: CI's runs of main exported by `icicle export --format parquet` into a folder,
 * named in `icicle.sources`; this branch's runs are in the workspace's store (opened profiles). "Compare Selections"
 * with the dataset as the base shows the verdicts `icicle diff --base-dataset` gives on the same runs; a dataset that
 * is gone is said in the panel in a sentence, and the store still compares.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as vscode from 'vscode';
import { writeBranchRunProfiles } from '../../support/branchRunProfiles';
import { ask, bridgeAvailable } from './e2eBridge';
import { closeAllEditors, eventually, icicleApi, icicleCli, type IcicleTestApi } from './icicle';

export function register(): void {
  suite('comparing against a dataset of icicle.sources', () => {
    let dir: string;
    let dataset: string;
    let api: IcicleTestApi;
    let diff: { changes: { name: string; line: number; verdict: string }[]; a: { runs: number }; b: { runs: number } };
    const config = () => vscode.workspace.getConfiguration('icicle');
    const head = '{source=~"feature-.*"}';
    const ciCommit = '0123abc';

    suiteSetup(async function () {
      this.timeout(180_000);
      api = await icicleApi();
      dir = mkdtempSync(join(tmpdir(), 'icicle-sources-e2e-'));
      dataset = join(dir, 'ci-main');
      // CI: its runs of main at one commit, exported as a dataset.
      await icicleCli(['import', '--store', join(dir, 'ci'), '--label', 'branch=main', '--label', `commit=${ciCommit}`, ...writeBranchRunProfiles(dir, 'main', 100, 0)]);
      await icicleCli(['export', '--store', join(dir, 'ci'), '--format', 'parquet', '--out', dataset]);
      // This branch: `slow` twice as slow, its runs opened in the editor (in the workspace's store), and the same files
      // in a store of their own for the command line's diff.
      const feature = writeBranchRunProfiles(dir, 'feature', 200, 100);
      await icicleCli(['import', '--store', join(dir, 'laptop'), '--label', 'side=head', ...feature]);
      diff = JSON.parse((await icicleCli(['diff', '--store', join(dir, 'laptop'), '--base', 'branch=main', '--head', 'side=head', '--base-dataset', dataset, '--format', 'json'])).stdout) as typeof diff;
      for (const file of feature) {
        await vscode.commands.executeCommand('icicle.openProfile', vscode.Uri.file(file));
        const name = file.slice(dir.length + 1);
        await eventually(() => assert.ok(api.panels().some(p => p.title === name && p.state === 'loaded'), `${name} is not open`), 60_000);
      }
      await closeAllEditors();
    });
    suiteTeardown(async () => {
      await config().update('sources', undefined, vscode.ConfigurationTarget.Workspace);
      rmSync(dir, { recursive: true, force: true });
    });

    test("the compare panel shows icicle diff --base-dataset's verdicts against CI's main, named relative to the workspace", async function () {
      this.timeout(120_000);
      // Named relative to the workspace folder, as a team's settings file would: the agent gets the absolute folder.
      const workspaceFolder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
      await config().update('sources', [relative(workspaceFolder, dataset)], vscode.ConfigurationTarget.Workspace);
      await api.compareSelections({ base: '{branch="main"}', head, baseSource: dataset });
      const shown = api.comparison();
      assert.equal(shown.type, 'comparison', `the panel shows ${JSON.stringify(shown).slice(0, 300)}`);
      assert.match(shown.base!, /^\{branch="main"\} from the dataset .*ci-main$/);
      assert.deepEqual([shown.a!.runs, shown.b!.runs], [diff.a.runs, diff.b.runs]);
      assert.deepEqual(
        shown.changes!.map(c => [c.name, c.line, c.verdict]),
        diff.changes.map(c => [c.name, c.line, c.verdict]),
      );
      assert.equal(shown.changes![0]!.name, 'slow');
      assert.equal(shown.changes![0]!.verdict, 'regression');
    });

    test('a dataset that is gone is said in the panel in a sentence, and the store still compares', async function () {
      this.timeout(120_000);
      const gone = join(dir, 'gone');
      await config().update('sources', [dataset, gone], vscode.ConfigurationTarget.Workspace);
      await api.compareSelections({ base: '{branch="main"}', head, baseSource: gone });
      const shown = api.comparison();
      assert.equal(shown.type, 'error');
      assert.match(shown.message!, /There is no dataset in .*gone: the folder does not exist\.$/);
      assert.doesNotMatch(shown.message!, /\n\s+at /, 'no stack trace');
      await api.compareSelections({ base: head, head });
      const same = api.comparison();
      assert.equal(same.type, 'comparison', `the panel shows ${JSON.stringify(same).slice(0, 300)}`);
      assert.ok(same.changes!.length > 0 && same.changes!.every(c => c.verdict === 'unchanged'), 'the same runs on both sides change nothing');
    });

    test("Compare Selections… offers the dataset's branches beside the store's, says why one cannot be read, and compares against the one chosen", async function () {
      this.timeout(120_000);
      // The pickers are answered in the page, as a person does; without the driver's page there is no one to answer.
      if (!bridgeAvailable()) this.skip();
      await config().update('sources', [dataset, join(dir, 'gone')], vscode.ConfigurationTarget.Workspace);
      await ask({ action: 'runCommand', title: 'Icicle: Compare Selections', timeoutMs: 30_000 });
      await ask({ action: 'inputBox', title: 'the samples to measure (head)', text: head, timeoutMs: 30_000 });
      // Typing the dataset's folder name leaves its rows (matched on their detail, the folder).
      const { offered } = await ask({ action: 'quickPick', title: `Compare ${head} against`, choose: 'ci-main', timeoutMs: 30_000 });
      assert.ok(offered.some(row => row.includes('{branch="main"}') && row.includes('dataset ci-main')), `offered: ${JSON.stringify(offered)}`);
      assert.ok(offered.some(row => /There is no dataset in .*gone: the folder does not exist\./.test(row)), `offered: ${JSON.stringify(offered)}`);
      const shown = await eventually(() => {
        const now = api.comparison();
        assert.match(now.base ?? '', /^\{branch="main"\} from the dataset .*ci-main$/, `the panel shows ${JSON.stringify(now).slice(0, 300)}`);
        return now;
      }, 60_000);
      assert.deepEqual(
        shown.changes!.map(c => [c.name, c.line, c.verdict]),
        diff.changes.map(c => [c.name, c.line, c.verdict]),
      );
    });

    test("Compare Selections… offers a dataset's commit beside its branches, and a selector typed for the dataset compares against that dataset", async function () {
      this.timeout(120_000);
      if (!bridgeAvailable()) this.skip();
      await config().update('sources', [dataset], vscode.ConfigurationTarget.Workspace);
      await ask({ action: 'runCommand', title: 'Icicle: Compare Selections', timeoutMs: 30_000 });
      await ask({ action: 'inputBox', title: 'the samples to measure (head)', text: head, timeoutMs: 30_000 });
      // The typed selector's row names the dataset in its description, with the dataset's label keys.
      const { offered, chosen } = await ask({ action: 'quickPick', title: `Compare ${head} against`, choose: 'for the dataset ci-main', timeoutMs: 30_000 });
      assert.ok(offered.some(row => row.includes(`{commit="${ciCommit}"}`) && row.includes('dataset ci-main')), `the commit is offered: ${JSON.stringify(offered)}`);
      assert.ok(!offered.some(row => /\{(profile_id|source)=/.test(row)), `per-run labels are not offered: ${JSON.stringify(offered)}`);
      assert.match(chosen, /Type a selector…, for the dataset ci-main; its labels: .*branch, commit/);
      const typed = `{branch="main", commit="${ciCommit}"}`;
      await ask({ action: 'inputBox', title: 'from the dataset ci-main', text: typed, timeoutMs: 30_000 });
      const shown = await eventually(() => {
        const now = api.comparison();
        assert.match(now.base ?? '', /^\{branch="main", commit="0123abc"\} from the dataset .*ci-main$/, `the panel shows ${JSON.stringify(now).slice(0, 300)}`);
        return now;
      }, 60_000);
      // All of CI's runs are of that commit: the verdicts are diff's against its branch.
      assert.deepEqual([shown.a!.runs, shown.b!.runs], [diff.a.runs, diff.b.runs]);
      assert.deepEqual(
        shown.changes!.map(c => [c.name, c.line, c.verdict]),
        diff.changes.map(c => [c.name, c.line, c.verdict]),
      );
      // The panel says, where the method is, that a dataset's runs were probably recorded on another machine.
      assert.match(shown.method ?? '', /dataset ci-main and were probably recorded on another machine/);
    });
  });
}
