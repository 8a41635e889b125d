/**
 * The demo README's walk (demo/README.md), step by step as it is written, in a fresh demo workspace built by
 * scripts/demoWorkspace.mjs (the module `npm run demo` uses) and an editor with the demo's user settings. Every step
 * is done the way a person does it, through the driver in the real page: quick open from the keyboard, a mouse
 * click on a flame-graph frame, the mouse over a word for the editor's own hover widget, the Command Palette, F5 in
 * the editor, the pickers of Compare Branches. The extension's test API is only read, to say precisely what went wrong.
 *
 * The tests run in the README's order and each starts where the previous one left the editor, as the reader does.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { demoBranches, demoLaunchConfiguration } from '../../../scripts/demoNames.mjs';
import { labelNames } from '../handshake';
import { ask, bridgeAvailable } from './e2eBridge';
import { eventually, icicleApi, type IcicleTestApi } from './icicle';

/** The demo's lines the README points at, as they are written in src/primes.js and src/format.js. */
const hotDeclaration = `function ${demoBranches.hotFunction}(`;
const hotLine = 'if (n % divisor === 0) {';

/** A share and a time as the hover and lenses write them: "92.3% (297 ms", "12.0% (1.02 s". */
const shareAndTime = String.raw`\d+(?:\.\d+)?% \([\d.,]+ (?:µs|ms|s)\b`;

/** The 1-based number of the first line of `file` that contains `text`, as the editor shows line numbers. */
function lineNumberOf(file: string, text: string): number {
  const index = readFileSync(file, 'utf8').split('\n').findIndex(line => line.includes(text));
  assert.ok(index >= 0, `${file} has no line containing ${JSON.stringify(text)}`);
  return index + 1;
}

