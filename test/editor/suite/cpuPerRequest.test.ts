/**
 * CPU per request (README, "CPU per request"), as a new user does it, in a fresh editor on a fresh copy of the traced
 * server test/fixtures/otelServer (a node:http server traced by the OpenTelemetry SDK, whose /heavy handler burns
 * three times the CPU of /light): `icicle record -- node --require ./tracing.js server.js` typed into the integrated
 * terminal while requests of both routes interleave; the editor pointed at the command line's store
 * (`icicle.store.directory`, then Icicle: Restart Agent and Language Server from the Command Palette); the run opened
 * from the Profiles view with the mouse; the By Label tab grouped by `http_route`, its rows read from the page and
 * checked against `icicle top --where http_route=…` on the same store and against the handlers' known 3:1 split;
 * then one request's trace id, taken from the tab grouped by `trace_id`, pasted into the selection bar: its flame graph
 * holds that request's handler only. It saves `cpu-by-route.png` and `request-flame-graph.png`, whose reviewed copies
 * are in docs/images/ (README's "CPU per request").
 *
 * The tests run in order and each starts where the previous one left the editor, as the reader does.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { defaultStoreDirectory } from '../../../agent/cli/defaultStoreDirectory';
import { assertStoreFree } from '../../../storage/storeLock';
import { labelNames } from '../handshake';
import { ask, bridgeAvailable } from './e2eBridge';
import { eventually, icicleApi, repoRoot, type IcicleTestApi } from './icicle';
import { drive, request } from '../../support/httpLoad';

/** The built command line, which the terminal finds on its PATH as `icicle`, as after `npm install -g`. */
const icicleBin = join(repoRoot, 'out', 'agent', 'icicle.js');
/** The file the server writes its port to (its first argument). */
const portFile = 'port.txt';
const recordCommand = `icicle record -- node --require ./tracing.js server.js ${portFile}`;

/** The handlers' functions (server.js): /heavy burns three bursts in burnHeavy, /light one in burnLight. */
const handlers = { '/heavy': 'burnHeavy', '/light': 'burnLight' } as const;

interface TopJson {
  unit: string;
  totalValue: number;
  functions: { function: string; self: number; total: number }[];
}

