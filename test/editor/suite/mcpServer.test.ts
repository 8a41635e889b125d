/**
 * The extension offers `icicle mcp` to the editor (contributes.mcpServerDefinitionProviders,
 * vscode.lm.registerMcpServerDefinitionProvider): the editor starts it, lists its tools among the language model
 * tools, and a tool called through vscode.lm.invokeTool (no model needed, AI features switched off) answers from the
 * agent's store with `icicle top`'s figures; a place an answer cites opens in the editor at its line. The README's
 * "Ask an agent" picture is taken here (docs/images/ask-an-agent.png is a reviewed copy).
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vscode from 'vscode';
import { syntheticCpuProfile, type SyntheticFrame } from '../../support/syntheticCpuProfile';
import { ask, bridgeAvailable } from './e2eBridge';
import { LANGUAGE_MODEL_TOOL_PREFIX } from '../../../common/languageModelTools';
import { closeAllEditors, corpusDir, eventually, icicleApi, mcpServerArguments } from './icicle';
import { icicleTopJson, invoked, languageModelTools, openedSelector, type LanguageModelTools, type TopRow } from './languageModelTools';

/** The editor's id of Icicle's server: the extension's id, lower-cased, and the definition's label. */
const SERVER_ID = 'icicle-dev.icicle/Icicle';

/** Starts the editor's MCP servers (as a chat does when it needs their tools) and returns Icicle's top_functions tool. */
async function startedTopFunctions(lm: LanguageModelTools): Promise<{ name: string; description: string }> {
  await vscode.commands.executeCommand('workbench.mcp.startServer', '*', { waitForLiveTools: true });
  return eventually(() => {
    const found = lm.tools.find(t => t.name.startsWith('mcp_') && t.name.includes('top_functions'));
    assert.ok(found, `no top_functions among the editor's tools: ${lm.tools.map(t => t.name).join(', ')}`);
    return found;
  }, 60_000);
}

