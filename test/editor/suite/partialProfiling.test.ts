/**
 * Profiling part of a debug session: an ordinary F5 (no profiling) of a small Node.js program with a breakpoint;
 * "Icicle: Start Profiling" → "Until the next breakpoint" from the Command Palette loads the probe into the running
 * program through the debugger; when the program stops at the breakpoint, its samples are in the store and in the
 * run's flame graph while it is still paused there.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ask, bridgeAvailable } from './e2eBridge';
import { closeAllEditors, eventually, fixtureWorkspace, icicleApi, repoRoot } from './icicle';

/** What the debug adapters of the test's sessions said: `stopped` events and the program's output. */
function watchDebugAdapters(): { stoppedAt: () => number | undefined; output: () => string; dispose: () => void } {
  let stoppedAt: number | undefined;
  let output = '';
  const registration = vscode.debug.registerDebugAdapterTrackerFactory('pwa-node', {
    createDebugAdapterTracker: () => ({
      onDidSendMessage: (message: { type?: string; event?: string; body?: { output?: string } }) => {
        if (message.type !== 'event') return;
        if (message.event === 'stopped') stoppedAt ??= Date.now();
        if (message.event === 'output') output += message.body?.output ?? '';
      },
    }),
  });
  return { stoppedAt: () => stoppedAt, output: () => output, dispose: () => registration.dispose() };
}

