/**
 * A flame graph of CI's runs in the editor: CI's store exported by `icicle export --format parquet` into a folder
 * named in `icicle.sources`. "Icicle: Open Selection…" asks where from (the workspace's store or the dataset) and the
 * selector; the flame graph then shows the dataset's `{branch="main"}`, named as the dataset's, with the numbers
 * `icicle top` gives on CI's store. The selection bar's source picker switches between the store and the dataset; a
 * dataset that is gone is said in the panel in a sentence.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as vscode from 'vscode';
import { formatMicros } from '../../../common/valueFormat';
import { writeBranchRunProfiles } from '../../support/branchRunProfiles';
import { syntheticCpuProfile } from '../../support/syntheticCpuProfile';
import { ask, bridgeAvailable } from './e2eBridge';
import { closeAllEditors, eventually, fixtureWorkspace, icicleApi, repoRoot, type IcicleTestApi } from './icicle';

interface TopJson {
  totalValue: number;
  functions: { function: string; self: number; total: number }[];
}

const hotJs = join(fixtureWorkspace, 'hot.js');

/** The 0-based line of the first line of `file` starting with `start`. */
function lineOf(file: string, start: string): number {
  const line = readFileSync(file, 'utf8').split('\n').findIndex(text => text.startsWith(start));
  assert.ok(line >= 0, `${file} has no line starting with ${start}`);
  return line;
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap(h => h.contents.map(c => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

/** A regular expression's source matching `text` literally. */
const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function register(): void {
  suite('a flame graph of a dataset of icicle.sources', () => {
    let dir: string;
    let dataset: string;
    let api: IcicleTestApi;
    let top: TopJson;
    let hotTop: TopJson;
    const config = () => vscode.workspace.getConfiguration('icicle');

    suiteSetup(async function () {
      this.timeout(180_000);
      api = await icicleApi();
      dir = mkdtempSync(join(tmpdir(), 'icicle-flame-dataset-e2e-'));
      dataset = join(dir, 'ci-main');
      // The extension host's Node runs the command line (ELECTRON_RUN_AS_NODE makes desktop VS Code's Electron one Node).
      process.env['ELECTRON_RUN_AS_NODE'] = '1';
      // Asynchronously: a synchronous child would stall the extension host, which the editor then reports unresponsive.
      const cli = (args: string[]) =>
        new Promise<{ status: number | null; stdout: string; stderr: string }>(resolve =>
          execFile(process.execPath, [join(repoRoot, 'out', 'agent', 'icicle.js'), ...args], { encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) =>
            resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
          ),
        ).then(run => {
          assert.equal(run.status, 0, `icicle ${args[0]} exited ${run.status}: ${run.stderr}`);
          return run;
        });
      // CI: its runs of main, and of another branch the selection must leave out, exported as a dataset.
      const ci = join(dir, 'ci');
      await cli(['import', '--store', ci, '--label', 'branch=main', ...writeBranchRunProfiles(dir, 'main', 100, 0)]);
      await cli(['import', '--store', ci, '--label', 'branch=other', ...writeBranchRunProfiles(dir, 'other', 400, 100)]);
      // And runs of the workspace's hot.js (a known cost: hotLoop 300 samples, coldSetup 20, 1 ms each), for the
      // source's costs from the dataset.
      const frame = (name: string, start: string) => ({ name, file: hotJs, line: lineOf(hotJs, start) + 1 });
      const hotProfile = join(dir, 'hot-release.cpuprofile');
      writeFileSync(hotProfile, syntheticCpuProfile([{ frames: [frame('hotLoop', 'function hotLoop(')], samples: 300 }, { frames: [frame('coldSetup', 'function coldSetup(')], samples: 20 }], 5_000_000_000));
      await cli(['import', '--store', ci, '--label', 'branch=release', hotProfile]);
      await cli(['export', '--store', ci, '--format', 'parquet', '--out', dataset]);
      top = JSON.parse((await cli(['top', '--store', ci, '--where', 'branch=main', '--json'])).stdout) as TopJson;
      hotTop = JSON.parse((await cli(['top', '--store', ci, '--where', 'branch=release', '--json'])).stdout) as TopJson;
      assert.deepEqual(top.functions.map(f => f.function).sort(), ['fast', 'main', 'slow']);
    });
    suiteTeardown(async () => {
      // Back to the default selection (the latest run of this branch), which the suites after this one rely on.
      api?.setCostSelection(undefined);
      await closeAllEditors();
      await config().update('sources', undefined, vscode.ConfigurationTarget.Workspace);
      rmSync(dir, { recursive: true, force: true });
    });

    /** The shown flame graph's numbers, read from the page: its header's total and each function's self in the table. */
    const expectTopsNumbers = async () => {
      await ask({ action: 'webviewText', selector: '.icicle-stats', expect: `^${literally(formatMicros(top.totalValue / 1000))} CPU time · ${literally('2,077')} samples`, timeoutMs: 60_000 });
      await ask({ action: 'clickRole', role: 'tab', name: 'Table', timeoutMs: 30_000 });
      for (const f of top.functions) {
        // top's values are nanoseconds; the page's micros formatted as it formats them.
        const { text } = await ask({ action: 'webviewText', selector: `.icicle-table-row[data-name="${f.function}"]`, expect: `^${literally(formatMicros(f.self / 1000))} · `, timeoutMs: 30_000 });
        assert.ok(text.includes(`${formatMicros(f.total / 1000)} · `), `${f.function}'s total in ${JSON.stringify(text)}`);
      }
      await ask({ action: 'clickRole', role: 'tab', name: 'Graph', timeoutMs: 30_000 });
    };

    test("Open Selection… from the dataset shows CI's {branch=\"main\"} with icicle top's numbers, named as the dataset's", async function () {
      this.timeout(180_000);
      // The pickers are answered in the page, as a person does; without the driver's page there is no one to answer.
      if (!bridgeAvailable()) this.skip();
      await closeAllEditors();
      // Named relative to the workspace folder, as a team's settings file would.
      const workspaceFolder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
      await config().update('sources', [relative(workspaceFolder, dataset)], vscode.ConfigurationTarget.Workspace);
      await ask({ action: 'runCommand', title: 'Icicle: Open Selection', timeoutMs: 30_000 });
      const { offered } = await ask({ action: 'quickPick', title: 'Open a flame graph of samples from', choose: 'ci-main', timeoutMs: 30_000 });
      assert.ok(offered.some(row => row.includes("This workspace's store")), `offered: ${JSON.stringify(offered)}`);
      assert.ok(offered.some(row => row.includes('Dataset ci-main')), `offered: ${JSON.stringify(offered)}`);
      // The dataset's branches, read from its files, offered as selectors.
      const branches = await ask({ action: 'quickPick', title: 'The samples to show, from the dataset ci-main', choose: '{branch="main"}', timeoutMs: 30_000 });
      for (const row of ['{branch="main"}', '{branch="other"}', '{branch="release"}', 'Type a selector…']) assert.ok(branches.offered.some(offered => offered.includes(row)), `${row} not offered: ${JSON.stringify(branches.offered)}`);
      await ask({ action: 'webviewText', selector: '.icicle-title', expect: `^${literally('{branch="main"} from the dataset ci-main')}$`, timeoutMs: 60_000 });
      await expectTopsNumbers();
      const { labels } = await ask({ action: 'frameLabels', include: ['slow', 'fast'], timeoutMs: 30_000 });
      assert.ok(labels.some(label => label.startsWith('slow')), `labels: ${JSON.stringify(labels.slice(0, 20))}`);
      await ask({ action: 'screenshot', name: 'flame-graph-dataset', timeoutMs: 30_000 });
    });

    test("the selection bar's source picker switches to the workspace's store and back to the dataset", async function () {
      this.timeout(180_000);
      if (!bridgeAvailable()) this.skip();
      // The view of the last test is open: the store's {branch="main"}, then the dataset's again.
      const { offered } = await ask({ action: 'selectOption', name: 'Source', option: 'Workspace store', timeoutMs: 60_000 });
      assert.deepEqual(offered, ['Workspace store', 'dataset ci-main']);
      await ask({ action: 'webviewText', selector: '.icicle-title', expect: `^${literally('{branch="main"}')}$`, timeoutMs: 60_000 });
      await ask({ action: 'selectOption', name: 'Source', option: 'dataset ci-main', timeoutMs: 60_000 });
      await ask({ action: 'webviewText', selector: '.icicle-title', expect: 'from the dataset ci-main$', timeoutMs: 60_000 });
      await expectTopsNumbers();
    });

    test('a dataset that is gone is said in the panel in a sentence, and the store still opens', async function () {
      this.timeout(180_000);
      if (!bridgeAvailable()) this.skip();
      await closeAllEditors();
      const gone = join(dir, 'gone');
      await config().update('sources', [dataset, gone], vscode.ConfigurationTarget.Workspace);
      await ask({ action: 'runCommand', title: 'Icicle: Open Selection', timeoutMs: 30_000 });
      await ask({ action: 'quickPick', title: 'Open a flame graph of samples from', choose: 'gone', timeoutMs: 30_000 });
      // The list says why the dataset cannot be read; a selector typed for it opens a panel that says it again.
      const list = await ask({ action: 'quickPick', title: 'The samples to show, from the dataset gone', choose: 'Type a selector', timeoutMs: 30_000 });
      assert.ok(list.offered.some(row => /There is no dataset in .*gone: the folder does not exist\./.test(row)), `offered: ${JSON.stringify(list.offered)}`);
      await ask({ action: 'inputBox', title: 'The samples to show, from the dataset gone', text: '{branch="main"}', timeoutMs: 30_000 });
      const { text } = await ask({ action: 'webviewText', selector: '.icicle-error', expect: 'There is no dataset in .*gone: the folder does not exist\\.', timeoutMs: 60_000 });
      assert.doesNotMatch(text, /\n\s+at |Error:/, 'no stack trace');
      await closeAllEditors();
      // The agent still serves: the store's samples open from the same command.
      await ask({ action: 'runCommand', title: 'Icicle: Open Selection', timeoutMs: 30_000 });
      await ask({ action: 'quickPick', title: 'Open a flame graph of samples from', choose: "This workspace's store", timeoutMs: 30_000 });
      await ask({ action: 'quickPick', title: "The samples to show, from this workspace's store", choose: 'Type a selector', timeoutMs: 30_000 });
      await ask({ action: 'inputBox', title: "The samples to show, from this workspace's store", text: '', timeoutMs: 30_000 });
      await eventually(() => assert.ok(api.panels().some(p => p.title === 'All samples' && p.state === 'loaded'), `panels: ${JSON.stringify(api.panels())}`), 60_000);
    });

    test("the source shows a dataset's costs: chosen in the cost picker, hotLoop's hover has icicle top's self time, and Show in flame graph opens the dataset's", async function () {
      this.timeout(180_000);
      if (!bridgeAvailable()) this.skip();
      await closeAllEditors();
      await config().update('sources', [dataset], vscode.ConfigurationTarget.Workspace);
      await ask({ action: 'runCommand', title: 'Icicle: Choose Which Samples the Source Shows', timeoutMs: 30_000 });
      await ask({ action: 'quickPick', title: 'which samples should the source show', choose: 'Label selection from the dataset ci-main', timeoutMs: 30_000 });
      await ask({ action: 'inputBox', title: 'a label selector of the dataset ci-main', text: '{branch="release"}', timeoutMs: 30_000 });
      await eventually(() => assert.equal(api.costStatus(), '$(pinned) all runs · release · dataset ci-main'), 60_000);
      const uri = vscode.Uri.file(hotJs);
      await vscode.window.showTextDocument(uri);
      const hotLine = lineOf(hotJs, 'function hotLoop(');
      const hotLoop = hotTop.functions.find(f => f.function === 'hotLoop')!;
      const text = await eventually(async () => {
        const shown = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(hotLine, 10)));
        assert.match(shown, /\*\*hotLoop\*\* — Icicle/);
        return shown;
      }, 60_000);
      // top's nanoseconds as the hover words them; 300 samples of 1 ms.
      assert.ok(text.includes(`(${formatMicros(hotLoop.self / 1000)}, 300 samples)`), `hotLoop's hover: ${text}`);
      assert.equal(formatMicros(hotLoop.self / 1000), '300 ms');
      assert.match(text, /From branch="release", all runs from the dataset ci-main · 1 run/);
      // "Show in flame graph" (the lens) opens the dataset's samples, not the store's.
      const lens = await eventually(async () => {
        const found = ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? []).find(l => l.range.start.line === hotLine && l.command);
        assert.ok(found, 'no lens on hotLoop');
        return found;
      }, 60_000);
      await vscode.commands.executeCommand(lens.command!.command, ...(lens.command!.arguments ?? []));
      await ask({ action: 'webviewText', selector: '.icicle-title', expect: 'from the dataset ci-main$', timeoutMs: 60_000 });
      await ask({ action: 'webviewText', selector: '.icicle-stats', expect: `^${literally(formatMicros(hotTop.totalValue / 1000))} CPU time · 320 samples`, timeoutMs: 60_000 });
    });

    test("unpinned, the source's costs follow a dataset's flame graph in front, named as the dataset's", async function () {
      this.timeout(180_000);
      if (!bridgeAvailable()) this.skip();
      await closeAllEditors();
      await config().update('sources', [dataset], vscode.ConfigurationTarget.Workspace);
      await ask({ action: 'runCommand', title: 'Icicle: Choose Which Samples the Source Shows', timeoutMs: 30_000 });
      await ask({ action: 'quickPick', title: 'which samples should the source show', choose: 'Follow the flame graph in front', timeoutMs: 30_000 });
      await ask({ action: 'runCommand', title: 'Icicle: Open Selection', timeoutMs: 30_000 });
      await ask({ action: 'quickPick', title: 'Open a flame graph of samples from', choose: 'ci-main', timeoutMs: 30_000 });
      await ask({ action: 'quickPick', title: 'The samples to show, from the dataset ci-main', choose: '{branch="release"}', timeoutMs: 30_000 });
      await ask({ action: 'webviewText', selector: '.icicle-title', expect: `^${literally('{branch="release"} from the dataset ci-main')}$`, timeoutMs: 60_000 });
      await eventually(() => assert.equal(api.costStatus(), '$(flame) {branch="release"} · dataset ci-main'), 60_000);
      const uri = vscode.Uri.file(hotJs);
      await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside });
      const hotLine = lineOf(hotJs, 'function hotLoop(');
      const text = await eventually(async () => {
        const shown = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(hotLine, 10)));
        assert.match(shown, /From \{branch="release"\} from the dataset ci-main · 1 run/);
        return shown;
      }, 60_000);
      assert.ok(text.includes('(300 ms, 300 samples)'), `hotLoop's hover: ${text}`);
    });
  });
}
