/**
 * Branch comparison in the editor: a git repository made by the test, where the feature branch makes `slow` twice as
 * slow, is run three times per branch through "Compare Branches" (worktrees, the probe, the agent), and the compare
 * panel shows `slow` first as significantly slower.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as vscode from 'vscode';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTwoBranchRepository } from '../../support/demoRepository';
import { ask, bridgeAvailable } from './e2eBridge';
import { eventually, icicleApi } from './icicle';

export function register(): void {
  suite('branch comparison', () => {
    let dir: string;
    suiteSetup(() => {
      dir = mkdtempSync(join(tmpdir(), 'icicle-compare-e2e-'));
      createTwoBranchRepository(dir);
    });
    suiteTeardown(() => rmSync(dir, { recursive: true, force: true }));

    test('three runs per branch put the slowed function first in the compare panel, significantly slower', async function () {
      this.timeout(180_000);
      const api = await icicleApi();
      // The extension host's Node (ELECTRON_RUN_AS_NODE makes desktop VS Code's Electron one behave as Node).
      process.env['ELECTRON_RUN_AS_NODE'] = '1';
      await api.compareBranches({ folder: dir, base: 'main', head: 'feature', command: { executable: process.execPath, args: ['app.js'] }, repeat: 3 });
      const shown = api.comparison();
      assert.equal(shown.type, 'comparison', `the panel shows ${JSON.stringify(shown).slice(0, 300)}`);
      const first = shown.changes![0]!;
      assert.equal(first.name, 'slow');
      assert.equal(first.verdict, 'regression');
      // Nothing else changed as much (beside a real change, a false discovery is allowed at the 5% rate: sizes, not verdicts).
      for (const name of ['parse', 'render']) assert.ok(Math.abs(shown.changes!.find(c => c.name === name)!.deltaPercent!) < first.deltaPercent! / 2, `${name} changed as much as slow`);
      if (bridgeAvailable()) {
        // The differential flame graph draws the head's frames, slow among them.
        await ask({ action: 'frameLabels', include: ['slow'], timeoutMs: 30_000 });
        await ask({ action: 'screenshot', name: 'compare-panel', selector: '.icicle-regression', timeoutMs: 30_000 });
        const clicked = await ask({ action: 'clickRole', role: 'row', name: 'slow: slower', timeoutMs: 30_000 });
        assert.match(clicked.clicked, /slow/);
      }
    });

    test('with a baseline, the hover on the changed function shows its change per run', async function () {
      this.timeout(120_000);
      const api = await icicleApi();
      // The workspace is on main; with feature as the base, main's runs are compared against feature's.
      const config = vscode.workspace.getConfiguration('icicle');
      await config.update('compare.baseBranch', 'feature', vscode.ConfigurationTarget.Workspace);
      api.setCostSelection({ kind: 'allRuns', selector: '{branch="main", launcher="compare"}' });
      try {
        const uri = vscode.Uri.file(join(dir, 'app.js'));
        await vscode.window.showTextDocument(uri);
        const slowLine = readFileSync(uri.fsPath, 'utf8').split('\n').findIndex(line => line.startsWith('function slow('));
        await eventually(async () => {
          const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(slowLine, 10));
          const text = hovers.flatMap(h => h.contents.map(c => (typeof c === 'string' ? c : c.value))).join('\n');
          // main's slow takes half of feature's: about −150 ms, −50%, each a mean over the three runs (the statistic of
          // the compare panel's rows), said in the hover. The head side is main's runs when the workspace is on main,
          // else the runs shown (the fixture workspace is on whichever branch the checkout is).
          assert.match(text, /Self per run: \*\*−1\d\d ms \(−[45]\d%\) vs feature\*\* \(mean of 3 runs (on main|shown) against mean of 3 runs on feature\)/);
        }, 60_000);
      } finally {
        await config.update('compare.baseBranch', undefined, vscode.ConfigurationTarget.Workspace);
        api.setCostSelection(undefined);
      }
    });
  });
}
