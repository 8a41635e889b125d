import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeLens, Hover } from 'vscode-languageserver/node';
import { connectToAgent, type AgentConnection } from '../common/agentConnection';
import { ALLOCATED_BYTES_PROFILE_TYPE, CPU_TIME_PROFILE_TYPE } from '../common/profileTypes';
import { IngestProfileRequest, OpenProfileRequest } from '../common/protocol/agentProtocol';
import { LineCostsRequest, SetSelectionNotification } from '../common/protocol/languageServerProtocol';
import { formatBytes } from '../common/valueFormat';
import { startBuiltAgent } from '../test/support/agentProcess';
import { corpusDir } from '../test/support/corpus';
import { assertGolden } from '../test/support/golden';
import { pollUntil } from '../test/support/poll';
import { LspClient } from '../test/support/lspClient';

const testdata = join(__dirname, 'testdata');

/** A workspace file the profile names (by the tail of its path), with enough lines for every profiled line. */
function workspaceFile(workspace: string, relative: string, lines: number, text: (line: number) => string = line => `// line ${line + 1}`): { path: string; uri: string; text: string } {
  const path = join(workspace, relative);
  mkdirSync(dirname(path), { recursive: true });
  const content = Array.from({ length: lines }, (_, line) => text(line)).join('\n');
  writeFileSync(path, content);
  return { path, uri: pathToFileURL(path).href, text: content };
}

/** Lenses as text lines: `line N: title → command(args)`. */
function lensText(lenses: CodeLens[]): string {
  return lenses.map(l => `line ${l.range.start.line + 1}: ${l.command?.title} → ${l.command?.command} ${JSON.stringify(l.command?.arguments)}`).join('\n') + '\n';
}

/** Opens a document and waits until the server has the editor's functions for it (it asks for a lens refresh then). */
async function openAndWaitForFunctions(lsp: LspClient, uri: string, text: string, languageId?: string): Promise<void> {
  const refreshes = lsp.codeLensRefreshes.length;
  await lsp.open(uri, text, languageId);
  await pollUntil(() => lsp.codeLensRefreshes.length > refreshes, { timeoutMs: 30_000, what: `the functions of ${uri}` });
}

function hoverText(hover: Hover | null): string {
  if (!hover) return '(no hover)\n';
  const contents = hover.contents as { value: string };
  // The command link's arguments are URL-encoded JSON; decoded, the golden shows what the command gets.
  return contents.value.replace(/\(command:([\w.]+)\?([^)]*)\)/g, (_m, command: string, args: string) => `(command:${command} ${decodeURIComponent(args)})`) + '\n';
}

/**
 * The language server against a real agent and store, through a real LSP client over stdio: corpus profiles are
 * opened through the agent, their files laid out in a workspace as another machine had them, and what the server
 * answers (lenses, hovers, line costs) is compared with reviewed golden files.
 */
