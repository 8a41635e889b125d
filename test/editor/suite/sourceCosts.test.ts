/**
 * Costs in the source: after the fixture programs are profiled, the language server's hovers, code lenses and line
 * heat appear in the real editor, follow an edit, and reach a TypeScript source through its source map.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { ask, bridgeAvailable } from './e2eBridge';
import { closeAllEditors, eventually, fixtureWorkspace, icicleApi, repoRoot, type IcicleTestApi } from './icicle';

const run = promisify(execFile);
/** The extension host's own Node (Electron's under desktop VS Code, which ELECTRON_RUN_AS_NODE turns into Node). */
const node = (args: string[], cwd: string) => run(process.execPath, args, { cwd, timeout: 60_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });

const hotJs = join(fixtureWorkspace, 'hot.js');
const workTs = join(fixtureWorkspace, 'ts', 'work.ts');

/** The 0-based line of the first line of `file` starting with `start`. */
function lineOf(file: string, start: string): number {
  const line = readFileSync(file, 'utf8').split('\n').findIndex(text => text.startsWith(start));
  assert.ok(line >= 0, `${file} has no line starting with ${start}`);
  return line;
}

async function lenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap(h => h.contents.map(c => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

export function register(): void {
  suite('costs in the source', () => {
    let api: IcicleTestApi;
    let dir: string;

    suiteSetup(async function () {
      this.timeout(180_000);
      api = await icicleApi();
      dir = mkdtempSync(join(tmpdir(), 'icicle-costs-'));
      // hot.js profiled as it is; work.ts compiled by esbuild with a source map into the temporary folder, then profiled.
      await node(['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', 'hot.cpuprofile', hotJs, '600'], fixtureWorkspace);
      // esbuild's command is its native binary.
      await run(join(repoRoot, 'node_modules', 'esbuild', 'bin', 'esbuild'), [workTs, '--platform=node', '--format=cjs', '--sourcemap', `--outfile=${join(dir, 'work.js')}`], { cwd: fixtureWorkspace, timeout: 60_000 });
      await node(['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', 'work.cpuprofile', join(dir, 'work.js'), '600'], dir);
      for (const name of ['hot.cpuprofile', 'work.cpuprofile']) {
        await vscode.commands.executeCommand('icicle.openProfile', vscode.Uri.file(join(dir, name)));
        await eventually(() => assert.ok(api.panels().some(p => p.title === name && p.state === 'loaded'), `${name} is not open`), 60_000);
      }
      await closeAllEditors();
      api.setCostSelection({ kind: 'allRuns', selector: '{source=~"hot.cpuprofile|work.cpuprofile"}' });
      await eventually(() => assert.match(api.costStatus(), /all runs/), 60_000);
    });
    suiteTeardown(async () => {
      // Back to the default selection (the latest run of this branch), which the suites after this one rely on.
      api?.setCostSelection(undefined);
      api?.setLineHeat(false);
      await closeAllEditors();
      rmSync(dir, { recursive: true, force: true });
    });

    test("hotLoop's hover and code lens show its cost, and the lens moves with an edit above it", async function () {
      this.timeout(120_000);
      const uri = vscode.Uri.file(hotJs);
      const editor = await vscode.window.showTextDocument(uri);
      const hotLine = lineOf(hotJs, 'function hotLoop(');
      const lens = await eventually(async () => {
        const found = (await lenses(uri)).find(l => l.range.start.line === hotLine);
        assert.ok(found?.command, `no lens on hotLoop's line ${hotLine + 1}; lenses: ${JSON.stringify((await lenses(uri)).map(l => [l.range.start.line, l.command?.title]))}`);
        return found;
      }, 60_000);
      assert.match(lens.command!.title, /^\d+\.\d% total · \d+\.\d% self \(\d/);
      assert.equal(lens.command!.command, 'icicle.showFunction');
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(hotLine, 10));
      const text = hoverText(hovers);
      assert.match(text, /\*\*hotLoop\*\* — Icicle/);
      assert.match(text, /Total \*\*\d+\.\d%\*\*/);
      assert.match(text, /source=~"hot\.cpuprofile\|work\.cpuprofile", all runs · \d+ runs/);
      // A function the profile did not see says so in one line.
      const coldLine = lineOf(hotJs, 'function coldSetup(');
      const cold = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(coldLine, 10)));
      if (!/Total/.test(cold)) assert.match(cold, /\*\*coldSetup\*\*: no samples in .*: it did not run while they were recorded/);

      if (bridgeAvailable()) {
        api.setLineHeat(true);
        await eventually(() => assert.ok((api.lineHeat(uri.toString()) ?? []).some(level => level.length > 0), 'no line heat drawn'), 30_000);
        // The hover as the editor draws it, opened from the keyboard (Ctrl+K Ctrl+I) on hotLoop's name.
        const shown = await eventually(async () => {
          editor.selection = new vscode.Selection(hotLine, 11, hotLine, 11);
          await vscode.commands.executeCommand('editor.action.showHover');
          return ask({ action: 'editorHover', expect: 'Total \\d', timeoutMs: 10_000 });
        }, 40_000);
        assert.match(shown.text, /hotLoop — Icicle/);
        assert.match(shown.text, /Show in flame graph/);
        await ask({ action: 'screenshot', name: 'source-costs', timeoutMs: 30_000, pageSelector: '.monaco-hover:not(.hidden)' });
      }

      // The lens's command opens the selection's flame graph with hotLoop searched for.
      await vscode.commands.executeCommand(lens.command!.command, ...(lens.command!.arguments ?? []));
      await eventually(() => {
        const panel = api.panels().find(p => p.title.startsWith('hotLoop'));
        assert.ok(panel, `no flame graph for hotLoop; panels: ${JSON.stringify(api.panels())}`);
        assert.equal(panel.selector, '{source=~"hot.cpuprofile|work.cpuprofile"}');
        assert.equal(panel.state, 'loaded');
      }, 30_000);
      if (bridgeAvailable()) await ask({ action: 'frameLabels', include: ['hotLoop'], timeoutMs: 30_000 });
      const again = await vscode.window.showTextDocument(editor.document);

      // Two lines typed above: the lens follows hotLoop down, not stale.
      await again.edit(edit => edit.insert(new vscode.Position(0, 0), '// one\n// two\n'));
      await eventually(async () => {
        const moved = (await lenses(uri)).find(l => l.range.start.line === hotLine + 2);
        assert.ok(moved?.command && !moved.command.title.includes('edited'), 'the lens did not move with hotLoop');
      }, 30_000);
      // The two lines are taken out again by an edit of this very document (not by reverting whichever editor is
      // active, which a flame graph coming to the front could be), so hot.js is never left changed on disk.
      const undo = new vscode.WorkspaceEdit();
      undo.delete(uri, new vscode.Range(0, 0, 2, 0));
      assert.ok(await vscode.workspace.applyEdit(undo), 'the two lines could not be taken out');
      assert.ok(await again.document.save(), 'hot.js could not be saved as it was');
      assert.equal(again.document.getText(), readFileSync(hotJs, 'utf8'));
    });

    test('the costs follow the flame graph in front, unless a selection is pinned', async function () {
      this.timeout(120_000);
      const uri = vscode.Uri.file(hotJs);
      // hotLoop's line in the document as the editor has it (it may hold an edit an earlier test has not undone).
      const hover = async () => {
        const document = await vscode.workspace.openTextDocument(uri);
        const hotLine = document.getText().split('\n').findIndex(text => text.startsWith('function hotLoop('));
        return hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(hotLine, 10)));
      };
      // Unpinned, opening a profile makes it the source: the status bar names it and the hover says where it comes from.
      api.setCostSelection(undefined);
      await vscode.commands.executeCommand('icicle.openProfile', vscode.Uri.file(join(dir, 'hot.cpuprofile')));
      await eventually(() => assert.match(api.costStatus(), /\$\(flame\) hot\.cpuprofile$/), 60_000);
      await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside });
      await eventually(async () => assert.match(await hover(), /From hot\.cpuprofile · 1 run/), 30_000);
      // Another profile in front: hot.js has no samples in it, and its hover says why.
      await vscode.commands.executeCommand('icicle.openProfile', vscode.Uri.file(join(dir, 'work.cpuprofile')));
      await eventually(() => assert.match(api.costStatus(), /work\.cpuprofile/), 60_000);
      await eventually(async () => assert.match(await hover(), /no samples in work\.cpuprofile: no code of this file ran/), 30_000);
      // Pinned in the picker: a profile opened afterwards does not change what the source shows.
      api.setCostSelection({ kind: 'allRuns', selector: '{source=~"hot.cpuprofile|work.cpuprofile"}' });
      await eventually(() => assert.match(api.costStatus(), /\$\(pinned\) all runs/), 30_000);
      await vscode.commands.executeCommand('icicle.openProfile', vscode.Uri.file(join(dir, 'hot.cpuprofile')));
      await eventually(() => assert.ok(api.panels().filter(p => p.title === 'hot.cpuprofile' && p.state === 'loaded').length >= 2), 60_000);
      assert.match(api.costStatus(), /all runs/);
      assert.match(await hover(), /From source=~"hot\.cpuprofile\|work\.cpuprofile", all runs · \d+ runs/);
      await closeAllEditors();
    });

    test('a TypeScript source gets the cost of its compiled JavaScript through the source map', async function () {
      this.timeout(60_000);
      const uri = vscode.Uri.file(workTs);
      await vscode.window.showTextDocument(uri);
      const crunchLine = lineOf(workTs, 'export function crunch(');
      const lens = await eventually(async () => {
        const all = await lenses(uri);
        const found = all.find(l => l.command?.title.includes('% total'));
        assert.ok(found, `no cost lens in work.ts; lenses: ${JSON.stringify(all.map(l => [l.range.start.line, l.command?.title]))}`);
        return found;
      }, 60_000);
      // The TypeScript language service knows crunch's symbol: the lens sits on its name line.
      assert.equal(lens.range.start.line, crunchLine);
      const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(crunchLine, 18)));
      assert.match(text, /\*\*crunch\*\* — Icicle/);
    });

    test("a function's time per route in the hover, from OTLP samples labelled http.route, hostile routes as text", async function () {
      this.timeout(120_000);
      const hotLine = lineOf(hotJs, 'function hotLoop(');
      const hostile = '<img src=x onerror=alert(1)>](command:workbench.action.quit)';
      // hotLoop in hot.js: 3 samples of 30 ms under /heavy, one under the hostile route, one of 10 ms under none.
      const sample = (ms: number, route?: number) => ({ stackIndex: 1, values: [String(ms * 1_000_000)], timestampsUnixNano: ['1767225600100000000'], ...(route ? { attributeIndices: [route] } : {}) });
      const otlp = {
        resourceProfiles: [{ scopeProfiles: [{ profiles: [{
          sampleType: { typeStrindex: 1, unitStrindex: 2 },
          periodType: { typeStrindex: 1, unitStrindex: 2 },
          period: '10000000',
          timeUnixNano: '1767225600000000000',
          durationNano: '1000000000',
          samples: [sample(30, 1), sample(30, 1), sample(30, 1), sample(30, 2), sample(10)],
        }] }] }],
        dictionary: {
          stringTable: ['', 'cpu', 'nanoseconds', 'hotLoop', hotJs, 'http.route', '/heavy', hostile],
          mappingTable: [{}],
          functionTable: [{}, { nameStrindex: 3, systemNameStrindex: 3, filenameStrindex: 4, startLine: String(hotLine + 1) }],
          locationTable: [{}, { lines: [{ functionIndex: 1, line: String(hotLine + 3) }] }],
          stackTable: [{}, { locationIndices: [1] }],
          attributeTable: [{}, { keyStrindex: 5, value: { stringValue: '/heavy' } }, { keyStrindex: 5, value: { stringValue: hostile } }],
        },
      };
      const file = join(dir, 'routes.otlp.json');
      writeFileSync(file, JSON.stringify(otlp));
      await vscode.commands.executeCommand('icicle.openProfile', vscode.Uri.file(file));
      await eventually(() => assert.ok(api.panels().some(p => p.title === 'routes.otlp.json' && p.state === 'loaded'), 'routes.otlp.json is not open'), 60_000);
      await closeAllEditors();
      api.setCostSelection({ kind: 'allRuns', selector: '{source="routes.otlp.json"}' });
      const uri = vscode.Uri.file(hotJs);
      const editor = await vscode.window.showTextDocument(uri);
      const expected = `By route: \`/heavy\` 90 ms (69.2%) · \`${hostile}\` 30 ms (23.1%) · (no route) 10 ms (7.7%)`;
      await eventually(async () => {
        const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(hotLine, 10)));
        assert.ok(text.split('\n').includes(expected), `no split of 130 ms in:\n${text}`);
      }, 60_000);
      if (bridgeAvailable()) {
        // The hover as the editor draws it: the routes as code, the one link ours, no image made of the route.
        const shown = await eventually(async () => {
          editor.selection = new vscode.Selection(hotLine, 11, hotLine, 11);
          await vscode.commands.executeCommand('editor.action.showHover');
          return ask({ action: 'editorHover', expect: 'By route', timeoutMs: 10_000 });
        }, 40_000);
        assert.match(shown.text, /By route: \/heavy 90 ms \(69\.2%\) · .* 30 ms \(23\.1%\) · \(no route\) 10 ms \(7\.7%\)/);
        assert.ok(shown.code.includes('/heavy') && shown.code.includes(hostile), `the routes as code: ${JSON.stringify(shown.code)}`);
        assert.equal(shown.images, 0);
        assert.deepEqual(shown.links.filter(href => !href.startsWith('command:icicle.showFunction')), [], `links: ${JSON.stringify(shown.links)}`);
      }
      api.setCostSelection({ kind: 'allRuns', selector: '{source=~"hot.cpuprofile|work.cpuprofile"}' });
    });
  });
}
