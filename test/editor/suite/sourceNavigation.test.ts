/**
 * Clicking a frame opens its source at the function's line. The profile is recorded at test time from the
 * fixture workspace's hot.js with `node --cpu-prof`, so its file:// URLs point at this clone.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { ask, bridgeAvailable } from './e2eBridge';
import { closeAllEditors, corpusDir, eventually, fixtureWorkspace, icicleApi } from './icicle';

const hotJs = join(fixtureWorkspace, 'hot.js');

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
}

/** Records a profile of hot.js with the extension host's own Node (Electron's under desktop VS Code). */
async function recordHotProfile(dir: string): Promise<string> {
  await promisify(execFile)(
    process.execPath,
    ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', 'hot.cpuprofile', hotJs, '400'],
    // ELECTRON_RUN_AS_NODE makes an Electron binary behave as Node; plain Node ignores it.
    { cwd: fixtureWorkspace, timeout: 30_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } },
  );
  return join(dir, 'hot.cpuprofile');
}

export function register(): void {
  suite('source navigation', () => {
    let profileDir: string;
    let profile: string;
    /** hotLoop's declaration line, 0-based like V8's lineNumber and vscode.Position, found in the source itself. */
    let hotLine: number;

    suiteSetup(async () => {
      profileDir = mkdtempSync(join(tmpdir(), 'icicle-hot-'));
      profile = await recordHotProfile(profileDir);
      hotLine = readFileSync(hotJs, 'utf8').split('\n').findIndex(line => line.startsWith('function hotLoop('));
      assert.ok(hotLine > 0, 'hot.js no longer declares hotLoop at the start of a line');
    });
    suiteTeardown(() => rmSync(profileDir, { recursive: true, force: true }));
    setup(closeAllEditors);

    test('the recorded profile names hotLoop in hot.js at its line', () => {
      const parsed = JSON.parse(readFileSync(profile, 'utf8')) as CpuProfile;
      const hot = parsed.nodes.find(node => node.callFrame.functionName === 'hotLoop');
      assert.ok(hot, 'the profile of hot.js has no hotLoop frame');
      assert.equal(hot.callFrame.url, pathToFileURL(hotJs).href);
      assert.equal(hot.callFrame.lineNumber, hotLine);
    });

    test("clicking hotLoop's frame opens hot.js at hotLoop's line", async function () {
      if (!bridgeAvailable()) this.skip();
      await icicleApi();
      await vscode.commands.executeCommand('icicle.openProfile', vscode.Uri.file(profile));
      const clicked = await ask({ action: 'clickFrame', label: 'hotLoop', timeoutMs: 30_000 });
      assert.match(clicked.label, /^hotLoop/);
      await eventually(() => {
        const editor = vscode.window.visibleTextEditors.find(e => e.document.uri.fsPath === hotJs);
        assert.ok(
          editor,
          `hot.js is not shown; visible editors: ${JSON.stringify(vscode.window.visibleTextEditors.map(e => e.document.uri.fsPath))}`,
        );
        assert.equal(editor.selection.active.line, hotLine, `hot.js shows line ${editor.selection.active.line + 1}, not ${hotLine + 1}`);
        const [visible] = editor.visibleRanges;
        assert.ok(visible?.contains(new vscode.Position(hotLine, 0)), "hotLoop's line is not scrolled into view");
      });
    });

    test('a view filtered by a label shows that selection, and its frames still open their source', async function () {
      if (!bridgeAvailable()) this.skip();
      const api = await icicleApi();
      // Both profiles go into the store, each labelled with its file name (`source`).
      await vscode.commands.executeCommand('icicle.openProfile', vscode.Uri.file(profile));
      await ask({ action: 'frameLabels', include: ['hotLoop'], timeoutMs: 30_000 });
      await closeAllEditors();
      await vscode.commands.executeCommand('icicle.openProfile', vscode.Uri.file(join(corpusDir, 'cpuprofile', 'sucrase.cpuprofile')));
      await ask({ action: 'frameLabels', include: ['getSucraseTokens'], timeoutMs: 30_000 });
      await eventually(() => assert.match(api.panels()[0]?.selector ?? '', /^\{profile_id="[0-9a-f]+"\}$/));

      // The user types a label selector into the sucrase view: it now shows hot.cpuprofile's samples.
      await ask({ action: 'typeInto', role: 'combobox', name: 'Selection', text: '{source="hot.cpuprofile"}', press: 'Enter', timeoutMs: 30_000 });
      await eventually(() => assert.equal(api.panels()[0]?.selector, '{source="hot.cpuprofile"}'));
      const { labels } = await ask({ action: 'frameLabels', include: ['hotLoop'], timeoutMs: 30_000 });
      assert.ok(!labels.some(label => label.startsWith('getSucraseTokens')), `sucrase's frames are still drawn: ${JSON.stringify(labels.slice(0, 20))}`);
      await ask({ action: 'screenshot', name: 'label-filter', timeoutMs: 30_000 });

      await ask({ action: 'clickFrame', label: 'hotLoop', timeoutMs: 30_000 });
      await eventually(() => {
        const editor = vscode.window.visibleTextEditors.find(e => e.document.uri.fsPath === hotJs);
        assert.ok(editor, 'hot.js is not shown after a click in the filtered view');
        assert.equal(editor.selection.active.line, hotLine);
      });
    });
  });
}