export function register(): void {
  suite('the demo README, step by step', () => {
    let api: IcicleTestApi;
    let workspace: string;
    let primes: string;

    suiteSetup(async function () {
      // Every step acts in the page; under @vscode/test-electron there is no driver to act.
      if (!bridgeAvailable()) this.skip();
      this.timeout(120_000);
      api = await icicleApi();
      workspace = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
      primes = join(workspace, 'src', 'primes.js');
    });

    test('1. Ctrl+P, demo.cpuprofile, Enter: the profile opens as a flame graph with countPrimesNaive', async function () {
      this.timeout(90_000);
      await ask({ action: 'quickOpen', text: 'demo.cpuprofile', timeoutMs: 30_000 });
      await eventually(() => {
        const tab = vscode.window.tabGroups.all.flatMap(group => group.tabs).find(t => t.input instanceof vscode.TabInputCustom && t.input.uri.fsPath.endsWith(join('profiles', 'demo.cpuprofile')));
        assert.ok(tab, `no editor tab for profiles/demo.cpuprofile; tabs: ${JSON.stringify(vscode.window.tabGroups.all.flatMap(g => g.tabs.map(t => t.label)))}`);
        assert.equal((tab.input as vscode.TabInputCustom).viewType, 'icicle.profileEditor', 'the profile opened in another editor than the flame graph');
      }, 30_000);
      const { labels } = await ask({ action: 'frameLabels', include: [demoBranches.hotFunction], timeoutMs: 60_000 });
      assert.ok(labels.some(label => labelNames(label, demoBranches.hotFunction)), `no ${demoBranches.hotFunction} frame drawn; labels: ${JSON.stringify(labels.slice(0, 30))}`);
    });

    test("2. clicking countPrimesNaive's frame opens src/primes.js beside the flame graph", async function () {
      this.timeout(60_000);
      await ask({ action: 'clickFrame', label: demoBranches.hotFunction, timeoutMs: 30_000 });
      const editor = await eventually(() => {
        const found = vscode.window.visibleTextEditors.find(e => e.document.uri.fsPath === primes);
        assert.ok(found, `src/primes.js is not shown; visible: ${JSON.stringify(vscode.window.visibleTextEditors.map(e => e.document.uri.fsPath))}`);
        return found;
      }, 30_000);
      const profileGroup = vscode.window.tabGroups.all.find(group => group.tabs.some(t => t.input instanceof vscode.TabInputCustom));
      assert.notEqual(editor.viewColumn, profileGroup?.viewColumn, 'primes.js opened in place of the flame graph, not beside it');
      // The editor is at the function: its declaration line is within the lines shown.
      const declaration = lineNumberOf(primes, hotDeclaration) - 1;
      assert.ok(editor.visibleRanges.some(range => range.start.line <= declaration && declaration <= range.end.line), 'countPrimesNaive is not in view');
    });

    test('3. hovering countPrimesNaive with the mouse shows its cost from the profile', async function () {
      this.timeout(90_000);
      const { text } = await ask({ action: 'hoverWord', line: hotDeclaration, word: demoBranches.hotFunction, expect: `Total ${shareAndTime}`, timeoutMs: 60_000 });
      assert.match(text, new RegExp(`${demoBranches.hotFunction} — Icicle`));
      assert.match(text, new RegExp(`self ${shareAndTime}`));
      // The hot function: most of the profile's time (92% in the committed profile).
      const total = Number(/Total (\d+(?:\.\d+)?)%/.exec(text)![1]);
      assert.ok(total > 50, `countPrimesNaive has only ${total}% of the profile's time`);
      // The costs say where they come from: the profile just opened.
      assert.match(text, /demo\.cpuprofile/);
      const shot = await ask({ action: 'screenshot', name: 'demo-hover', pageSelector: '.monaco-hover:not(.hidden)', timeoutMs: 30_000 });
      assert.match(shot.path, /demo-hover\.png$/);
    });

    test('4. a code lens above countPrimesNaive shows its total and self cost', async function () {
      this.timeout(60_000);
      const { texts } = await ask({ action: 'codeLens', line: hotDeclaration, expect: String.raw`\d+\.\d% total · \d+\.\d% self \([\d.,]+ (?:µs|ms|s)\)`, timeoutMs: 45_000 });
      assert.ok(texts.length > 0);
    });

    test('5. Icicle: Toggle Line Heat marks the line where the time goes', async function () {
      this.timeout(60_000);
      await ask({ action: 'runCommand', title: 'Icicle: Toggle Line Heat', timeoutMs: 30_000 });
      const { lines } = await ask({ action: 'lineHeat', line: hotLine, timeoutMs: 30_000 });
      assert.ok(lines.includes(lineNumberOf(primes, hotLine)), `no heat on the line ${hotLine}; heat on lines ${JSON.stringify(lines)}`);
      // The extension drew it there too (not some other decoration in the gutter).
      const drawn = api.lineHeat(vscode.Uri.file(primes).toString()) ?? [];
      assert.ok(drawn.flat().includes(lineNumberOf(primes, hotLine) - 1), `the extension drew heat on ${JSON.stringify(drawn)}`);
    });

    test("6. F5 runs the launch configuration profiled: the run's flame graph opens and the costs follow it", async function () {
      this.timeout(120_000);
      const before = new Set(api.recordings().map(r => r.sessionId));
      await ask({ action: 'pressKeyInEditor', line: hotDeclaration, key: 'F5', timeoutMs: 30_000 });
      const run = await eventually(() => {
        const found = api.recordings().find(r => !before.has(r.sessionId));
        assert.ok(found, 'F5 started no profiled run');
        return found;
      }, 60_000);
      assert.equal(run.name, demoLaunchConfiguration);
      await eventually(() => assert.ok(api.runViews().includes(run.sessionId), `no flame graph opened for the run; recordings: ${JSON.stringify(api.recordings())}`), 90_000);
      const { labels } = await ask({ action: 'frameLabels', include: [demoBranches.hotFunction], timeoutMs: 60_000 });
      assert.ok(labels.some(label => labelNames(label, demoBranches.hotFunction)), `the run's flame graph does not draw ${demoBranches.hotFunction}`);
      // The run's flame graph took primes.js's place; its tab brings it back, and its hover now speaks of the run.
      await ask({ action: 'clickTab', label: 'primes.js', timeoutMs: 30_000 });
      const { text } = await ask({ action: 'hoverWord', line: hotDeclaration, word: demoBranches.hotFunction, expect: demoLaunchConfiguration, timeoutMs: 60_000 });
      assert.match(text, new RegExp(`Total ${shareAndTime}`));
    });

    test('7. Icicle: Compare Branches… (slower-report against main, the launch configuration, 3 runs) marks formatReport slower', async function () {
      this.timeout(240_000);
      await ask({ action: 'runCommand', title: 'Icicle: Compare Branches', timeoutMs: 30_000 });
      const head = await ask({ action: 'quickPick', title: 'The branch to measure', choose: demoBranches.slower, timeoutMs: 30_000 });
      assert.deepEqual([...head.offered].sort(), [demoBranches.base, demoBranches.slower].sort());
      await ask({ action: 'quickPick', title: `Compare ${demoBranches.slower} against`, choose: demoBranches.base, timeoutMs: 30_000 });
      await ask({ action: 'quickPick', title: 'What should run on each branch?', choose: demoLaunchConfiguration, timeoutMs: 30_000 });
      await ask({ action: 'inputBox', title: 'How many runs per branch?', text: '3', timeoutMs: 30_000 });
      const shown = await eventually(() => {
        const now = api.comparison();
        assert.ok(now.type === 'comparison' || now.type === 'error', `the compare panel shows ${JSON.stringify(now).slice(0, 200)}`);
        return now;
      }, 180_000);
      assert.equal(shown.type, 'comparison', `the comparison failed: ${JSON.stringify(shown).slice(0, 500)}`);
      // The panel as the reader sees it, with each side's mean and spread per function, before anything is asserted:
      // if a verdict is wrong, this picture says why.
      await ask({ action: 'screenshot', name: 'demo-compare', selector: '.icicle-compare-table', timeoutMs: 30_000 });
      const changes = shown.changes!;
      const top = JSON.stringify(changes.slice(0, 4));
      assert.equal(changes[0]?.name, demoBranches.slowedFunction, `the first changes are ${top} (test-results/editor/demo-compare.png)`);
      assert.equal(changes[0]!.verdict, 'regression', `the first changes are ${top} (test-results/editor/demo-compare.png)`);
      // Only the slowed function changed: the hot function is the same on both branches. Beside a real change a false
      // discovery is allowed at the 5% rate, so any other function flagged must have moved by less than a third.
      const others = changes.filter(c => c.verdict !== 'unchanged' && c.name !== demoBranches.slowedFunction);
      assert.deepEqual(others.filter(c => !(Math.abs(c.deltaPercent ?? Infinity) < 33)).map(c => c.name), [], `the first changes are ${top}`);
      // The panel says so where the reader looks: the row, read from the page.
      const row = await ask({ action: 'clickRole', role: 'row', name: `${demoBranches.slowedFunction}: slower`, timeoutMs: 30_000 });
      assert.match(row.clicked, new RegExp(demoBranches.slowedFunction));
    });
  });
}
