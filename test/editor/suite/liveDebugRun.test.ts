/**
 * A live debug run, as a person does it: "Icicle: Start Debugging with Profiling" from the Command Palette on a
 * long-lived HTTP server (test/fixtures/workspace/server.js, whose /hot handler does four times the work of /cold),
 * the status bar's count growing, the run's flame graph opened during the run from the status bar's menu and
 * gaining samples while the server still runs, the hot handler dominating it, the Flame Chart tab drawing the run,
 * and after the session is stopped a workspace with no new files. Everything the person reads is read from the page
 * (status bar, the flame graph's header and frames, the chart's canvas and tooltip). It also takes the README's
 * pictures of the live view (docs/images/live-debug-run.png and live-flame-chart.png are reviewed copies).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as vscode from 'vscode';
import { labelNames } from '../handshake';
import { ask, bridgeAvailable } from './e2eBridge';
import { closeAllEditors, eventually, fixtureWorkspace, icicleApi, repoRoot } from './icicle';

/** The launch configuration in test/fixtures/workspace/.vscode/launch.json. */
const CONFIGURATION = 'Serve server.js';
/** server.js's /hot does HOT_TO_COLD times the work of /cold, and its client asks for each in turn. */
const HOT_TO_COLD = 4;
/** How far the measured ratio may stray (a share of it): sampling noise, the machine's load, the debugger. */
const RATIO_TOLERANCE = 0.4;

/** Every file and folder under `folder`, relative to it, sorted. */
function listTree(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .map(name => relative(folder, join(folder, name)))
    .sort();
}

/** The number in "1,234 samples" (the status bar's accessible name, the flame graph's header). */
function sampleCount(text: string): number {
  const match = /([\d,]+) samples?/.exec(text);
  assert.ok(match, `no sample count in "${text}"`);
  return Number(match[1]!.replace(/,/g, ''));
}

/** The functions with the most self time in a run, from the command line beside the running agent. */
function topFunctions(store: string, sessionId: string): { totalValue: number; functions: { function: string; self: number }[] } {
  const top = spawnSync(process.execPath, [join(repoRoot, 'out', 'agent', 'icicle.js'), 'top', '--store', store, '--json', '--where', `session_id=${sessionId}`], { encoding: 'utf8' });
  assert.equal(top.status, 0, top.stderr);
  return JSON.parse(top.stdout) as { totalValue: number; functions: { function: string; self: number }[] };
}

function assertRatio(what: string, hot: number, cold: number): void {
  const ratio = hot / cold;
  assert.ok(
    Math.abs(ratio - HOT_TO_COLD) <= RATIO_TOLERANCE * HOT_TO_COLD,
    `${what}: handleHot / handleCold = ${ratio.toFixed(2)} (${hot.toFixed(0)} / ${cold.toFixed(0)}), not ${HOT_TO_COLD} ± ${RATIO_TOLERANCE * 100}%`,
  );
}

