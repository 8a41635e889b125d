/**
 * Profiling a real debug session: js-debug (built into the editor) launches a Node.js program with Icicle's probe
 * added to its environment; samples reach the agent while it runs, the status bar counts them, and when the
 * session ends the run's flame graph opens with the program's hot function in it.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { labelNames } from '../handshake';
import { ask, bridgeAvailable } from './e2eBridge';
import { closeAllEditors, eventually, fixtureWorkspace, icicleApi, repoRoot } from './icicle';

/** The values of a label in the extension's store, read by the command line beside the running agent. */
function storeLabelValues(store: string, key: string): string[] {
  const run = spawnSync(process.execPath, [join(repoRoot, 'out', 'agent', 'icicle.js'), 'labels', key, '--store', store, '--json'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as string[];
}

export function register(): void {
  suite('profiling a debug session', () => {
    test('a Node.js debug session started with profiling is recorded, counted and shown when it ends', async function () {
      this.timeout(180_000);
      const api = await icicleApi();
      await closeAllEditors();
      const folder = vscode.workspace.workspaceFolders![0]!;
      const before = new Set(api.recordings().map(r => r.sessionId));
      const started = await vscode.debug.startDebugging(folder, {
        type: 'node',
        request: 'launch',
        name: 'Profile busy.js',
        program: join(fixtureWorkspace, 'busy.js'),
        args: ['6000'],
        // Chunks every half second, so that the count visibly grows during a short run.
        env: { ICICLE_CHUNK_MS: '500' },
        icicleProfile: true,
      });
      assert.ok(started, 'the debug session did not start');
      const recording = await eventually(() => {
        const found = api.recordings().find(r => !before.has(r.sessionId));
        assert.ok(found, 'no recording started with the debug session');
        return found;
      });
      const current = () => api.recordings().find(r => r.sessionId === recording.sessionId)!;

      // While the program runs, samples arrive and the status bar counts them, and the count grows.
      const firstCount = await eventually(() => {
        assert.equal(current().state, 'recording');
        assert.ok(current().samples > 0, 'no samples yet');
        return current().samples;
      }, 60_000);
      assert.match(api.profilingStatus(), /Icicle: [\d,]+ samples?/);
      await eventually(() => assert.ok(current().samples > firstCount, `the count stayed at ${firstCount}`), 60_000);

      // The samples carry the run's labels.
      const store = api.storeDirectory();
      assert.ok(storeLabelValues(store, 'session_id').includes(recording.sessionId));
      assert.ok(storeLabelValues(store, 'launch_config').includes('Profile busy.js'));
      assert.ok(storeLabelValues(store, 'runtime').includes('node'));

      // When the session ends, the run's flame graph opens, showing the hot function.
      await eventually(() => assert.ok(api.runViews().includes(recording.sessionId), 'no flame graph opened for the run'), 90_000);
      assert.equal(current().state, 'ended');
      await eventually(() => {
        const panel = api.panels().find(p => p.title.startsWith('Profile busy.js'));
        assert.ok(panel, `no panel for the run among ${JSON.stringify(api.panels())}`);
        assert.equal(panel.state, 'loaded');
        assert.ok(panel.nodeCount > 2);
      }, 30_000);
      if (bridgeAvailable()) {
        const { labels } = await ask({ action: 'frameLabels', include: ['spinSlice'], timeoutMs: 30_000 });
        assert.ok(labels.some(label => labelNames(label, 'spinSlice')), `spinSlice is not drawn; labels: ${JSON.stringify(labels.slice(0, 30))}`);
        // For the README's "profile a debug run" (docs/images/debug-run.png is a reviewed copy).
        await ask({ action: 'screenshot', name: 'debug-run', timeoutMs: 30_000 });
      }
    });
  });
}
