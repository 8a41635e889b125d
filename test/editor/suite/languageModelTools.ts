/** The editor's language model tools as the editor tests call them: no model, through vscode.lm.invokeTool. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { eventually, repoRoot, type IcicleTestApi } from './icicle';

/** vscode.lm's tools, finalised in VS Code 1.95 (the @types/vscode this project builds against is 1.90's). */
export interface LanguageModelTools {
  tools: readonly { name: string; description: string }[];
  invokeTool(name: string, options: { input: object; toolInvocationToken: undefined }, token?: vscode.CancellationToken): Thenable<{ content: unknown[] }>;
}

export const languageModelTools = (): LanguageModelTools => vscode.lm as unknown as LanguageModelTools;

/** A row of top_functions' answer, as the editor hands it on. */
export interface TopRow {
  function: string;
  file: string;
  line: number;
  at: string;
  uri?: string;
  selfPercent: number;
}

/** What `icicle top --json` prints. */
export interface TopJson {
  profileType: string;
  totalValue: number;
  functions: unknown[];
}

/** Opens a profile and returns the selector of its own samples, as its flame graph's selection bar shows it. */
export async function openedSelector(api: IcicleTestApi, profile: string, title: string): Promise<string> {
  await vscode.commands.executeCommand('icicle.openProfile', vscode.Uri.file(profile));
  return eventually(() => {
    const panel = api.panels().find(p => p.title.includes(title) && p.state === 'loaded');
    assert.ok(panel?.selector, JSON.stringify(api.panels()));
    return panel.selector;
  }, 60_000);
}

/** The text parts of a tool's answer, as the editor hands them to a model. */
export async function invokedText(lm: LanguageModelTools, tool: string, input: object): Promise<string[]> {
  const result = await lm.invokeTool(tool, { input, toolInvocationToken: undefined });
  return result.content.map(part => (part as { value?: unknown }).value).filter(v => typeof v === 'string');
}

/** The answer of a tool called through the editor: its one text part, the structured answer as JSON. */
export async function invoked<T>(lm: LanguageModelTools, tool: string, input: object): Promise<T> {
  // The editor hands an MCP tool's structuredContent on as JSON text, in place of its text rendering (VS Code 1.139's
  // McpToolImplementation); Icicle's own tools in Restricted Mode do the same.
  const parts = await invokedText(lm, tool, input);
  assert.equal(parts.length, 1, JSON.stringify(parts));
  return JSON.parse(parts[0]!) as T;
}

/** `icicle top --json` on the agent's store, run by the command line beside the editor. */
export function icicleTopJson(api: IcicleTestApi, selector: string, limit: number): TopJson {
  const top = spawnSync(process.execPath, [join(repoRoot, 'out', 'agent', 'icicle.js'), 'top', '--store', api.storeDirectory(), '--where', selector, '--limit', String(limit), '--json'], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  assert.equal(top.status, 0, top.stderr);
  return JSON.parse(top.stdout) as TopJson;
}
