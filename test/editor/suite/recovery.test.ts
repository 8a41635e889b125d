/**
 * The helper processes die in real life (out of memory, a crash, a kill). The extension must notice, start a
 * fresh one, and keep working without a window reload.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { corpusDir, eventually, fixtureWorkspace, icicleApi, withProfiledTerminal } from './icicle';

/** Resolves with the new pid once the supervisor has replaced the killed process with a live one. */
async function restarted(current: () => number | undefined, killed: number, what: string): Promise<number> {
  return eventually(() => {
    const pid = current();
    assert.ok(pid && pid !== killed, `the ${what} was not restarted (pid ${pid})`);
    process.kill(pid, 0);
    return pid;
  }, 30_000);
}

export function register(): void {
  suite('recovery', () => {
    test('a live flame graph of a profiled program follows it through SIGKILLs of the agent and the language server, with one message', async function () {
      this.timeout(180_000);
      const api = await icicleApi();
      const messagesBefore = api.messages().length;
      await withProfiledTerminal(api, { name: 'icicle-crash-test', env: { ICICLE_CHUNK_MS: '500' } }, async terminal => {
        terminal.sendText(`${JSON.stringify(process.execPath)} busy.js 90000`);
        const run = await eventually(() => {
          const found = api.recordings().find(r => r.name === 'terminals' && r.state !== 'ended' && r.samples > 0);
          assert.ok(found, 'no samples from the terminal yet');
          return found;
        }, 90_000);
        await vscode.commands.executeCommand('icicle.profiles.open', { sessionId: run.sessionId, startMs: Date.now(), endMs: Date.now(), samples: 0, valueNs: 0, labels: {} });
        const view = () => api.panels().find(p => p.selector?.includes(run.sessionId));
        let shown = await eventually(() => {
          const panel = view();
          assert.ok(panel && panel.state === 'loaded' && panel.samples > 0, `the run's view did not load: ${JSON.stringify(api.panels())}`);
          return panel.samples;
        }, 60_000);

        // Kill the agent at two moments of the stream, the language server between; the view keeps following
        // the run (more samples each time, never fewer: nothing acknowledged is lost) without being reopened.
        for (const victim of ['agent', 'languageServer', 'agent'] as const) {
          const killed = api.processes()[victim]!;
          assert.ok(killed, `no ${victim} process to kill`);
          process.kill(killed, 'SIGKILL');
          await restarted(() => api.processes()[victim], killed, victim);
          const before = shown;
          shown = await eventually(() => {
            const panel = view();
            assert.ok(panel, 'the view was closed');
            assert.ok(panel.samples >= before, `the view lost samples: ${panel.samples} < ${before}`);
            assert.ok(panel.state === 'loaded' && panel.samples > before, `the view did not move on after the ${victim} was killed (${panel.state}, ${panel.samples} samples)`);
            return panel.samples;
          }, 60_000);
        }
        // The language server serves again: hovers in the profiled file answer with its costs.
        const document = await vscode.workspace.openTextDocument(join(fixtureWorkspace, 'busy.js'));
        await vscode.window.showTextDocument(document);
        await eventually(async () => {
          const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(8, 12));
          const text = hovers.flatMap(h => h.contents.map(c => (typeof c === 'string' ? c : c.value))).join('\n');
          assert.match(text, /spinSlice/, 'no hover from the restarted language server');
        }, 60_000);
      });
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      // What the user saw: no error, and at most the one message per helper that says it is being restarted
      // (an earlier test may already have shown it: it is shown once per window).
      const during = api.messages().slice(messagesBefore);
      assert.deepEqual(during.filter(m => m.severity === 'error'), [], 'no error notification');
      assert.ok(during.every(m => /stopped unexpectedly; restarting it|stopped unexpectedly \(it was killed by SIGKILL\); restarting it/.test(m.text)), `unexpected messages: ${JSON.stringify(during)}`);
      const agentMessages = api.messages().filter(m => /agent stopped unexpectedly/.test(m.text));
      assert.equal(agentMessages.length, 1, `one message about the agent over every kill in this window: ${JSON.stringify(agentMessages)}`);
      assert.ok(!api.messages().some(m => /\n\s+at /.test(m.text)), 'no stack trace reached a notification');
    });

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
      // The suite before this one killed it too: wait until it runs again (its pid is known once it has answered).
      const killed = await eventually(() => {
        const pid = api.processes().languageServer;
        assert.ok(pid, 'no language server process to kill');
        return pid;
      }, 30_000);
      process.kill(killed, 'SIGKILL');
      await eventually(() => {
        const pid = api.processes().languageServer;
        assert.ok(pid && pid !== killed, `the language server was not restarted (pid ${pid})`);
        process.kill(pid, 0);
      });
    });
  });
}
