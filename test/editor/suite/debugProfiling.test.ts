/**
 * Profiling a real debug session: js-debug (built into the editor) launches a Node.js program with Icicle's probe
 * added to its environment; samples reach the agent while it runs, the status bar counts them, and when the
 * session ends the run's flame graph opens with the program's hot function in it.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { labelNames } from '../handshake';
import { ask, bridgeAvailable } from './e2eBridge';
import { closeAllEditors, eventually, fixtureWorkspace, icicleApi, repoRoot, withProfiledTerminal } from './icicle';

/** The values of a label in the extension's store, read by the command line beside the running agent. */
function storeLabelValues(store: string, key: string): string[] {
  const run = spawnSync(process.execPath, [join(repoRoot, 'out', 'agent', 'icicle.js'), 'labels', key, '--store', store, '--json'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as string[];
}

/** Builds the native test program (test/fixtures/native/hot.go) with the machine's Go. */
function buildHotGoProgram(directory: string): string {
  const binary = join(directory, 'hot');
  const build = spawnSync('go', ['build', '-o', binary, join(repoRoot, 'test', 'fixtures', 'native', 'hot.go')], { encoding: 'utf8', timeout: 180_000 });
  assert.equal(build.status, 0, `go build failed: ${build.stderr}`);
  return binary;
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
      const filesBefore = readdirSync(fixtureWorkspace).sort();
      const recording = await eventually(() => {
        const found = api.recordings().find(r => !before.has(r.sessionId));
        assert.ok(found, 'no recording started with the debug session');
        return found;
      });
      const current = () => api.recordings().find(r => r.sessionId === recording.sessionId)!;

      // While it runs under the debugger its chunks stream in (agent/probe/chunkedProfiler.ts): the count grows
      // before the session ends, and the status bar shows it.
      assert.equal(current().state, 'recording');
      assert.match(api.profilingStatus(), /Icicle: (profiling|[\d,]+ samples?)/);
      const firstCount = await eventually(() => {
        const { samples, state } = current();
        assert.equal(state, 'recording', 'the run ended before any of its samples were stored');
        assert.ok(samples > 0, 'no samples stored while the program runs');
        return samples;
      }, 90_000);
      await eventually(() => {
        assert.equal(current().state, 'recording', 'the run ended before its count grew');
        assert.ok(current().samples > firstCount, `the count stays at ${firstCount}`);
        assert.match(api.profilingStatus(), /Icicle: [\d,]+ samples/);
      }, 30_000);

      // The samples carry the run's labels.
      const store = api.storeDirectory();
      assert.ok(storeLabelValues(store, 'session_id').includes(recording.sessionId));
      assert.ok(storeLabelValues(store, 'launch_config').includes('Profile busy.js'));
      assert.ok(storeLabelValues(store, 'runtime').includes('node'));
      // The hot function gets its time (V8's profiler lives for the whole run, so inlined frames are kept).
      const top = spawnSync(process.execPath, [join(repoRoot, 'out', 'agent', 'icicle.js'), 'top', '--store', store, '--json', '--where', `session_id=${recording.sessionId}`], { encoding: 'utf8' });
      const result = JSON.parse(top.stdout) as { totalValue: number; functions: { function: string; self: number }[] };
      assert.equal(result.functions[0]!.function, 'spinSlice');
      assert.ok(result.functions[0]!.self > 0.7 * result.totalValue, 'spinSlice has most of the time');

      // When the session ends, the run's flame graph opens, showing the hot function.
      await eventually(() => assert.ok(api.runViews().includes(recording.sessionId), 'no flame graph opened for the run'), 90_000);
      assert.equal(current().state, 'ended');
      // Profiling leaves the user's workspace as it was (the debugger saves there every console profile it is told
      // has finished, so the probe's chunks are its own session's profiles and its keep-alive never ends).
      assert.deepEqual(readdirSync(fixtureWorkspace).sort(), filesBefore);
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
        // The run's other views, through real clicks in the page: the table, then the sandwich of its hot function.
        await ask({ action: 'clickRole', role: 'tab', name: 'Table', timeoutMs: 30_000 });
        await ask({ action: 'screenshot', name: 'table-view', selector: '.icicle-table-row', timeoutMs: 30_000 });
        await ask({ action: 'clickRole', role: 'row', name: 'spinSlice', timeoutMs: 30_000 });
        await ask({ action: 'clickRole', role: 'tab', name: 'Sandwich', timeoutMs: 30_000 });
        await ask({ action: 'screenshot', name: 'sandwich-view', selector: '.icicle-callees .d3-flame-graph-label', timeoutMs: 30_000 });
      }

      // The run's flame graph came to the front when it ended, so the source shows its costs: busy.js names the run.
      const busy = vscode.Uri.file(join(fixtureWorkspace, 'busy.js'));
      const spinLine = readFileSync(busy.fsPath, 'utf8').split('\n').findIndex(line => line.startsWith('function spinSlice('));
      await vscode.window.showTextDocument(busy);
      await eventually(async () => {
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', busy, new vscode.Position(spinLine, 10));
        const text = hovers.flatMap(h => h.contents.map(c => (typeof c === 'string' ? c : c.value))).join('\n');
        assert.match(text, /\*\*spinSlice\*\* — Icicle/);
        assert.match(text, new RegExp(`From ${recording.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(`));
        assert.ok(text.includes(encodeURIComponent(`{session_id=\\"${recording.sessionId}\\"}`)), `the hover's costs are not the run's: ${text}`);
      }, 60_000);

      // The Profiles view lists the run, newest first.
      await vscode.commands.executeCommand('icicle.profiles.focus');
      await eventually(() => assert.equal(api.listedRuns()[0], recording.sessionId, `the Profiles view lists ${JSON.stringify(api.listedRuns())}`), 30_000);

      // Deleting it from the view deletes its samples from the store.
      const run = { sessionId: recording.sessionId, startMs: 0, endMs: 0, samples: 0, valueNs: 0, labels: {} };
      assert.equal(await vscode.commands.executeCommand('icicle.profiles.delete', run, true), true);
      await eventually(() => assert.ok(!api.listedRuns().includes(recording.sessionId), 'the deleted run is still listed'), 30_000);
      assert.ok(!storeLabelValues(store, 'session_id').includes(recording.sessionId), 'the run is still in the store');
    });

    test('killing the agent with SIGKILL mid-run leaves the run unharmed and complete', async function () {
      this.timeout(180_000);
      const api = await icicleApi();
      await closeAllEditors();
      const folder = vscode.workspace.workspaceFolders![0]!;
      const before = new Set(api.recordings().map(r => r.sessionId));
      const runMs = 6000;
      assert.ok(
        await vscode.debug.startDebugging(folder, {
          type: 'node',
          request: 'launch',
          name: 'Profile busy.js (agent killed)',
          program: join(fixtureWorkspace, 'busy.js'),
          args: [String(runMs)],
          env: { ICICLE_CHUNK_MS: '300' },
          icicleProfile: true,
        }),
      );
      const recording = await eventually(() => {
        const found = api.recordings().find(r => !before.has(r.sessionId) && r.state === 'recording');
        assert.ok(found, 'the run has not started');
        return found;
      }, 60_000);
      const agentPid = api.processes().agent!;
      process.kill(agentPid, 'SIGKILL');
      // The supervisor starts a new agent; the run goes on and ends normally.
      await eventually(() => assert.ok(api.processes().agent !== undefined && api.processes().agent !== agentPid, 'no new agent'), 60_000);
      await eventually(() => assert.ok(api.runViews().includes(recording.sessionId), 'the run did not end'), 90_000);
      // Everything is in the store: what was acknowledged before the kill, resent chunks and the spooled end.
      const top = spawnSync(process.execPath, [join(repoRoot, 'out', 'agent', 'icicle.js'), 'top', '--store', api.storeDirectory(), '--json', '--where', `session_id=${recording.sessionId}`], { encoding: 'utf8' });
      assert.equal(top.status, 0, top.stderr);
      const stored = JSON.parse(top.stdout) as { totalValue: number; functions: { function: string; self: number }[] };
      assert.ok(stored.totalValue > 0.7 * runMs * 1e6, `the stored run covers ${(stored.totalValue / 1e6).toFixed(0)} of its ${runMs} ms`);
      assert.equal(stored.functions[0]!.function, 'spinSlice');
    });

    test('Icicle: Profile Process… profiles a native process with perf until it exits, then shows it', async function () {
      this.timeout(240_000);
      const api = await icicleApi();
      await closeAllEditors();
      const directory = mkdtempSync(join(tmpdir(), 'icicle-editor-native-'));
      try {
        const program = spawn(buildHotGoProgram(directory), ['-ms', '4000'], { stdio: 'ignore' });
        const sessionId = await vscode.commands.executeCommand<string | undefined>('icicle.profileProcess', program.pid);
        assert.ok(sessionId, 'profiling did not start (is perf installed and permitted?)');
        await eventually(() => assert.ok(api.recordings().find(r => r.sessionId === sessionId)!.samples > 0, 'no samples yet'), 60_000);
        await eventually(() => assert.ok(api.runViews().includes(sessionId), 'the run did not end with the process'), 60_000);
        await eventually(() => {
          const panel = api.panels().find(p => p.title.startsWith(`pid ${program.pid}`));
          assert.ok(panel, `no panel for the process among ${JSON.stringify(api.panels())}`);
          assert.equal(panel.state, 'loaded');
        }, 30_000);
        if (bridgeAvailable()) {
          const { labels } = await ask({ action: 'frameLabels', include: ['main.burn'], timeoutMs: 30_000 });
          assert.ok(labels.some(label => labelNames(label, 'main.burn')), `main.burn is not drawn; labels: ${JSON.stringify(labels.slice(0, 30))}`);
        }
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    });

    test('with icicle.profileTerminals on, a Node.js program run in a new terminal is profiled', async function () {
      this.timeout(180_000);
      const api = await icicleApi();
      await withProfiledTerminal(api, { name: 'icicle-test' }, async terminal => {
        const recording = () => api.recordings().find(r => r.name === 'terminals' && r.state !== 'ended');
        const before = recording()?.samples ?? 0;
        terminal.sendText(`${JSON.stringify(process.execPath)} busy.js 3000`);
        await eventually(() => assert.ok((recording()?.samples ?? 0) > before, 'no samples from the terminal yet'), 90_000);
        assert.match(api.profilingStatus(), /Icicle: [\d,]+ samples?/);
      });
    });
  });
}
