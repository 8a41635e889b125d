/**
 * Allocations in the source, as a user gets them: with icicle.profile.allocations on, a program run in a profiled
 * terminal records allocated bytes beside CPU time; its run's flame graph offers "Allocated bytes" in its type
 * picker, and once chosen there the source's hovers and lenses say what each function allocates; the status bar's
 * picker offers the types too.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ask, bridgeAvailable } from './e2eBridge';
import { closeAllEditors, eventually, fixtureWorkspace, icicleApi, withProfiledTerminal } from './icicle';

const allocateJs = join(fixtureWorkspace, 'allocate.js');

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap(h => h.contents.map(c => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

export function register(): void {
  suite('allocations in the source', () => {
    test('a run with allocations: "Allocated bytes" picked in its flame graph makes the hover say what buildRows allocates', async function () {
      // The user's steps happen in the page (the type picker, the hover widget): only the driver can do them.
      if (!bridgeAvailable()) this.skip();
      this.timeout(240_000);
      const api = await icicleApi();
      await closeAllEditors();
      const settings = vscode.workspace.getConfiguration('icicle');
      await settings.update('profile.allocations', true, vscode.ConfigurationTarget.Global);
      try {
        await withProfiledTerminal(api, { name: 'icicle-allocations', env: { ICICLE_CHUNK_MS: '500' } }, async terminal => {
          const recording = () => api.recordings().find(r => r.name === 'terminals' && r.state !== 'ended');
          const before = recording()?.samples ?? 0;
          terminal.sendText(`${JSON.stringify(process.execPath)} allocate.js 3000`);
          const run = await eventually(() => {
            const found = recording();
            assert.ok(found && found.samples > before, 'no samples from the terminal yet');
            return found;
          }, 90_000);

          // The run's flame graph, as the Profiles view opens it; "Allocated bytes" in its type picker once the
          // allocations have landed (the view follows the run's samples as they arrive).
          await vscode.commands.executeCommand('icicle.profiles.open', { sessionId: run.sessionId, startMs: Date.now(), endMs: Date.now(), samples: 0, valueNs: 0, labels: {} });
          await eventually(() => assert.ok(api.panels().some(p => p.selector?.includes(run.sessionId) && p.state === 'loaded'), `the run's view did not load: ${JSON.stringify(api.panels())}`), 60_000);
          const { offered } = await ask({ action: 'selectOption', name: 'Profile type', option: 'Allocated bytes', timeoutMs: 90_000 });
          assert.ok(offered.includes('CPU time'), `the type picker offers ${JSON.stringify(offered)}`);

          // The source, beside the flame graph: buildRows's hover says what it allocates, in bytes.
          const editor = await vscode.window.showTextDocument(vscode.Uri.file(allocateJs), { viewColumn: vscode.ViewColumn.Beside });
          const line = readFileSync(allocateJs, 'utf8').split('\n').findIndex(text => text.startsWith('function buildRows('));
          const provided = await eventually(async () => {
            const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(line, 10)));
            assert.match(text, /^Allocates \*\*[\d.]+ (KiB|MiB|GiB)\*\* itself/m);
            return text;
          }, 60_000);
          assert.match(provided, /Allocated bytes · 1 run/);
          assert.match(api.costStatus(), / · Allocated bytes$/);
          const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri)) ?? [];
          assert.match(lenses.find(l => l.range.start.line === line)?.command?.title ?? '(no lens)', /^allocates [\d.]+ (KiB|MiB|GiB) \(/);

          // The hover as the editor draws it, opened from the keyboard on buildRows's name.
          const shown = await eventually(async () => {
            editor.selection = new vscode.Selection(line, 12, line, 12);
            await vscode.commands.executeCommand('editor.action.showHover');
            return ask({ action: 'editorHover', expect: 'Allocates [\\d.]+ (KiB|MiB|GiB) itself', timeoutMs: 10_000 });
          }, 40_000);
          assert.match(shown.text, /buildRows — Icicle/);
          assert.match(shown.text, /with its callees/);

          // The status bar's picker offers the types of the samples shown; CPU time chosen there, time again.
          const picking = vscode.commands.executeCommand('icicle.chooseCostSelection');
          const { offered: rows } = await ask({ action: 'quickPick', title: 'which samples should the source show', choose: 'CPU time', timeoutMs: 30_000 });
          await picking;
          assert.ok(rows.some(row => row.startsWith('Allocated bytes')) && rows.some(row => row.startsWith('CPU time')), `the picker offers ${JSON.stringify(rows)}`);
          await eventually(async () => {
            const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(line, 10)));
            assert.match(text, /^Total \*\*[\d.]+%\*\* \([\d.]+ m?s,/m);
          }, 60_000);
          assert.doesNotMatch(api.costStatus(), /Allocated bytes/);
        });
      } finally {
        await settings.update('profile.allocations', undefined, vscode.ConfigurationTarget.Global);
        api.setCostSelection(undefined);
        await closeAllEditors();
      }
    });
  });
}