export function register(): void {
  suite('MCP server for the editor’s agents', () => {
    test('the editor starts icicle mcp on the agent’s store; its tools answer through vscode.lm.invokeTool', async () => {
      const api = await icicleApi();
      const lm = languageModelTools();
      assert.equal(typeof lm.invokeTool, 'function', 'this editor has no vscode.lm.invokeTool');
      // The profile's own samples (earlier tests may still add others to the store): the selector its panel shows.
      const selector = await openedSelector(api, join(corpusDir, 'cpuprofile', 'sucrase.cpuprofile'), 'sucrase');
      const tool = await startedTopFunctions(lm);
      assert.match(tool.description, /not instructions/);
      const answer = await invoked<{ profileType: string; totalValue: number; functions: TopRow[] }>(lm, tool.name, { selector, limit: 3 });
      const expected = icicleTopJson(api, selector, 3);
      assert.equal(answer.profileType, 'process_cpu:cpu:nanoseconds:cpu:nanoseconds');
      assert.equal(answer.totalValue, expected.totalValue);
      // sucrase was profiled on another machine: its files are not here, so no row links to one.
      assert.deepEqual(answer.functions.map(({ at: _at, ...f }) => f), expected.functions);
      // The editor runs the server read-only: never with --allow-record, and on the agent's store.
      const servers = mcpServerArguments(api.storeDirectory());
      assert.ok(servers.length > 0, 'no icicle mcp process on the agent’s store');
      for (const args of servers) assert.deepEqual(args, ['mcp', '--store', api.storeDirectory()]);
      // The same tools, offered by the extension itself in Restricted Mode, are not implemented here: a model is offered
      // each tool once. (Their declarations, listed to chats only while the workspace is untrusted, are in
      // vscode.lm.tools anyway: VS Code 1.139 hands extensions every declared tool without evaluating its `when`.)
      const ownCall = await lm.invokeTool(`${LANGUAGE_MODEL_TOOL_PREFIX}top_functions`, { input: { selector, limit: 3 }, toolInvocationToken: undefined }).then(
        () => 'answered',
        (error: unknown) => String(error),
      );
      assert.match(ownCall, /does not have an implementation registered/);
    });

    test('a place an answer cites opens in the editor at its line', async () => {
      const api = await icicleApi();
      const lm = languageModelTools();
      // A profile of the workspace's hot.js, as if recorded here: its files exist on this machine, so the answer links them.
      const hotJs = join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'hot.js');
      const script: SyntheticFrame = { name: '(anonymous)', file: hotJs, line: 1 };
      const hotLoop: SyntheticFrame = { name: 'hotLoop', file: hotJs, line: 7 };
      const coldSetup: SyntheticFrame = { name: 'coldSetup', file: hotJs, line: 16 };
      const dir = mkdtempSync(join(tmpdir(), 'icicle-mcp-editor-'));
      const profile = join(dir, 'hot-for-agent.cpuprofile');
      writeFileSync(profile, syntheticCpuProfile([{ frames: [script, hotLoop], samples: 180, lines: { 10: 60, 11: 120 } }, { frames: [script, coldSetup], samples: 20 }]));
      const selector = await openedSelector(api, profile, 'hot-for-agent');
      const tool = await startedTopFunctions(lm);
      const answer = await invoked<{ functions: TopRow[] }>(lm, tool.name, { selector, limit: 5 });
      const first = answer.functions[0]!;
      assert.deepEqual([first.function, first.at], ['hotLoop', `${hotJs}:7`]);
      // 180 of the profile's 200 samples (the first sample carries no time of its own, so about 90%).
      assert.ok(Math.abs(first.selfPercent - 90) < 1, String(first.selfPercent));
      assert.equal(first.uri, `${pathToFileURL(hotJs).href}#L7`);
      await closeAllEditors();
      // As the chat opens a link: the opener, which reads the line from the #L fragment.
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.parse(first.uri!));
      const editor = await eventually(() => {
        const active = vscode.window.activeTextEditor;
        assert.equal(active?.document.uri.fsPath, hotJs, 'the cited file is not the active editor');
        assert.equal(active.selection.active.line, 6, 'the editor is not at the cited line');
        return active;
      });
      assert.match(editor.document.lineAt(editor.selection.active.line).text, /^function hotLoop\(/);
      if (!bridgeAvailable()) return;
      // For the README's "Ask an agent": the editor's list of MCP servers with Icicle running, the answer as the editor
      // handed it on, beside the place it cites, and the server's own log (started by the editor, its tools discovered).
      const answerFile = join(dir, 'top_functions answer.json');
      writeFileSync(answerFile, `${JSON.stringify(answer, null, 2)}\n`);
      await vscode.window.showTextDocument(vscode.Uri.file(answerFile), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
      await vscode.commands.executeCommand('workbench.mcp.showOutput', SERVER_ID);
      await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, selection: editor.selection });
      // The side bar closed, so that the answer's paths and links fit in their half of the window.
      await vscode.commands.executeCommand('workbench.action.closeSidebar');
      // MCP: List Servers, which shows the server running, needs the editor's AI features, which the editor tests keep
      // off (no model, no sign-in prompts): on for this picture only.
      const chat = vscode.workspace.getConfiguration('chat');
      const aiOff = chat.inspect<boolean>('disableAIFeatures')?.globalValue;
      await chat.update('disableAIFeatures', false, vscode.ConfigurationTarget.Global);
      try {
        // It settles when its picker closes, below.
        void vscode.commands.executeCommand('workbench.mcp.listServer');
        await ask({ action: 'screenshot', name: 'ask-an-agent', pageSelector: '.quick-input-widget .monaco-list-row:has-text("Icicle"):has-text("Running")', timeoutMs: 30_000 });
      } finally {
        await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
        await chat.update('disableAIFeatures', aiOff, vscode.ConfigurationTarget.Global);
        await vscode.commands.executeCommand('workbench.view.explorer');
      }
    });
  });
}
