/**
 * The team's baseline in the editor: CI's runs of main exported by `icicle export --format parquet` into a folder,
 * named in `icicle.sources`; this branch's runs are in the workspace's store (opened profiles). "Compare Selections"
 * with the dataset as the base shows the verdicts `icicle diff --base-dataset` gives on the same runs; a dataset that
 * is gone is said in the panel in a sentence, and the store still compares.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as vscode from 'vscode';
import { writeBranchRunProfiles } from '../../support/branchRunProfiles';
import { ask, bridgeAvailable } from './e2eBridge';
import { closeAllEditors, eventually, icicleApi, icicleCli, type IcicleTestApi } from './icicle';

/** What `icicle diff --format json` prints, as far as the panel is compared with it. */
interface DiffJson {
  changes: { name: string; line: number; verdict: string }[];
  a: { runs: number };
  b: { runs: number };
}

export function register(): void {
  suite('comparing against a dataset of icicle.sources', () => {
    let dir: string;
    let dataset: string;
    let api: IcicleTestApi;
    let diff: DiffJson;
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

/**
 * "My branch against CI's main at the commit it forked from", in a repository whose history the test makes: the demo
 * run's workspace (a fresh git repository; the trusted run's workspace is inside the project's own repository, whose
 * branches and fork points the test does not control). The workspace's checkout becomes a branch `mine` forked from
 * main's commit M0, and main moves on to M1 (without touching the work tree); CI's dataset holds runs of main at both
 * commits, those at M1 as slow as `mine`. "Compare Selections…" then offers first, for the dataset, main at the merge
 * base, and choosing it gives the verdicts of `icicle diff --base-dataset DIR --base branch=main --base commit=M0`,
 * which differ from those against all of CI's main. The repository is put back as it was afterwards.
 */
export function registerMergeBase(): void {
  suite('comparing against a dataset at the merge base', () => {
    let dir: string;
    let workspace: string;
    let dataset: string;
    let api: IcicleTestApi;
    let fork: string;
    let later: string;
    let branchBefore: string;
    let atFork: DiffJson;
    let allOfMain: DiffJson;
    const config = () => vscode.workspace.getConfiguration('icicle');
    const head = '{source=~"mine-.*"}';
    const git = (...args: string[]) => execFileSync('git', args, { cwd: workspace, encoding: 'utf8' }).trim();

    suiteSetup(async function () {
      // The picker is answered in the page, as a person does; without the driver there is no one to answer.
      if (!bridgeAvailable()) this.skip();
      this.timeout(180_000);
      api = await icicleApi();
      workspace = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
      dir = mkdtempSync(join(tmpdir(), 'icicle-merge-base-e2e-'));
      dataset = join(dir, 'ci-main');
      branchBefore = git('branch', '--show-current');
      fork = git('rev-parse', 'main');
      git('checkout', '-q', '-b', 'mine');
      git('commit', '-q', '--allow-empty', '-m', 'My work');
      // main moves on after the fork; its tree is unchanged, so nothing in the work tree (or the editor) changes.
      later = git('commit-tree', 'main^{tree}', '-p', 'main', '-m', 'main moves on');
      git('update-ref', 'refs/heads/main', later, fork);
      // CI: six runs of main at the fork point, `slow` at 100 samples, and six at the later commit as slow as mine.
      const ci = join(dir, 'ci');
      await icicleCli(['import', '--store', ci, '--label', 'branch=main', '--label', `commit=${fork}`, ...writeBranchRunProfiles(dir, 'main-at-fork', 100, 0)]);
      await icicleCli(['import', '--store', ci, '--label', 'branch=main', '--label', `commit=${later}`, ...writeBranchRunProfiles(dir, 'main-later', 200, 6)]);
      await icicleCli(['export', '--store', ci, '--format', 'parquet', '--out', dataset]);
      // Mine: `slow` twice as slow as at the fork, opened in the editor, and in a store of its own for the command line.
      const mine = writeBranchRunProfiles(dir, 'mine', 200, 12);
      await icicleCli(['import', '--store', join(dir, 'laptop'), '--label', 'side=head', ...mine]);
      const diff = async (...base: string[]) =>
        JSON.parse((await icicleCli(['diff', '--store', join(dir, 'laptop'), ...base.flatMap(b => ['--base', b]), '--head', 'side=head', '--base-dataset', dataset, '--format', 'json'])).stdout) as DiffJson;
      atFork = await diff('branch=main', `commit=${fork}`);
      allOfMain = await diff('branch=main');
      for (const file of mine) {
        await vscode.commands.executeCommand('icicle.openProfile', vscode.Uri.file(file));
        const name = file.slice(dir.length + 1);
        await eventually(() => assert.ok(api.panels().some(p => p.title === name && p.state === 'loaded'), `${name} is not open`), 60_000);
      }
      await closeAllEditors();
    });
    suiteTeardown(async () => {
      if (!bridgeAvailable()) return;
      await config().update('sources', undefined, vscode.ConfigurationTarget.Workspace);
      git('checkout', '-q', branchBefore);
      git('update-ref', 'refs/heads/main', fork);
      git('branch', '-q', '-D', 'mine');
      rmSync(dir, { recursive: true, force: true });
    });

    test("Compare Selections… offers the dataset's main at the merge base first, and compares with CI's runs of that commit alone", async function () {
      this.timeout(120_000);
      // The two bases differ, so a base of all of CI's main could not pass for the one at the fork.
      assert.deepEqual([atFork.a.runs, allOfMain.a.runs], [6, 12]);
      assert.equal(atFork.changes.find(c => c.name === 'slow')?.verdict, 'regression');
      await config().update('sources', [dataset], vscode.ConfigurationTarget.Workspace);
      const earlier = api.comparison();
      await ask({ action: 'runCommand', title: 'Icicle: Compare Selections', timeoutMs: 30_000 });
      await ask({ action: 'inputBox', title: 'the samples to measure (head)', text: head, timeoutMs: 30_000 });
      const { offered, chosen } = await ask({ action: 'quickPick', title: `Compare ${head} against`, choose: 'main at the merge base', timeoutMs: 30_000 });
      // The row as a screen reader reads it: label, description, detail (and the section's name on its first row).
      const mergeBaseRow = new RegExp(`^main at the merge base, commit ${fork.slice(0, 7)}, where HEAD forked from main; dataset ci-main, ${dataset}`);
      assert.match(offered.find(row => row.includes('ci-main')) ?? '', mergeBaseRow, `the dataset's first item: ${JSON.stringify(offered)}`);
      assert.ok(offered.some(row => row.startsWith('{branch="main"}') && row.includes('dataset ci-main')), `all of main is still offered: ${JSON.stringify(offered)}`);
      assert.match(chosen, mergeBaseRow);
      const shown = await eventually(() => {
        const now = api.comparison();
        assert.ok(now !== earlier && now.type === 'comparison', `the panel shows ${JSON.stringify(now).slice(0, 300)}`);
        return now;
      }, 60_000);
      assert.equal(shown.base, `{branch="main", commit="${fork}"} from the dataset ${dataset}`);
      assert.deepEqual([shown.a!.runs, shown.b!.runs], [atFork.a.runs, atFork.b.runs]);
      assert.deepEqual(
        shown.changes!.map(c => [c.name, c.line, c.verdict]),
        atFork.changes.map(c => [c.name, c.line, c.verdict]),
      );
    });
  });
}
