/**
 * A profile whose frames name files above the workspace (test/fixtures/hostile/escapingPaths.cpuprofile:
 * `../../etc/passwd`, the same climbing far enough to reach the real /etc/passwd from any folder, and with
 * backslashes). Clicking such a frame in the flame graph opens nothing and tells the user why; nothing else opens the
 * file either (the language server only annotates documents the editor has open).
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ask, bridgeAvailable } from './e2eBridge';
import { closeAllEditors, eventually, icicleApi, repoRoot } from './icicle';
import { clearNotifications, notificationSaying } from './notifications';

const profile = join(repoRoot, 'test', 'fixtures', 'hostile', 'escapingPaths.cpuprofile');

/** The fixture's frames: function name and the path it names. */
const climbing: [string, string][] = [
  ['readPasswd', '../../etc/passwd'],
  ['readPasswdFromAfar', `${'../'.repeat(16)}etc/passwd`],
  ['readPasswdBackslashes', `${'..\\'.repeat(12)}etc\\passwd`],
];

/** Whether anything in the editor shows or holds a file named passwd (an editor, a tab, a document). */
function passwdAnywhere(): string[] {
  const named = (uri: vscode.Uri) => uri.path.endsWith('/passwd');
  const tabs = vscode.window.tabGroups.all.flatMap(group => group.tabs);
  return [
    ...vscode.window.visibleTextEditors.map(e => e.document.uri).filter(named).map(uri => `editor ${uri.toString()}`),
    ...vscode.workspace.textDocuments.map(d => d.uri).filter(named).map(uri => `document ${uri.toString()}`),
    ...tabs.filter(tab => tab.input instanceof vscode.TabInputText && named(tab.input.uri)).map(tab => `tab ${tab.label}`),
  ];
}

export function register(): void {
  suite('a profile whose paths climb out of the workspace', () => {
    test('clicking a frame named ../../etc/passwd opens nothing and says why', async function () {
      if (!bridgeAvailable()) this.skip();
      this.timeout(90_000);
      const api = await icicleApi();
      await closeAllEditors();
      await vscode.commands.executeCommand('icicle.openProfile', vscode.Uri.file(profile));
      await eventually(() => assert.equal(api.panels().find(p => p.title.includes('escapingPaths'))?.state, 'loaded', JSON.stringify(api.panels())));
      for (const [name, path] of climbing) {
        await clearNotifications();
        const clicked = await ask({ action: 'clickFrame', label: name, timeoutMs: 30_000 });
        assert.match(clicked.label, new RegExp(`^${name}`));
        // The click reached the extension, which refused before looking for the file, and said so.
        await notificationSaying(`Cannot open ${path}: the path leads out of the workspace`);
        assert.deepEqual(passwdAnywhere(), [], `after clicking ${name}`);
        // A click also zooms into the frame, which hides its siblings: zoom out for the next one.
        await ask({ action: 'clickRole', role: 'button', name: 'Reset zoom', timeoutMs: 30_000 });
      }
      // Nothing else opened it either: the language server can only annotate documents the editor has open, and asks
      // the editor to open none.
      assert.deepEqual(passwdAnywhere(), []);
      await closeAllEditors();
    });
  });
}