export function register(): void {
  suite('a live debug run of a server', () => {
    test('F5 with profiling: the count and the open flame graph grow while the server runs, the hot handler dominates, the chart draws it, the workspace stays untouched', async function () {
      // The page is where this test looks: under @vscode/test-electron there is no driver to read it.
      if (!bridgeAvailable()) this.skip();
      this.timeout(300_000);
      const api = await icicleApi();
      await closeAllEditors();
      const filesBefore = listTree(fixtureWorkspace);
      const before = new Set(api.recordings().map(r => r.sessionId));
      const server = vscode.Uri.file(join(fixtureWorkspace, 'server.js'));
      try {
        // The server's source in the editor, then the command from the Command Palette: it offers the launch
        // configuration and the file in the editor, and the person picks the configuration.
        await vscode.window.showTextDocument(server, { viewColumn: vscode.ViewColumn.One });
        await ask({ action: 'runCommand', title: 'Icicle: Start Debugging with Profiling', timeoutMs: 60_000 });
        const { offered } = await ask({ action: 'quickPick', title: 'Start Debugging with Profiling', choose: CONFIGURATION, timeoutMs: 60_000 });
        assert.ok(offered.some(row => row.includes('Run server.js')), `the pick offers ${JSON.stringify(offered)}`);
        const recording = await eventually(() => {
          const found = api.recordings().find(r => !before.has(r.sessionId));
          assert.ok(found, 'no recording started with the debug session');
          return found;
        }, 60_000);
        assert.equal(recording.name, CONFIGURATION);
        const current = () => api.recordings().find(r => r.sessionId === recording.sessionId)!;
        const stillRecording = () => assert.equal(current().state, 'recording', 'the run ended by itself: the server should run until stopped');

        // The status bar's count, as the page shows it, is above zero and then grows.
        // (It reads "0 samples" until the first chunk is stored: a count from 1 up is waited for.)
        const statusCount = async () => sampleCount((await ask({ action: 'statusBarItem', label: 'Icicle profiling, [1-9][\\d,]* samples?', click: false, timeoutMs: 90_000 })).ariaLabel);
        const firstStatus = await statusCount();
        assert.ok(firstStatus > 0);
        await eventually(async () => {
          stillRecording();
          assert.ok((await statusCount()) > firstStatus, `the status bar's count stays at ${firstStatus}`);
        }, 90_000);

        // The run's flame graph, opened during the run beside the source: a click on the status bar item, then
        // "Open Flame Graph of …" in its menu.
        await vscode.commands.executeCommand('workbench.action.focusSecondEditorGroup');
        await ask({ action: 'statusBarItem', label: 'Icicle profiling', click: true, timeoutMs: 30_000 });
        await ask({ action: 'quickPick', title: 'Icicle', choose: `Open Flame Graph of ${CONFIGURATION}`, timeoutMs: 30_000 });
        await eventually(() => assert.ok(api.runViews().includes(recording.sessionId), 'the run has no open flame graph'), 30_000);

        // Its header's count grows while the server still runs: the open view takes in samples as they land.
        const headerCount = async () => sampleCount((await ask({ action: 'webviewText', selector: '.icicle-stats', expect: '[1-9][\\d,]* samples?', timeoutMs: 60_000 })).text);
        const firstHeader = await headerCount();
        await eventually(async () => {
          stillRecording();
          assert.ok((await headerCount()) > firstHeader, `the flame graph's header stays at ${firstHeader} samples`);
        }, 120_000);
        stillRecording();

        // The hot handler dominates: drawn about four times as wide as the cold one, and first by self time.
        const { frames } = await ask({ action: 'frameWidths', names: ['handleHot', 'handleCold'], timeoutMs: 60_000 });
        const width = (name: string) => frames.filter(f => labelNames(f.label, name)).reduce((sum, f) => sum + f.width, 0);
        assertRatio('the flame graph draws', width('handleHot'), width('handleCold'));
        const { totalValue, functions } = topFunctions(api.storeDirectory(), recording.sessionId);
        assert.equal(functions[0]!.function, 'handleHot', `the run's top functions: ${JSON.stringify(functions.slice(0, 5))}`);
        assert.ok(functions[0]!.self > 0.4 * totalValue, `handleHot has ${((100 * functions[0]!.self) / totalValue).toFixed(0)}% of the run`);
        const self = (name: string) => functions.find(f => f.function === name)?.self ?? 0;
        assertRatio('self time in the store', self('handleHot'), self('handleCold'));
        // The README's picture of the live view: the source, the run's flame graph beside it, the status bar's count
        // (the panel below, with the Debug Console, is closed to leave the flame graph room).
        await vscode.commands.executeCommand('workbench.action.closePanel');
        await ask({ action: 'screenshot', name: 'live-debug-run', timeoutMs: 30_000 });

        // The Flame Chart tab draws the run: coloured frames, and the tooltip over one names the hot handler.
        await ask({ action: 'clickRole', role: 'tab', name: 'Flame Chart', timeoutMs: 30_000 });
        const chart = await ask({ action: 'flameChart', names: ['handleHot', 'handleCold'], timeoutMs: 90_000 });
        assert.ok(chart.colouredPixels > 0.02 * chart.canvasPixels, `the chart has ${chart.colouredPixels} coloured pixels of ${chart.canvasPixels}`);
        assert.match(chart.tooltip, /handleHot/);
        // One track (the server's main thread, though the probe sends its samples in chunks), the whole run shown.
        assert.match(chart.caption, /^1 track · ([\d,]+) samples of \1 samples shown/);
        await ask({ action: 'screenshot', name: 'live-flame-chart', selector: '.icicle-flamechart-canvas', timeoutMs: 30_000 });
        stillRecording();

        // Stopping the session ends the run; its flame graph has everything, and the workspace has no new file
        // (js-debug saves a .cpuprofile there for every console profile it is told has finished).
        const seen = current().samples;
        await vscode.commands.executeCommand('workbench.action.debug.stop');
        await eventually(() => assert.equal(current().state, 'ended', 'the run did not end when its session was stopped'), 60_000);
        assert.ok(current().samples >= seen);
        // The flame graph opened during the run stays the run's one view: its end opens no second one beside it.
        const runPanels = api.panels().filter(p => p.title.startsWith(`${CONFIGURATION} (`));
        assert.equal(runPanels.length, 1, `the run's flame graphs: ${JSON.stringify(api.panels().map(p => p.title))}`);
        assert.deepEqual(listTree(fixtureWorkspace), filesBefore);
      } finally {
        if (vscode.debug.activeDebugSession) await vscode.commands.executeCommand('workbench.action.debug.stop');
        await vscode.commands.executeCommand('workbench.action.closeAllGroups');
      }
    });
  });
}