describe('cost annotations through the language server', function () {
  this.timeout(120_000);
  let dir: string;
  let agentProcess: ChildProcess;
  let agent: AgentConnection;
  let client: LspClient | undefined;
  let socket: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-lsp-'));
    socket = join(dir, 'agent.sock');
    agentProcess = (await startBuiltAgent(socket, join(dir, 'store'))).child;
    agent = await connectToAgent(socket, 'test', 'test');
    for (const [folder, name] of [['cpuprofile', 'sucrase.cpuprofile'], ['pprof', 'fib.pb.gz']]) {
      await agent.connection.sendRequest(OpenProfileRequest.type, { path: join(corpusDir(), folder!, name!), displayName: name! });
    }
  });
  after(async () => {
    await client?.stop();
    agent?.dispose();
    agentProcess?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const startClient = async (selector: string): Promise<LspClient> => {
    await client?.stop();
    client = await LspClient.start({
      agentSocket: socket,
      selection: { kind: 'allRuns', selector },
      settings: { codeLensMinPercent: 1, inlayHints: true, pathMappings: [] },
    });
    await pollUntil(() => client!.costsChanged.length > 0, { timeoutMs: 60_000, what: 'the first costs' });
    return client;
  };

  it('a V8 profile with line ticks: lenses over hot functions, hovers with their cost, line costs (sucrase, golden)', async () => {
    const lsp = await startClient('{source="sucrase.cpuprofile"}');
    assert.match(lsp.costsChanged[0]!.description, /source="sucrase\.cpuprofile", all runs/);
    // The profile ran /Users/alanpierce/code/sucrase/build/...; the workspace has it elsewhere, as a checkout would.
    const file = workspaceFile(join(dir, 'workspace'), 'sucrase/build/sucrase-babylon/tokenizer/index.js', 900);
    await openAndWaitForFunctions(lsp, file.uri, file.text);
    const lenses = await pollUntil(async () => {
      const answer = await lsp.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: file.uri } });
      return answer.length > 0 ? answer : undefined;
    }, { timeoutMs: 30_000, what: 'code lenses for tokenizer/index.js' });
    assertGolden(join(testdata, 'sucrase-tokenizer.lenses.txt'), lensText(lenses));

    // The hottest function's hover, on its name line and on a line of its body with samples.
    const hottest = lenses[0]!;
    const onName = await lsp.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: file.uri }, position: hottest.range.start });
    const heat = await lsp.connection.sendRequest(LineCostsRequest.type, { uri: file.uri });
    // The hottest line inside a function's body (not a line a lens is on).
    const lensLines = new Set(lenses.map(l => l.range.start.line));
    const hotLine = [...heat.lines].filter(l => !lensLines.has(l.line)).sort((a, b) => b.total - a.total)[0]!;
    const onBody = await lsp.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: file.uri }, position: { line: hotLine.line, character: 2 } });
    const nothing = await lsp.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: file.uri }, position: { line: 899, character: 0 } });
    assertGolden(
      join(testdata, 'sucrase-tokenizer.hovers.txt'),
      `on ${hottest.range.start.line + 1}:\n${hoverText(onName)}\non ${hotLine.line + 1}:\n${hoverText(onBody)}\non 900:\n${hoverText(nothing)}`,
    );
    assertGolden(
      join(testdata, 'sucrase-tokenizer.lines.txt'),
      heat.lines.map(l => `${l.line + 1} ${l.total.toFixed(1)} ${(100 * l.share).toFixed(2)}%${l.stale ? ' stale' : ''}`).join('\n') + `\nmax ${(100 * heat.maxShare).toFixed(2)}%\n`,
    );

    // Two lines typed above: every lens moves down two lines, none is stale. Then an edit inside the hottest function.
    await lsp.edit(file.uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, '// a\n// b\n');
    const moved = await lsp.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: file.uri } });
    assert.deepEqual(moved.map(l => l.range.start.line), lenses.map(l => l.range.start.line + 2));
    assert.ok(moved.every(l => !l.command!.title.includes('edited')));
    await lsp.edit(file.uri, { start: { line: hottest.range.start.line + 2, character: 0 }, end: { line: hottest.range.start.line + 2, character: 5 } }, 'const');
    const edited = await lsp.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: file.uri } });
    assert.match(edited[0]!.command!.title, /edited since profiled$/);
    assert.ok(edited.slice(1).some(l => !l.command!.title.includes('edited')), 'other functions are not stale');
  });

  it('a Go pprof profile with lines maps to the workspace by path tail, and follows the editor’s functions (golden)', async () => {
    const lsp = await startClient('{source="fib.pb.gz"}');
    const fib = workspaceFile(join(dir, 'go'), 'pprof-example-app-go/fib/fib.go', 40);
    // The editor says where fib.go's functions are; the hover and the lens use its span and name line.
    lsp.documentFunctions.set(fib.uri, [{ name: 'Fibonacci', startLine: 2, endLine: 20, nameLine: 2 }, { name: 'unused', startLine: 22, endLine: 30, nameLine: 22 }]);
    await openAndWaitForFunctions(lsp, fib.uri, fib.text, 'go');
    const lenses = await pollUntil(async () => {
      const answer = await lsp.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: fib.uri } });
      return answer.length > 0 ? answer : undefined;
    }, { timeoutMs: 30_000, what: 'code lenses for fib.go' });
    const hover = await lsp.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: fib.uri }, position: lenses[0]!.range.start });
    const unused = await lsp.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: fib.uri }, position: { line: 22, character: 5 } });
    assertGolden(join(testdata, 'fib-go.txt'), `${lensText(lenses)}\n${hoverText(hover)}\n${hoverText(unused)}`);
  });

  it('refreshes when new samples land and when the selection changes', async () => {
    const lsp = await startClient('{session_id="fresh1"}');
    const file = workspaceFile(join(dir, 'fresh'), 'app/fresh.js', 20);
    await lsp.open(file.uri, file.text);
    const lenses = () => lsp.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: file.uri } });
    assert.deepEqual(await lenses(), [], 'nothing is known of fresh.js yet');
    // A probe's chunk lands: a V8 profile of fresh.js, with `work` at line 5 taking all the time.
    const before = lsp.costsChanged.length;
    const profile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, children: [2] },
        { id: 2, callFrame: { functionName: 'work', scriptId: '1', url: file.uri, lineNumber: 4, columnNumber: 0 } },
      ],
      startTime: 0,
      endTime: 100_000,
      samples: Array(100).fill(2),
      timeDeltas: Array(100).fill(1000),
    };
    await agent.connection.sendRequest(IngestProfileRequest.type, { format: 'v8', profile, startMs: Date.now(), labels: { session_id: 'fresh1' }, droppedChunks: 0 });
    await pollUntil(() => lsp.costsChanged.length > before, { timeoutMs: 30_000, what: 'new costs after new samples' });
    const after = await lenses();
    assert.equal(after.length, 1);
    assert.equal(after[0]!.range.start.line, 4);
    assert.match(after[0]!.command!.title, /^100\.0% total · 100\.0% self \(\d+ ms\)$/);
    // The run goes on: its next chunk grows the lens's time (the refresh after the first did not end the following).
    const msOf = (title: string) => Number(/\((\d+) ms\)$/.exec(title)?.[1]);
    const first = msOf(after[0]!.command!.title);
    const grown = lsp.costsChanged.length;
    await agent.connection.sendRequest(IngestProfileRequest.type, { format: 'v8', profile, startMs: Date.now() + 1000, labels: { session_id: 'fresh1' }, droppedChunks: 0, chunkKey: 'fresh1-probe:2' });
    await pollUntil(() => lsp.costsChanged.length > grown, { timeoutMs: 30_000, what: 'new costs after the next chunk' });
    assert.equal(msOf((await lenses())[0]!.command!.title), 2 * first, 'the second chunk doubles the time');
    // Another selection: fresh.js is not in it, so its lens goes.
    const changes = lsp.costsChanged.length;
    await lsp.connection.sendNotification(SetSelectionNotification.type, { selection: { kind: 'allRuns', selector: '{source="sucrase.cpuprofile"}' } });
    await pollUntil(() => lsp.costsChanged.length > changes, { timeoutMs: 30_000, what: 'costs of the new selection' });
    assert.deepEqual(await lenses(), []);
  });

  it('shows the change of self per run against the base branch in lenses and hovers, over the runs that ran the file', async () => {
    const file = workspaceFile(join(dir, 'delta'), 'app/delta.js', 20);
    // V8's module wrapper (unnamed, at line 1: a comment here) calls `work` at line 5, which takes every sample.
    const chunk = (session: string, branch: string, samples: number, url = file.uri) => ({
      format: 'v8' as const,
      profile: {
        nodes: [
          { id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, children: [2] },
          { id: 2, callFrame: { functionName: '', scriptId: '1', url, lineNumber: 0, columnNumber: 0 }, children: [3] },
          { id: 3, callFrame: { functionName: 'work', scriptId: '1', url, lineNumber: 4, columnNumber: 0 } },
        ],
        startTime: 0,
        endTime: samples * 1000,
        samples: Array(samples).fill(3),
        timeDeltas: Array(samples).fill(1000),
      },
      startMs: Date.now(),
      labels: { session_id: session, branch },
      droppedChunks: 0,
    });
    // Two runs of delta.js per branch, and on the base branch a run of another program, which must not halve its mean.
    // (Each profile differs by a sample: the agent stores a profile's content once, whatever its labels.)
    for (const [session, branch, samples] of [['delta-base-1', 'delta-main', 100], ['delta-base-2', 'delta-main', 101], ['delta-head-1', 'delta-feature', 151], ['delta-head-2', 'delta-feature', 152]] as const) {
      await agent.connection.sendRequest(IngestProfileRequest.type, chunk(session, branch, samples));
    }
    await agent.connection.sendRequest(IngestProfileRequest.type, chunk('delta-other', 'delta-main', 300, pathToFileURL(join(dir, 'elsewhere', 'other.js')).href));
    await client?.stop();
    client = await LspClient.start({
      agentSocket: socket,
      // The costs shown: one run of the current branch; the delta is over the branch's runs.
      selection: { kind: 'allRuns', selector: '{session_id="delta-head-1"}' },
      settings: {
        codeLensMinPercent: 1,
        inlayHints: false,
        pathMappings: [],
        baseline: {
          selection: { kind: 'allRuns', selector: '{branch="delta-main"}' },
          label: 'main',
          head: { selection: { kind: 'allRuns', selector: '{branch="delta-feature"}' }, label: 'feature' },
        },
      },
    });
    await pollUntil(() => client!.costsChanged.length > 0, { timeoutMs: 30_000, what: 'the first costs' });
    await openAndWaitForFunctions(client, file.uri, file.text);
    const lenses = await client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: file.uri } });
    // One lens, on work's line: none over the comment on line 1, where the module wrapper is.
    assert.deepEqual(lenses.map(l => l.range.start.line), [4]);
    // 151 samples against 100 (V8 charges a profile's first sample to its start): about +50 ms, +50%.
    assert.match(lenses[0]!.command!.title, /^100\.0% total · 100\.0% self \(15\d ms\) · self per run \+5\d ms \(\+5\d%\) vs main$/);
    const hover = await client.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: file.uri }, position: { line: 4, character: 0 } });
    assert.match(hoverText(hover), /Self per run: \*\*\+5\d ms \(\+5\d%\) vs main\*\* \(mean of 2 runs on feature against mean of 2 runs on main\)/);
  });

  it('shows allocated bytes instead of CPU time when the selection chooses that type, in hovers, lenses and line heat', async () => {
    const file = workspaceFile(join(dir, 'alloc'), 'app/alloc.js', 30);
    // A probe's chunk recorded with allocation sampling: the module (line 1) calls `build` (line 5), which calls
    // `fill` (line 15); the module also calls `fill` itself. CPU time: build 30 samples, fill 70 (V8 charges the
    // first sample to the profile's start, so fill has 69 ms).
    const frame = (functionName: string, lineNumber: number, url: string) => ({ functionName, scriptId: '1', url, lineNumber, columnNumber: 0 });
    const profile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, children: [2] },
        { id: 2, callFrame: frame('', 0, file.uri), children: [3] },
        { id: 3, callFrame: frame('build', 4, file.uri), children: [4] },
        { id: 4, callFrame: frame('fill', 14, file.uri) },
      ],
      startTime: 0,
      endTime: 100_000,
      samples: [...Array(30).fill(3), ...Array(70).fill(4)],
      timeDeltas: Array(100).fill(1000),
    };
    // V8's heap profile of the same chunk, as the probe takes it at exit: frames without URL or line (named from the
    // CPU profile by the agent), node sizes already scaled to all bytes allocated there.
    const heapNode = (name: string, selfSize: number, children: unknown[] = []) => ({ callFrame: { ...frame(name, -1, ''), url: '' }, selfSize, id: 0, children });
    const heapProfile = {
      head: { ...heapNode('(root)', 0, [heapNode('', 65_536, [heapNode('build', 1_572_864, [heapNode('fill', 6_291_456)]), heapNode('fill', 2_097_152)])]), callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 } },
      samples: [],
    };
    await agent.connection.sendRequest(IngestProfileRequest.type, { format: 'v8', profile, heapProfile, startMs: Date.now(), labels: { session_id: 'alloc1' }, droppedChunks: 0 });
    // What each function allocated, by a walk of the heap profile of its own: self is the sum of its nodes' selfSize,
    // total the sum over the subtrees under them (no recursion here).
    const walk = (node: { callFrame: { functionName: string }; selfSize: number; children: unknown[] }, visit: (n: typeof node) => void): void => {
      visit(node);
      for (const child of node.children) walk(child as typeof node, visit);
    };
    const allocated = (name: string) => {
      let self = 0;
      let total = 0;
      walk(heapProfile.head as never, n => {
        if (n.callFrame.functionName !== name) return;
        self += n.selfSize;
        walk(n, m => (total += m.selfSize));
      });
      return { self, total };
    };

    const lsp = await startClient('{session_id="alloc1"}');
    assert.deepEqual([...lsp.costsChanged.at(-1)!.profileTypes!].sort(), [ALLOCATED_BYTES_PROFILE_TYPE, CPU_TIME_PROFILE_TYPE]);
    await openAndWaitForFunctions(lsp, file.uri, file.text);
    const hoverAt = async (line: number) => hoverText(await lsp.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: file.uri }, position: { line, character: 2 } }));
    const lensesNow = () => lsp.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: file.uri } });
    // Without a type: CPU time.
    assert.match(await hoverAt(14), /^Total \*\*69\.7%\*\* \(69 ms, 70 samples\)/m);
    assert.doesNotMatch(await hoverAt(14), /Allocates/);

    const changes = lsp.costsChanged.length;
    await lsp.connection.sendNotification(SetSelectionNotification.type, { selection: { kind: 'allRuns', selector: '{session_id="alloc1"}', profileType: ALLOCATED_BYTES_PROFILE_TYPE } });
    await pollUntil(() => lsp.costsChanged.length > changes, { timeoutMs: 30_000, what: 'the costs of allocated bytes' });
    assert.equal(lsp.costsChanged.at(-1)!.profileType, ALLOCATED_BYTES_PROFILE_TYPE);
    const fill = allocated('fill');
    const build = allocated('build');
    assert.equal(fill.self, 8_388_608);
    assert.match(await hoverAt(14), new RegExp(`^Allocates \\*\\*${formatBytes(fill.self)}\\*\\* itself .* \\*\\*${formatBytes(fill.total)}\\*\\* with its callees`, 'm'));
    assert.match(await hoverAt(4), new RegExp(`^Allocates \\*\\*${formatBytes(build.self)}\\*\\* itself .* \\*\\*${formatBytes(build.total)}\\*\\* with its callees`, 'm'));
    const lenses = await pollUntil(async () => {
      const answer = await lensesNow();
      return answer.some(l => l.command!.title.startsWith('allocates')) ? answer : undefined;
    }, { timeoutMs: 30_000, what: 'lenses of allocated bytes' });
    const byLine = new Map(lenses.map(l => [l.range.start.line, l.command!.title]));
    assert.match(byLine.get(14)!, new RegExp(`^allocates ${formatBytes(fill.self)} \\(\\d+\\.\\d% self`));
    assert.match(byLine.get(4)!, new RegExp(`^allocates ${formatBytes(build.self)} \\(`));
    // Line heat by bytes: fill's line holds the bytes it allocated itself, its share of all bytes allocated.
    const heat = await lsp.connection.sendRequest(LineCostsRequest.type, { uri: file.uri });
    const fillLine = heat.lines.find(l => l.line === 14);
    assert.equal(fillLine?.self, fill.self);
    assert.ok(Math.abs(fillLine.share - fill.total / allocated('(root)').total) < 1e-9, `share ${fillLine.share}`);
  });

  it('keeps serving, and says so, when the agent is not there', async () => {
    await client?.stop();
    client = await LspClient.start({
      agentSocket: join(dir, 'nobody.sock'),
      selection: { kind: 'latestRun', selector: '{}' },
      settings: { codeLensMinPercent: 1, inlayHints: false, pathMappings: [] },
    });
    await pollUntil(() => client!.costsChanged.length > 0, { timeoutMs: 30_000, what: 'the costs-changed notice' });
    assert.match(client.costsChanged[0]!.description, /^no costs: /);
    const file = workspaceFile(join(dir, 'none'), 'x.js', 3);
    await client.open(file.uri, file.text);
    assert.equal(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: file.uri }, position: { line: 0, character: 0 } }), null);
  });
});
