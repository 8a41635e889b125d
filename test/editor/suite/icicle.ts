/**
 * Shared helpers for the editor tests: where things are, and the extension under test with its test API.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { pollUntil } from '../../support/poll';
import { corpusDir as findCorpus } from '../../support/corpus';

export const extensionId = 'icicle-dev.icicle';

/** The repository root: the bundle runs from out/test/editor. */
export const repoRoot = resolve(__dirname, '..', '..', '..');

/** The shared corpus of real profiles (see test/support/corpus.ts for where it is looked for). */
export const corpusDir = findCorpus();

export const fixtureWorkspace = join(repoRoot, 'test', 'fixtures', 'workspace');

/**
 * What the extension's activate() returns, for tests to observe its state (extension/extension.ts, IcicleApi;
 * restated here rather than imported, since the suite sees the extension only from outside).
 */
export interface IcicleTestApi {
  /** Resolves once the agent and the language server have both answered their handshakes. */
  waitForReady(): Promise<void>;
  /** The open flame graphs: the profile's file name, its call-tree size, and 'loading' | 'loaded' | 'failed'. */
  panels(): { title: string; nodeCount: number; samples: number; state: string; selector: string | undefined }[];
  /** The notifications shown in this window, oldest first. */
  messages(): readonly { severity: string; text: string }[];
  /** Process ids of the agent and the language server. */
  processes(): { agent: number | undefined; languageServer: number | undefined };
  /** Runs profiled in this window, the profiling status bar text, and runs whose flame graph was opened. */
  recordings(): { sessionId: string; name: string; samples: number; state: string }[];
  profilingStatus(): string;
  runViews(): string[];
  terminalProfiling(): boolean;
  /** The store the agent writes. */
  storeDirectory(): string;
  /** The session ids the Profiles view listed last, newest first. */
  listedRuns(): string[];
  /** Chooses which samples the source's costs come from, as the status bar picker does (undefined: the default). */
  setCostSelection(selection: { kind: 'latestRun' | 'allRuns'; selector: string } | undefined): void;
  /** The source-costs status bar item's text. */
  costStatus(): string;
  /** Turns line heat on or off; and the lines it last drew in a document, by heat level (0 coolest). */
  setLineHeat(on: boolean): void;
  lineHeat(uri: string): number[][] | undefined;
  /** Runs a branch comparison without the pickers, and what the compare panel shows now. */
  compareBranches(request: { folder: string; base: string; head: string; command: { executable: string; args: string[] }; repeat: number; baseSource?: string; baseCommit?: string }): Promise<void>;
  /** Compares two selectors without the pickers, the base maybe from a dataset of icicle.sources (its folder). */
  compareSelections(request: { base: string; head: string; baseSource?: string }): Promise<void>;
  comparison(): {
    type: string;
    base?: string;
    head?: string;
    method?: string;
    message?: string;
    a?: { runs: number };
    b?: { runs: number };
    changes?: { name: string; line: number; verdict: string; deltaPercent: number | null }[];
  };
}

/** The activated extension's API (activation starts the agent and the language server; waits for both). */
export async function icicleApi(): Promise<IcicleTestApi> {
  const extension = vscode.extensions.getExtension<IcicleTestApi>(extensionId);
  assert.ok(extension, `extension ${extensionId} is not installed in this editor`);
  const api = await extension.activate();
  assert.ok(api && typeof api.panels === 'function', `${extensionId}'s activate() did not return the test API`);
  await api.waitForReady();
  return api;
}

/** Polls until `check` stops throwing; rethrows its last error at the deadline, which names what went wrong. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 20_000): Promise<T> {
  let lastError: unknown;
  let result: T | undefined;
  await pollUntil(
    async () => {
      try {
        result = await check();
        return true;
      } catch (error) {
        lastError = error;
        return false;
      }
    },
    { timeoutMs, what: 'a condition' },
  ).catch(() => {
    throw lastError;
  });
  return result as T;
}

/**
 * Runs the built command line (out/agent/icicle.js of the repository) with the extension host's Node, asynchronously:
 * a synchronous child would stall the extension host, which the editor then reports unresponsive. Fails unless it
 * exits 0, or 1 for `diff` (a regression found).
 */
export function icicleCli(args: string[], cwd?: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  // ELECTRON_RUN_AS_NODE makes desktop VS Code's Electron one Node; code-server's Node ignores it.
  process.env['ELECTRON_RUN_AS_NODE'] = '1';
  return new Promise<{ status: number | null; stdout: string; stderr: string }>(resolve =>
    execFile(process.execPath, [join(repoRoot, 'out', 'agent', 'icicle.js'), ...args], { encoding: 'utf8', timeout: 120_000, ...(cwd ? { cwd } : {}) }, (error, stdout, stderr) =>
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    ),
  ).then(run => {
    assert.ok(run.status === 0 || (args[0] === 'diff' && run.status === 1), `icicle ${args[0]} exited ${run.status}: ${run.stderr}`);
    return run;
  });
}

/** Closes every editor, so that each test starts with one visible webview at most. */
export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/**
 * Runs `body` with `icicle.profileTerminals` on and a new terminal in the fixture workspace (which gets the probe),
 * then closes the terminal and turns the setting back off.
 */
export async function withProfiledTerminal(api: IcicleTestApi, options: { name: string; env?: Record<string, string> }, body: (terminal: vscode.Terminal) => Promise<void>): Promise<void> {
  const settings = vscode.workspace.getConfiguration('icicle');
  await settings.update('profileTerminals', true, vscode.ConfigurationTarget.Global);
  try {
    const terminal = await eventually(() => {
      assert.ok(api.terminalProfiling(), 'terminal profiling is not on yet');
      return vscode.window.createTerminal({ name: options.name, cwd: fixtureWorkspace, env: options.env });
    });
    try {
      await body(terminal);
    } finally {
      terminal.dispose();
    }
  } finally {
    await settings.update('profileTerminals', undefined, vscode.ConfigurationTarget.Global);
  }
  await eventually(() => assert.equal(api.terminalProfiling(), false));
}

/**
 * The arguments of every running `icicle mcp` on `store` (from `mcp` on), read from Linux's /proc: what the editor
 * started the server with, which the extension API cannot show (the definition is the editor's once resolved).
 */
export function mcpServerArguments(store: string): string[][] {
  const found: string[][] = [];
  for (const pid of readdirSync('/proc').filter(name => /^\d+$/.test(name))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      // The process ended while the list was read.
      continue;
    }
    const bin = args.findIndex(arg => arg.endsWith('icicle.js'));
    if (bin >= 0 && args[bin + 1] === 'mcp' && args.includes(store)) found.push(args.slice(bin + 1).filter(arg => arg !== ''));
  }
  return found;
}