export function register(): void {
  suite('profiling part of a debug session', () => {
    test('Start Profiling "until the next breakpoint" on an unprofiled F5 run: the partial profile is stored and shown while the program is paused', async function () {
      this.timeout(240_000);
      const api = await icicleApi();
      await closeAllEditors();
      const folder = vscode.workspace.workspaceFolders![0]!;
      const program = join(fixtureWorkspace, 'untilBreakpoint.js');
      const breakpointLine = readFileSync(program, 'utf8').split('\n').findIndex(line => line.includes('console.log(`reached the breakpoint'));
      const breakpoint = new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(program), new vscode.Position(breakpointLine, 0)));
      vscode.debug.addBreakpoints([breakpoint]);
      const adapters = watchDebugAdapters();
      const before = new Set(api.recordings().map(r => r.sessionId));
      try {
        // An ordinary F5: no icicleProfile, and icicle.profileDebugSessions is off.
        assert.ok(await vscode.debug.startDebugging(folder, { type: 'node', request: 'launch', name: 'Debug untilBreakpoint.js', program }), 'the debug session did not start');
        await eventually(() => assert.ok(vscode.debug.activeDebugSession, 'no active debug session'), 60_000);
        assert.deepEqual(api.recordings().filter(r => !before.has(r.sessionId)), [], 'the F5 run was profiled from the start');

        // The debug toolbar offers to start profiling this Node.js session.
        if (bridgeAvailable()) await ask({ action: 'debugToolbar', expect: '^Start Profiling', timeoutMs: 60_000 });

        // From the palette, as a person does it (the program spins until the probe has been in it for 1 s).
        if (bridgeAvailable()) {
          await ask({ action: 'runCommand', title: 'Icicle: Start Profiling', timeoutMs: 30_000 });
          const { offered } = await ask({ action: 'quickPick', title: 'Start Profiling', choose: 'Until the next breakpoint', timeoutMs: 30_000 });
          assert.equal(offered.length, 3, `the pick offered ${JSON.stringify(offered)}`);
        } else {
          assert.equal(await vscode.commands.executeCommand('icicle.startProfiling', { kind: 'breakpoint' }), true);
        }
        const recording = await eventually(() => {
          const found = api.recordings().find(r => !before.has(r.sessionId));
          assert.ok(found, 'Start Profiling started no recording');
          return found;
        }, 60_000);
        assert.equal(recording.name, 'Debug untilBreakpoint.js');
        await eventually(() => assert.match(api.profilingStatus(), /until a breakpoint/), 30_000);
        if (bridgeAvailable()) await ask({ action: 'debugToolbar', expect: '^Stop Profiling', timeoutMs: 30_000 });

        // The program reaches the breakpoint: profiling pauses and the run's samples are stored while it waits there.
        const stoppedAt = await eventually(() => {
          const at = adapters.stoppedAt();
          assert.ok(at, 'the program did not stop at the breakpoint');
          return at;
        }, 90_000);
        const current = () => api.recordings().find(r => r.sessionId === recording.sessionId)!;
        await eventually(() => assert.ok(current().samples > 0, 'no samples stored while the program is paused'), 30_000);
        const storedAfterMs = Date.now() - stoppedAt;
        assert.equal(current().state, 'stopped');
        const top = spawnSync(process.execPath, [join(repoRoot, 'out', 'agent', 'icicle.js'), 'top', '--store', api.storeDirectory(), '--json', '--where', `session_id=${recording.sessionId}`], { encoding: 'utf8' });
        assert.equal(top.status, 0, top.stderr);
        const stored = JSON.parse(top.stdout) as { totalValue: number; functions: { function: string; self: number }[] };
        assert.equal(stored.functions[0]!.function, 'spinSlice');
        assert.ok(stored.functions[0]!.self > 0.7 * stored.totalValue, 'spinSlice has most of the time');
        // The program spun for 1 s with the probe, less than a chunk period: these are the breakpoint's hand-over.
        assert.ok(stored.totalValue > 0.5e9, `the stored samples cover ${(stored.totalValue / 1e6).toFixed(0)} ms of 1 s`);
        // The run's flame graph opened, with the partial profile in it.
        await eventually(() => assert.ok(api.runViews().includes(recording.sessionId), 'no flame graph opened for the partial profile'), 30_000);
        await eventually(() => {
          const panel = api.panels().find(p => p.selector?.includes(recording.sessionId));
          assert.ok(panel, `no panel for the run among ${JSON.stringify(api.panels())}`);
          assert.equal(panel.state, 'loaded');
          assert.ok(panel.nodeCount > 2);
        }, 30_000);
        // All of it while the program sat at its breakpoint.
        assert.ok(!adapters.output().includes('continued'), 'the program went on before its partial profile was shown');
        // The debugger's evaluations (loading the probe, pausing it) show nothing in the Debug Console (a guard: with
        // js-debug today neither `watch` nor `repl` evaluations sent by an extension are echoed).
        assert.doesNotMatch(adapters.output(), /icicle\.probe|createRequire|'(paused|profiling)'/, 'an evaluation showed in the Debug Console');
        if (bridgeAvailable()) await ask({ action: 'debugToolbar', expect: '^Start Profiling', timeoutMs: 30_000 });
        console.log(`      (the partial profile was stored ${storedAfterMs} ms after the program stopped)`);

        // Continue: the program ends, and the session with it.
        await vscode.commands.executeCommand('workbench.action.debug.continue');
        await eventually(() => assert.ok(adapters.output().includes('continued'), 'the program did not go on'), 60_000);
        await eventually(() => assert.equal(current().state, 'ended'), 60_000);
      } finally {
        adapters.dispose();
        vscode.debug.removeBreakpoints([breakpoint]);
        if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
      }
    });

    test('Start Profiling for 3 seconds pauses by itself; Start Profiling again resumes the same run; Stop Profiling pauses it at once', async function () {
      this.timeout(180_000);
      const api = await icicleApi();
      const folder = vscode.workspace.workspaceFolders![0]!;
      const before = new Set(api.recordings().map(r => r.sessionId));
      assert.ok(await vscode.debug.startDebugging(folder, { type: 'node', request: 'launch', name: 'Debug busy.js', program: join(fixtureWorkspace, 'busy.js'), args: ['120000'] }), 'the debug session did not start');
      try {
        await eventually(() => assert.ok(vscode.debug.activeDebugSession, 'no active debug session'), 60_000);
        assert.equal(await vscode.commands.executeCommand('icicle.startProfiling', { kind: 'time', seconds: 3 }), true);
        const recording = api.recordings().find(r => !before.has(r.sessionId));
        assert.ok(recording, 'Start Profiling started no recording');
        const current = () => api.recordings().find(r => r.sessionId === recording.sessionId)!;
        // The status bar counts down, then the run pauses by itself and hands over what it recorded.
        assert.match(api.profilingStatus(), /Icicle: .* [1-3] s left/);
        await eventually(() => assert.equal(current().state, 'stopped', 'the run did not pause after 3 s'), 30_000);
        const paused = await eventually(() => {
          assert.ok(current().samples > 0, 'nothing was stored of the 3 s');
          return current().samples;
        }, 30_000);
        assert.match(api.profilingStatus(), /Icicle: stopped · [\d,]+ samples/);
        // Paused: no chunk comes for more than a chunk period (2 s) while the program stays busy.
        const watchUntil = Date.now() + 5000;
        while (Date.now() < watchUntil) {
          assert.equal(current().samples, paused, 'samples kept arriving while paused');
          await new Promise(resolve => setTimeout(resolve, 250));
        }
        // Started again: the same run (session id) records again.
        assert.equal(await vscode.commands.executeCommand('icicle.startProfiling', { kind: 'manual' }), true);
        assert.equal(current().state, 'recording');
        await eventually(() => assert.ok(current().samples > paused, 'the resumed run stores no samples'), 30_000);
        assert.deepEqual(api.recordings().filter(r => !before.has(r.sessionId)).map(r => r.sessionId), [recording.sessionId]);
        await vscode.commands.executeCommand('icicle.stopProfiling');
        assert.equal(current().state, 'stopped');
      } finally {
        if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
      }
    });

    test('Stop Profiling pauses a worker thread too, through its own debug session, and Start Profiling resumes it', async function () {
      this.timeout(180_000);
      const api = await icicleApi();
      const folder = vscode.workspace.workspaceFolders![0]!;
      const before = new Set(api.recordings().map(r => r.sessionId));
      // js-debug gives the worker thread its own debug session, through which Icicle reaches the worker's probe.
      const workerSessions: string[] = [];
      const watcher = vscode.debug.onDidStartDebugSession(session => session.name.includes('spinner') && workerSessions.push(session.name));
      assert.ok(
        await vscode.debug.startDebugging(folder, { type: 'node', request: 'launch', name: 'Debug workers.js', program: join(fixtureWorkspace, 'workers.js'), args: ['120000'], env: { ICICLE_CHUNK_MS: '500' }, icicleProfile: true }),
        'the debug session did not start',
      );
      const store = api.storeDirectory();
      /** The time stored of each thread of the run: spinInMain runs only in the main thread, spinInWorker in the worker. */
      const threadSamples = (sessionId: string): { main: number; worker: number } => {
        const run = spawnSync(process.execPath, [join(repoRoot, 'out', 'agent', 'icicle.js'), 'top', '--store', store, '--json', '--where', `session_id=${sessionId}`], { encoding: 'utf8' });
        const result = JSON.parse(run.stdout || '{"functions":[]}') as { functions: { function: string; self: number }[] };
        const self = (name: string) => result.functions.find(f => f.function === name)?.self ?? 0;
        return { main: self('spinInMain'), worker: self('spinInWorker') };
      };
      try {
        const recording = await eventually(() => {
          const found = api.recordings().find(r => !before.has(r.sessionId));
          assert.ok(found, 'no recording started with the debug session');
          return found;
        }, 60_000);
        await eventually(() => {
          const now = threadSamples(recording.sessionId);
          assert.ok(now.main > 0 && now.worker > 0, `samples so far: ${JSON.stringify(now)}`);
        }, 60_000);
        await eventually(() => assert.ok(workerSessions.length > 0, 'js-debug did not attach to the worker thread'), 60_000);
        await vscode.commands.executeCommand('icicle.stopProfiling');
        const current = () => api.recordings().find(r => r.sessionId === recording.sessionId)!;
        assert.equal(current().state, 'stopped');
        // Chunks come every 500 ms from each thread while profiling; after the pause, none from either.
        // The chunks handed over at the pause are stored within moments: wait until two reads a second apart agree.
        let last = threadSamples(recording.sessionId);
        const paused = await eventually(async () => {
          await new Promise(resolve => setTimeout(resolve, 1000));
          const now = threadSamples(recording.sessionId);
          const settled = JSON.stringify(now) === JSON.stringify(last);
          last = now;
          assert.ok(settled, 'the samples did not stop growing after Stop Profiling');
          return now;
        }, 30_000);
        // Paused: no chunk comes from either thread for several chunk periods, read every 250 ms.
        const watchUntil = Date.now() + 3000;
        while (Date.now() < watchUntil) {
          assert.deepEqual(threadSamples(recording.sessionId), paused, 'a thread kept sending samples after Stop Profiling');
          await new Promise(resolve => setTimeout(resolve, 250));
        }
        assert.deepEqual(threadSamples(recording.sessionId), paused, 'a thread kept sending samples after Stop Profiling');
        assert.equal(await vscode.commands.executeCommand('icicle.startProfiling', { kind: 'manual' }), true);
        await eventually(() => {
          const now = threadSamples(recording.sessionId);
          assert.ok(now.main > paused.main && now.worker > paused.worker, `after Start Profiling: ${JSON.stringify(now)}, paused at ${JSON.stringify(paused)}`);
        }, 60_000);
      } finally {
        watcher.dispose();
        if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
      }
    });
  });
}