/** `icicle ARGS` run as a separate process (never synchronously: the extension host must keep answering). */
function icicle(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [icicleBin, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`icicle ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** A time as the page writes it (common/valueFormat.ts formatMicros: "850 µs", "12.3 ms", "4.56 s", "3 min 12 s"), in µs. */
function parseMicros(text: string): number {
  const minutes = /^([\d,]+) min (\d+) s$/.exec(text);
  if (minutes) return (Number(minutes[1]!.replace(/,/g, '')) * 60 + Number(minutes[2])) * 1e6;
  const match = /^([\d.,]+) (µs|ms|s)$/.exec(text);
  assert.ok(match, `the time ${JSON.stringify(text)} is not written as a time`);
  return Number(match[1]!.replace(/,/g, '')) * { µs: 1, ms: 1e3, s: 1e6 }[match[2] as 'µs' | 'ms' | 's'];
}

const parsePercent = (text: string): number => Number(/^([\d.]+)%$/.exec(text)?.[1] ?? NaN);

export function register(): void {
  suite('CPU per request: icicle record of a traced server, By Label, one request', () => {
    let api: IcicleTestApi;
    let workspace: string;
    /** Where `icicle record` keeps its samples by default: this editor's (temporary) XDG data folder. */
    let cliStore: string;
    let sessionId: string;
    /** The folder that puts `icicle` on the terminal's PATH. */
    let bin: string | undefined;

    suiteSetup(async function () {
      // Every step acts in the page; under @vscode/test-electron there is no driver to act.
      if (!bridgeAvailable()) this.skip();
      this.timeout(120_000);
      api = await icicleApi();
      workspace = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
      cliStore = defaultStoreDirectory(process.env);
      assert.ok(!existsSync(cliStore), `the command line's store ${cliStore} exists before the first run: this is not a new user`);
    });

    suiteTeardown(() => {
      if (bin) rmSync(bin, { recursive: true, force: true });
    });

    test('1. icicle record in the terminal records the server while /heavy and /light requests interleave', async function () {
      this.timeout(240_000);
      // `icicle` on the terminal's PATH, as a global install puts it.
      bin = mkdtempSync(join(tmpdir(), 'icicle-bin-'));
      symlinkSync(icicleBin, join(bin, 'icicle'));
      const terminal = vscode.window.createTerminal({ name: 'traced server', cwd: workspace, env: { PATH: `${bin}:${process.env.PATH ?? ''}` } });
      terminal.show();
      terminal.sendText(recordCommand);
      const port = await eventually(() => {
        const file = join(workspace, portFile);
        assert.ok(existsSync(file) && readFileSync(file, 'utf8') !== '', `the server has not written ${file} yet (typed: ${recordCommand})`);
        return Number(readFileSync(file, 'utf8'));
      }, 90_000);
      // 400 requests, heavy and light alternating, 16 in flight: each handler awaits between bursts, so they interleave.
      await drive(port, Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? '/heavy' : `/light?i=${i}`)), 16);
      await request(port, '/done');
      // `icicle record` stores what the probe sent, then lets go of its store: the recording is over.
      await eventually(async () => {
        await assertStoreFree(cliStore);
        const sessions = JSON.parse(await icicle(['labels', 'session_id', '--store', cliStore, '--json'])) as string[];
        assert.equal(sessions.length, 1, `the store holds the sessions ${JSON.stringify(sessions)}`);
        sessionId = sessions[0]!;
      }, 120_000);
      const routes = (JSON.parse(await icicle(['labels', 'http_route', '--store', cliStore, '--json'])) as string[]).filter(route => route !== '/done');
      assert.deepEqual(routes.sort(), ['/heavy', '/light']);
      terminal.dispose();
    });

    test('2. pointed at that store, the editor lists the run in the Profiles view; a click opens its flame graph', async function () {
      this.timeout(180_000);
      // What the README says: icicle.store.directory names the store, and the agent takes it when it restarts.
      await vscode.workspace.getConfiguration('icicle').update('store.directory', cliStore, vscode.ConfigurationTarget.Global);
      await ask({ action: 'runCommand', title: 'Icicle: Restart Agent and Language Server', timeoutMs: 30_000 });
      await eventually(() => assert.equal(api.storeDirectory(), cliStore, 'the agent did not restart on the store of the command line'), 60_000);
      await ask({ action: 'runCommand', title: 'Icicle: Focus on Profiles View', timeoutMs: 30_000 });
      // A run is named by its command as the probe saw it: node's arguments after its own options.
      const { clicked } = await ask({ action: 'treeItem', label: String.raw`^node server\.js ${portFile}, `, timeoutMs: 60_000 });
      assert.match(clicked, /^node server\.js port\.txt, /);
      await eventually(() => {
        const panel = api.panels().find(p => p.selector === `{session_id="${sessionId}"}`);
        assert.ok(panel, `no flame graph of the run; panels: ${JSON.stringify(api.panels())}`);
        assert.equal(panel.state, 'loaded');
      }, 60_000);
      const { labels } = await ask({ action: 'frameLabels', include: Object.values(handlers), timeoutMs: 60_000 });
      for (const name of Object.values(handlers)) assert.ok(labels.some(label => labelNames(label, name)), `the run's flame graph draws no ${name}`);
    });

    test('3. By Label grouped by http_route: /heavy has 75% of the routes’ CPU, /light 25%, as icicle top says', async function () {
      this.timeout(120_000);
      // The terminal has done its work: the graph gets the height a reader gives it.
      await vscode.commands.executeCommand('workbench.action.closePanel');
      await ask({ action: 'clickRole', role: 'tab', name: 'By Label', timeoutMs: 30_000 });
      await ask({ action: 'selectOption', name: 'Group by', option: 'http_route', timeoutMs: 30_000 });
      const shown = await ask({ action: 'byLabelRows', key: 'http_route', include: Object.keys(handlers), timeoutMs: 60_000 });
      const row = (route: string) => shown.rows.find(r => r.value === route)!;
      const heavyShown = parsePercent(row('/heavy').share);
      const lightShown = parsePercent(row('/light').share);
      const shownShare = heavyShown / (heavyShown + lightShown);

      // The same store read by the command line, for the same run.
      const top = async (route: string) => JSON.parse(await icicle(['top', '--store', cliStore, '--json', '--limit', '1', '--where', `session_id=${sessionId}`, '--where', `http_route=${route}`])) as TopJson;
      const [heavy, light] = [await top('/heavy'), await top('/light')];
      // The command line's JSON counts CPU time in nanoseconds; the page writes it in the largest readable unit.
      assert.equal(heavy.unit, 'nanoseconds');
      const topShare = heavy.totalValue / (heavy.totalValue + light.totalValue);
      const rows = JSON.stringify(shown.rows);
      // The figures of this run, for the reader of the log (README's screenshot shows one such run).
      console.log(`      By Label by http_route: ${rows}; /heavy ${(shownShare * 100).toFixed(1)}% of the routes' CPU on the page, ${(topShare * 100).toFixed(2)}% by icicle top`);
      // The handlers burn 3 bursts against 1; the HTTP work around them is the same for both routes.
      assert.ok(Math.abs(shownShare - 0.75) <= 0.1, `the page gives /heavy ${(shownShare * 100).toFixed(1)}% of the routes' CPU, expected 75% ± 10: ${rows}`);
      // Shares are shown to 0.1%: the page's split is the command line's to within that rounding.
      assert.ok(Math.abs(shownShare - topShare) <= 0.005, `the page's /heavy share ${shownShare} against icicle top's ${topShare}: ${rows}`);
      // Each route's total, as the page writes it (three significant digits), is icicle top's.
      for (const [route, json] of [['/heavy', heavy], ['/light', light]] as const) {
        const shownMicros = parseMicros(row(route).total);
        const topMicros = json.totalValue / 1000;
        assert.ok(Math.abs(shownMicros - topMicros) <= 0.006 * topMicros, `${route}: the page shows ${row(route).total}, icicle top ${json.totalValue} ns`);
        // Beside the CPU, the requests' wall time: 16 in flight, each awaiting between its bursts, wait far longer than
        // they run, so the wall time is the larger and some of it is waiting.
        assert.ok(parseMicros(row(route).wall) > shownMicros, `${route}: wall ${row(route).wall} against CPU ${row(route).total}: ${rows}`);
        assert.match(row(route).waiting, /^\d+%$/, `${route}: ${rows}`);
      }
      await ask({ action: 'screenshot', name: 'cpu-by-route', selector: '.icicle-by-label-table', timeoutMs: 30_000 });
    });

    test("4. one request's trace id pasted into the selection: its flame graph and table hold only its own handler", async function () {
      this.timeout(180_000);
      // The requests that cost most, from the tab itself: grouped by trace_id, the largest first.
      await ask({ action: 'selectOption', name: 'Group by', option: 'trace_id', timeoutMs: 30_000 });
      const traces = await eventually(async () => {
        const shown = await ask({ action: 'byLabelRows', key: 'trace_id', include: [], timeoutMs: 30_000 });
        const ids = shown.rows.map(r => r.value).filter(value => /^[0-9a-f]{32}$/.test(value));
        assert.ok(ids.length > 0, `no trace id listed yet: ${JSON.stringify(shown.rows.slice(0, 5))}`);
        return ids;
      }, 60_000);
      const traceId = traces[0]!;
      assert.ok((JSON.parse(await icicle(['labels', 'trace_id', '--store', cliStore, '--json'])) as string[]).includes(traceId), `${traceId} is not among the store's trace ids`);
      // Which handler that request ran, by the command line: one of the two, never both.
      const functions = (JSON.parse(await icicle(['top', '--store', cliStore, '--json', '--limit', '100', '--where', `trace_id=${traceId}`])) as TopJson).functions.map(f => f.function);
      const ran = Object.values(handlers).filter(name => functions.includes(name));
      assert.equal(ran.length, 1, `icicle top says trace ${traceId} ran ${JSON.stringify(ran)}: ${functions.join(', ')}`);
      const own = ran[0]!;
      const other = Object.values(handlers).find(name => name !== own)!;

      await ask({ action: 'typeInto', role: 'combobox', name: 'Selection', text: `{trace_id="${traceId}"}`, press: 'Enter', timeoutMs: 30_000 });
      await ask({ action: 'clickRole', role: 'tab', name: 'Graph', timeoutMs: 30_000 });
      // The graph of the whole run draws both handlers until the request's answer replaces it.
      const labels = await eventually(async () => {
        const shown = (await ask({ action: 'frameLabels', include: [own], timeoutMs: 30_000 })).labels;
        assert.ok(shown.some(label => labelNames(label, own)), `the request's graph draws no ${own}: ${JSON.stringify(shown.slice(0, 30))}`);
        assert.ok(!shown.some(label => labelNames(label, other)), `the request's graph still draws ${other}: ${JSON.stringify(shown.slice(0, 30))}`);
        return shown;
      }, 90_000);
      assert.ok(labels.length > 1);
      await ask({ action: 'screenshot', name: 'request-flame-graph', timeoutMs: 30_000 });
      // The Table tab lists the same request's functions: its handler, never the other.
      await ask({ action: 'clickRole', role: 'tab', name: 'Table', timeoutMs: 30_000 });
      const { text } = await ask({ action: 'webviewText', selector: 'table[aria-label="Functions by cost"]', expect: own, timeoutMs: 30_000 });
      assert.ok(!text.includes(other), `the request's table lists ${other}: ${text.slice(0, 500)}`);
    });
  });
}
