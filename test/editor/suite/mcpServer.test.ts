/**
 * The extension offers `icicle mcp` to the editor (contributes.mcpServerDefinitionProviders,
 * vscode.lm.registerMcpServerDefinitionProvider): the editor starts it, lists its tools among the language model
 * tools, and a tool called through vscode.lm.invokeTool (no model needed, AI features switched off) answers from the
 * agent's store with `icicle top`'s figures.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { corpusDir, eventually, icicleApi, repoRoot } from './icicle';

/** vscode.lm's tools, finalised in VS Code 1.95 (the @types/vscode this project builds against is 1.90's). */
interface LanguageModelTools {
  tools: readonly { name: string; description: string }[];
  invokeTool(name: string, options: { input: object; toolInvocationToken: undefined }, token?: vscode.CancellationToken): Thenable<{ content: unknown[] }>;
}

export function register(): void {
  suite('MCP server for the editor’s agents', () => {
    test('the editor starts icicle mcp on the agent’s store; its tools answer through vscode.lm.invokeTool', async () => {
      const api = await icicleApi();
      const lm = vscode.lm as unknown as LanguageModelTools;
      assert.equal(typeof lm.invokeTool, 'function', 'this editor has no vscode.lm.invokeTool');
      await vscode.commands.executeCommand('icicle.openProfile', vscode.Uri.file(join(corpusDir, 'cpuprofile', 'sucrase.cpuprofile')));
      // The profile's own samples (earlier tests may still add others to the store): the selector its panel shows.
      const selector = await eventually(() => {
        const panel = api.panels().find(p => p.title.includes('sucrase') && p.state === 'loaded');
        assert.ok(panel?.selector, JSON.stringify(api.panels()));
        return panel.selector;
      }, 60_000);
      await vscode.commands.executeCommand('workbench.mcp.startServer', '*', { waitForLiveTools: true });
      const tool = await eventually(() => {
        const found = lm.tools.find(t => t.name.includes('top_functions'));
        assert.ok(found, `no top_functions among the editor's tools: ${lm.tools.map(t => t.name).join(', ')}`);
        return found;
      }, 60_000);
      assert.match(tool.description, /not instructions/);
      const result = await lm.invokeTool(tool.name, { input: { selector, limit: 3 }, toolInvocationToken: undefined });
      // The editor hands a tool's structuredContent on as JSON text, in place of its text rendering (VS Code 1.139's
      // McpToolImplementation): the same figures as `icicle top --json` on the agent's store.
      const parts = result.content.map(part => (part as { value?: unknown }).value).filter(v => typeof v === 'string');
      assert.equal(parts.length, 1, JSON.stringify(result.content));
      const answer = JSON.parse(parts[0]!) as { profileType: string; totalValue: number; functions: { at: string }[] };
      const top = spawnSync(process.execPath, [join(repoRoot, 'out', 'agent', 'icicle.js'), 'top', '--store', api.storeDirectory(), '--where', selector, '--limit', '3', '--json'], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
      assert.equal(top.status, 0, top.stderr);
      const expected = JSON.parse(top.stdout) as { profileType: string; totalValue: number; functions: unknown[] };
      assert.equal(answer.profileType, 'process_cpu:cpu:nanoseconds:cpu:nanoseconds');
      assert.equal(answer.totalValue, expected.totalValue);
      assert.deepEqual(answer.functions.map(({ at: _at, ...f }) => f), expected.functions);
    });
  });
}
