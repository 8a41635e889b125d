/**
 * Opening profiles shows a flame graph: through the command with a Uri, and through the custom editor. The
 * webview's DOM is read by the driver in the real page, so these tests see what a user would see.
 */
import * as assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { labelNames } from '../handshake';
import { ask, bridgeAvailable } from './e2eBridge';
import { closeAllEditors, corpusDir, eventually, icicleApi } from './icicle';

/** A real profile (sucrase compiling itself, from speedscope's samples) and wide frames in it (≥ 49 % of time). */
const sucrase = join(corpusDir, 'cpuprofile', 'sucrase.cpuprofile');
const sucraseFrames = ['transform', 'getSucraseTokens', 'getTokens', 'parseTopLevel'];

/** A small modern-format profile whose functions a → b → d and a → c → d share the time evenly. */
const simple = join(corpusDir, 'cpuprofile', 'simple.cpuprofile');
const simpleFrames = ['a', 'b', 'c', 'd'];

/** Asks the driver for the visible flame graph's labels and asserts that every expected function is drawn. */
async function assertFramesShown(expected: string[]): Promise<string[]> {
  const { labels } = await ask({ action: 'frameLabels', include: expected, timeoutMs: 30_000 });
  for (const name of expected) {
    assert.ok(
      labels.some(label => labelNames(label, name)),
      `no frame labelled ${name} in the webview; the labels drawn were: ${JSON.stringify(labels.slice(0, 40))}`,
    );
  }
  return labels;
}

/** All open tabs, across editor groups. */
const tabs = () => vscode.window.tabGroups.all.flatMap(group => group.tabs);

export function register(): void {
  suite('flame graph', () => {
    setup(closeAllEditors);

    test('icicle.openProfile with a Uri shows the profile in a webview', async () => {
      const api = await icicleApi();
      await vscode.commands.executeCommand('icicle.openProfile', vscode.Uri.file(sucrase));
      await eventually(() => {
        const panel = api.panels().find(p => p.title.includes('sucrase'));
        assert.ok(panel, `no Icicle panel for sucrase.cpuprofile; panels: ${JSON.stringify(api.panels())}`);
        assert.equal(panel.state, 'loaded');
        assert.ok(panel.nodeCount > 100, `the sucrase panel holds only ${panel.nodeCount} nodes`);
      });
      assert.ok(
        tabs().some(tab => tab.input instanceof vscode.TabInputWebview && tab.label.includes('sucrase')),
        `no webview tab for sucrase; tabs: ${JSON.stringify(tabs().map(tab => tab.label))}`,
      );
      if (bridgeAvailable()) await assertFramesShown(sucraseFrames);
    });

    test('vscode.openWith opens a .cpuprofile in the Icicle custom editor', async () => {
      await icicleApi();
      const uri = vscode.Uri.file(simple);
      await vscode.commands.executeCommand('vscode.openWith', uri, 'icicle.profileEditor');
      await eventually(() => {
        const tab = tabs().find(t => t.input instanceof vscode.TabInputCustom && t.input.uri.fsPath === uri.fsPath);
        assert.ok(tab, `no custom-editor tab for ${uri.fsPath}; tabs: ${JSON.stringify(tabs().map(t => t.label))}`);
        assert.equal((tab.input as vscode.TabInputCustom).viewType, 'icicle.profileEditor');
      });
      if (bridgeAvailable()) await assertFramesShown(simpleFrames);
    });

    test('a screenshot of the workbench shows the flame graph', async function () {
      if (!bridgeAvailable()) this.skip();
      await icicleApi();
      await vscode.commands.executeCommand('icicle.openProfile', vscode.Uri.file(sucrase));
      await assertFramesShown(sucraseFrames);
      const shot = await ask({ action: 'screenshot', name: 'flame-graph', timeoutMs: 30_000 });
      assert.match(shot.path, /test-results[\\/]editor[\\/]flame-graph\.png$/);
      // A blank or error page compresses to a few kilobytes; a workbench with a flame graph is far larger.
      const bytes = statSync(shot.path).size;
      assert.ok(bytes > 40_000, `the screenshot ${shot.path} has only ${bytes} bytes`);
    });
  });
}
