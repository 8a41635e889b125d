/**
 * The helper processes die in real life (out of memory, a crash, a kill). The extension must notice, start a
 * fresh one, and keep working without a window reload.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { corpusDir, eventually, icicleApi } from './icicle';

export function register(): void {
  suite('recovery', () => {
    test('a killed agent is restarted and profiles open again', async () => {
      const api = await icicleApi();
      const killed = api.processes().agent;
      assert.ok(killed, 'no agent process to kill');
      process.kill(killed, 'SIGKILL');
      const fresh = await eventually(() => {
        const pid = api.processes().agent;
        assert.ok(pid && pid !== killed, `the agent was not restarted (pid ${pid})`);
        process.kill(pid, 0);
        return pid;
      });
      assert.notEqual(fresh, killed);
      await vscode.commands.executeCommand('icicle.openProfile', vscode.Uri.file(join(corpusDir, 'cpuprofile', 'simple.cpuprofile')));
      await eventually(() => {
        const panel = api.panels().find(p => p.title === 'simple.cpuprofile' && p.state === 'loaded');
        assert.ok(panel, `simple.cpuprofile did not load after the restart: ${JSON.stringify(api.panels())}`);
      });
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    });

    test('a killed language server is restarted', async () => {
      const api = await icicleApi();
      const killed = api.processes().languageServer;
      assert.ok(killed, 'no language server process to kill');
      process.kill(killed, 'SIGKILL');
      await eventually(() => {
        const pid = api.processes().languageServer;
        assert.ok(pid && pid !== killed, `the language server was not restarted (pid ${pid})`);
        process.kill(pid, 0);
      });
    });
  });
}
