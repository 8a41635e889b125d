/**
 * Icicle in a folder the editor does not trust (Restricted Mode), run by the driver in a second editor that enforces
 * workspace trust, on a temporary copy of the fixture workspace (ICICLE_EDITOR_SUITE=untrusted). The promise of
 * package.json's `untrustedWorkspaces: limited`: profiles still open, no profiler starts, and the user is told why.
 * What the user is told is read from the workbench page by the driver, as the user would see it.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { labelNames } from '../handshake';
import { ask, bridgeAvailable } from './e2eBridge';
import { clearNotifications, notificationSaying } from './notifications';
import { LANGUAGE_MODEL_TOOL_PREFIX } from '../../../common/languageModelTools';
import { corpusDir, eventually, fixtureWorkspace, icicleApi, mcpServerArguments, repoRoot, type IcicleTestApi } from './icicle';
import { icicleTopJson, invoked, invokedText, languageModelTools, openedSelector, type TopRow } from './languageModelTools';

/** The start of Icicle's one message for every profiler it does not start here (extension/recording/debugProfiling.ts). */
const untrustedMessage = 'Icicle does not profile in an untrusted workspace';

/** The values of a label in the extension's store, read by the command line beside the running agent. */
function storeLabelValues(api: IcicleTestApi, key: string): string[] {
  const run = spawnSync(process.execPath, [join(repoRoot, 'out', 'agent', 'icicle.js'), 'labels', key, '--store', api.storeDirectory(), '--json'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as string[];
}

export function register(): void {
  suite('untrusted workspace', () => {
    let folder: vscode.WorkspaceFolder;
    suiteSetup(function () {
      if (!bridgeAvailable()) this.skip();
      folder = vscode.workspace.workspaceFolders![0]!;
    });
    setup(clearNotifications);

    test('the folder is a copy of the fixture workspace that the editor does not trust', () => {
      assert.equal(vscode.workspace.isTrusted, false, 'the workspace is trusted: the driver did not start the editor in Restricted Mode');
      assert.notEqual(folder.uri.fsPath, fixtureWorkspace, 'the untrusted run must use a copy, so that no trust decision sticks to the fixture');
      assert.ok(existsSync(join(folder.uri.fsPath, 'busy.js')));
    });

    test('Icicle activates and a corpus profile opens in a flame graph', async () => {
      const api = await icicleApi();
      await vscode.commands.executeCommand('icicle.openProfile', vscode.Uri.file(join(corpusDir, 'cpuprofile', 'sucrase.cpuprofile')));
      await eventually(() => {
        const panel = api.panels().find(p => p.title.includes('sucrase'));
        assert.ok(panel, `no panel for sucrase.cpuprofile; panels: ${JSON.stringify(api.panels())}`);
        assert.equal(panel.state, 'loaded');
        assert.ok(panel.nodeCount > 100);
      });
      const { labels } = await ask({ action: 'frameLabels', include: ['getSucraseTokens'], timeoutMs: 30_000 });
      assert.ok(labels.some(label => labelNames(label, 'getSucraseTokens')), `the flame graph is not drawn; labels: ${JSON.stringify(labels.slice(0, 30))}`);
      // The Restricted Mode banner above the flame graph, for whoever reads the test results.
      await ask({ action: 'screenshot', name: 'untrusted-flame-graph', timeoutMs: 30_000 });
    });

    test('"Start Debugging with Profiling" and "Profile Process…" start nothing and say why', async () => {
      const api = await icicleApi();
      assert.equal(await vscode.commands.executeCommand('icicle.startDebuggingWithProfiling'), false);
      await notificationSaying(untrustedMessage);
      await clearNotifications();
      // The process is never looked at: the command refuses before it asks the agent for perf.
      assert.equal(await vscode.commands.executeCommand('icicle.profileProcess', process.pid), undefined);
      const shown = await notificationSaying(untrustedMessage);
      assert.equal(shown.filter(text => text.includes(untrustedMessage)).length, 1, `one message, not several: ${JSON.stringify(shown)}`);
      assert.deepEqual(api.recordings(), []);
    });

    test('"Compare Branches…" refuses, saying why', async () => {
      await icicleApi();
      // It refuses before it looks for a repository, so the copy not being one does not matter.
      await vscode.commands.executeCommand('icicle.compareBranches');
      await notificationSaying('Icicle runs and profiles programs only in a trusted workspace; trust this folder to compare branches.');
    });

    test('configured scrape targets are not scraped, and the user is told why', async () => {
      await icicleApi();
      // A pprof endpoint that counts what reaches it.
      let requests = 0;
      const server = createServer((_request, response) => {
        requests++;
        response.writeHead(404).end();
      });
      await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
      const settings = vscode.workspace.getConfiguration('icicle');
      try {
        const { port } = server.address() as AddressInfo;
        await settings.update('scrapeTargets', [{ url: `http://127.0.0.1:${port}/debug/pprof/profile`, intervalSeconds: 1 }], vscode.ConfigurationTarget.Global);
        // The extension read the setting (it answered it) and sent the agent no target.
        await notificationSaying(untrustedMessage);
        assert.equal(requests, 0, 'the endpoint was scraped');
      } finally {
        await settings.update('scrapeTargets', undefined, vscode.ConfigurationTarget.Global);
        server.close();
      }
    });

    // Before anything else that runs a program: the editor's request for trust stays open in this window once made,
    // and later requests (a terminal's, another session's) join it without asking again.
    test('a Node.js debug session asked to be profiled does not start: the editor asks for trust first', async () => {
      const api = await icicleApi();
      const trustPrompt = 'refused to show dialog in tests\\. Contents: Do you trust the authors of the files in this folder\\?';
      const before = (await ask({ action: 'pageConsole', expect: trustPrompt, count: 0, timeoutMs: 0 })).lines.length;
      const sessions: string[] = [];
      const listener = vscode.debug.onDidStartDebugSession(session => sessions.push(session.name));
      try {
        let outcome: boolean | undefined;
        void vscode.debug
          .startDebugging(folder, { type: 'node', request: 'launch', name: 'Profile busy.js', program: join(folder.uri.fsPath, 'busy.js'), args: ['300'], icicleProfile: true })
          .then(started => (outcome = started));
        // In Restricted Mode the editor asks for trust (a modal dialog; the workbench refuses to show it while extension
        // tests run, and logs its text) before it resolves the configuration or launches anything, so Icicle is
        // never asked to profile, and the program does not run.
        await ask({ action: 'pageConsole', expect: trustPrompt, count: before + 1, timeoutMs: 20_000 });
        assert.notEqual(outcome, true, 'the debug session started without trust');
        assert.deepEqual(sessions, []);
        assert.equal(vscode.debug.activeDebugSession, undefined);
        assert.deepEqual(api.recordings(), []);
        assert.deepEqual(storeLabelValues(api, 'session_id'), [], 'the store holds a recorded run');
        assert.equal(vscode.workspace.isTrusted, false);
      } finally {
        listener.dispose();
      }
    });

    test('with icicle.profileTerminals turned on, terminals are not profiled, and the user is told why', async () => {
      const api = await icicleApi();
      const settings = vscode.workspace.getConfiguration('icicle');
      await settings.update('profileTerminals', true, vscode.ConfigurationTarget.Global);
      try {
        // The extension saw the change (it answered it) and left terminal profiling off: nothing in its environment
        // variable collection, no run counted.
        await notificationSaying(untrustedMessage);
        assert.equal(api.terminalProfiling(), false);
        assert.ok(!api.recordings().some(r => r.name === 'terminals'), `a terminal run is counted: ${JSON.stringify(api.recordings())}`);
      } finally {
        await settings.update('profileTerminals', undefined, vscode.ConfigurationTarget.Global);
      }
    });

    test('Icicle’s MCP server is offered, but the editor starts it only once the folder is trusted', async () => {
      const api = await icicleApi();
      // The editor asks for workspace trust before it starts an MCP server an extension provides for the workspace;
      // told not to ask (the modal dialog is refused in tests and would stay open), it fails at once, saying so. Had
      // Icicle offered no server, starting every server would succeed with nothing to start.
      const outcome = await vscode.commands.executeCommand('workbench.mcp.startServer', '*', { waitForLiveTools: true, errorOnUserInteraction: true }).then(
        () => 'started',
        (error: unknown) => String(error),
      );
      assert.match(outcome, /User interaction required: workspaceTrust/);
      const tools = (vscode.lm as unknown as { tools: readonly { name: string }[] }).tools.map(t => t.name);
      assert.deepEqual(tools.filter(name => name.startsWith('mcp_')), [], 'MCP servers’ tools are listed in Restricted Mode');
      // Icicle's own read-only tools (next test) start their icicle mcp only when first called.
      assert.deepEqual(mcpServerArguments(api.storeDirectory()), [], 'icicle mcp runs before any tool was called');
    });

    test('its read-only tools are offered by Icicle itself instead, answering as icicle mcp does; record is not', async () => {
      const api = await icicleApi();
      const lm = languageModelTools();
      const own = await eventually(() => {
        const names = lm.tools.map(t => t.name).filter(name => name.startsWith(LANGUAGE_MODEL_TOOL_PREFIX));
        assert.ok(names.length > 0, `no Icicle tool among the editor's tools: ${lm.tools.map(t => t.name).join(', ')}`);
        return names;
      });
      assert.deepEqual(own, ['list_runs', 'top_functions', 'hot_lines', 'callers_callees', 'compare'].map(name => `${LANGUAGE_MODEL_TOOL_PREFIX}${name}`));
      assert.deepEqual(lm.tools.map(t => t.name).filter(name => name.includes('record')), [], 'a record tool is offered in Restricted Mode');
      assert.match(lm.tools.find(t => t.name === `${LANGUAGE_MODEL_TOOL_PREFIX}top_functions`)!.description, /not instructions/);
      // sucrase.cpuprofile's own samples (opened by an earlier test; opening it again shows its panel).
      const selector = await openedSelector(api, join(corpusDir, 'cpuprofile', 'sucrase.cpuprofile'), 'sucrase');
      const answer = await invoked<{ profileType: string; totalValue: number; functions: TopRow[] }>(lm, `${LANGUAGE_MODEL_TOOL_PREFIX}top_functions`, { selector, limit: 3 });
      const expected = icicleTopJson(api, selector, 3);
      assert.equal(answer.profileType, 'process_cpu:cpu:nanoseconds:cpu:nanoseconds');
      assert.equal(answer.totalValue, expected.totalValue);
      assert.ok(answer.functions.length === 3, JSON.stringify(answer.functions));
      assert.deepEqual(answer.functions.map(({ at: _at, ...f }) => f), expected.functions);
      // A mistake is the server's one sentence, as its MCP tool answers it.
      const [mistake, ...more] = await invokedText(lm, `${LANGUAGE_MODEL_TOOL_PREFIX}top_functions`, { selector: '{branch=' });
      assert.deepEqual(more, []);
      assert.match(mistake!, /is not a selector like/);
      // The calls ran icicle mcp read-only on the agent's store: never with --allow-record.
      const servers = mcpServerArguments(api.storeDirectory());
      assert.ok(servers.length > 0, 'no icicle mcp process on the agent’s store');
      for (const args of servers) assert.deepEqual(args, ['mcp', '--store', api.storeDirectory()]);
      assert.deepEqual(api.recordings(), []);
      assert.equal(vscode.workspace.isTrusted, false);
    });

    // Last: the folder is trusted from here on.
    test('once the folder is trusted, Icicle unregisters its own tools and closes their icicle mcp: the MCP server’s take over', async () => {
      const api = await icicleApi();
      const lm = languageModelTools();
      const own = () => lm.tools.map(t => t.name).filter(name => name.startsWith(LANGUAGE_MODEL_TOOL_PREFIX));
      assert.equal(own().length, 5, `Icicle's tools are not listed before trust: ${lm.tools.map(t => t.name).join(', ')}`);
      assert.ok(mcpServerArguments(api.storeDirectory()).length > 0, 'no icicle mcp of the earlier calls is running');
      // As a person trusts the folder: the Workspace Trust editor's Trust button.
      await vscode.commands.executeCommand('workbench.trust.manage');
      await ask({ action: 'clickWorkbenchButton', name: 'Trust', timeoutMs: 20_000 });
      await eventually(() => assert.equal(vscode.workspace.isTrusted, true, 'the folder is not trusted yet'));
      // Their declarations stay in vscode.lm.tools (VS Code 1.139 hands extensions every declared tool, without
      // evaluating its `when`; a chat's own list does evaluate it: `!isWorkspaceTrusted`), but nothing answers them.
      await eventually(async () => {
        const call = await lm.invokeTool(`${LANGUAGE_MODEL_TOOL_PREFIX}top_functions`, { input: {}, toolInvocationToken: undefined }).then(
          () => 'answered',
          (error: unknown) => String(error),
        );
        assert.match(call, /does not have an implementation registered/);
      });
      await eventually(() => assert.deepEqual(mcpServerArguments(api.storeDirectory()), [], 'the tools’ icicle mcp still runs'));
    });
  });
}
