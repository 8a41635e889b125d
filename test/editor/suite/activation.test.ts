/**
 * The extension is loaded from the development folder, activates (its agent and language server start and
 * answer) and registers its commands.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionId, icicleApi, repoRoot } from './icicle';

export function register(): void {
  suite('activation', () => {
    test('the extension is loaded from the development folder and activates', async () => {
      const extension = vscode.extensions.getExtension(extensionId);
      assert.ok(extension, `${extensionId} is not among the editor's extensions`);
      assert.equal(extension.extensionUri.fsPath, repoRoot, 'the extension was not loaded from this repository');
      const api = await icicleApi();
      assert.equal(extension.isActive, true);
      // Ready means both helper processes answered; they must also be running now.
      const { agent, languageServer } = api.processes();
      for (const [name, pid] of Object.entries({ agent, languageServer })) {
        assert.ok(typeof pid === 'number' && pid > 0, `no ${name} process id after activation`);
        assert.doesNotThrow(() => process.kill(pid, 0), `the ${name} process ${pid} is not running`);
      }
    });

    test('the flame graph menu’s commands copy what the frame names, and ignore anything else', async () => {
      await icicleApi();
      assert.equal(await vscode.commands.executeCommand('icicle.copyFunctionName', { icicleFunction: '<img src=x> parse', icicleFile: '/app/a.js' }), true);
      assert.equal(await vscode.env.clipboard.readText(), '<img src=x> parse');
      assert.equal(await vscode.commands.executeCommand('icicle.copyFilePath', { icicleFunction: 'parse', icicleFile: '/app/a.js' }), true);
      assert.equal(await vscode.env.clipboard.readText(), '/app/a.js');
      assert.equal(await vscode.commands.executeCommand('icicle.copyFunctionName', { icicleFunction: 42 }), false);
      assert.equal(await vscode.env.clipboard.readText(), '/app/a.js');
    });

    test('its commands are registered', async () => {
      await icicleApi();
      const commands = await vscode.commands.getCommands(true);
      for (const command of ['icicle.openProfile', 'icicle.showLog', 'icicle.restartServices']) {
        assert.ok(commands.includes(command), `command ${command} is not registered`);
      }
    });
  });
}
