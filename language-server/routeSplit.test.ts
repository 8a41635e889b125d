import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeLens, Hover } from 'vscode-languageserver/node';
import { startBuiltAgent } from '../test/support/agentProcess';
import { icicle } from '../test/support/icicleCli';
import { LspClient } from '../test/support/lspClient';
import { pollUntil } from '../test/support/poll';
import { writeRouteSamples } from '../test/support/routeSamples';
import { formatCost } from './costText';

/**
 * A function's cost per route in the hover, through the real language server, a real agent and a real store on disk:
 * samples carrying `http_route` with a known split, the hover's figures checked against the split counted from the
 * written samples and against `icicle top --where http_route=…` run on the same store.
 */
describe('a function split across routes, in the hover (real agent, store and language server)', function () {
  this.timeout(180_000);
  let dir: string;
  let agentProcess: ChildProcess | undefined;
  let client: LspClient | undefined;
  /** Nanoseconds of `handle` per route (null: without one), counted from the written samples. */
  let handleByRoute = new Map<string | null, number>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-route-split-'));
    handleByRoute = await writeRouteSamples(join(dir, 'store'));
    agentProcess = (await startBuiltAgent(join(dir, 'agent.sock'), join(dir, 'store'))).child;
    client = await LspClient.start({ agentSocket: join(dir, 'agent.sock'), selection: { kind: 'allRuns', selector: '{}' }, settings: { codeLensMinPercent: 0, inlayHints: false, pathMappings: [] } });
    await pollUntil(() => client!.costsChanged.length > 0, { timeoutMs: 60_000, what: 'the first costs' });
  });
  after(async () => {
    await client?.stop();
    agentProcess?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The workspace's copy of the profiled file, opened in the server; the lens of each function, by name. */
  async function openServerFile(): Promise<{ uri: string; lensOf: (name: string) => CodeLens }> {
    const path = join(dir, 'workspace', 'app', 'server.js');
    mkdirSync(join(dir, 'workspace', 'app'), { recursive: true });
    const text = Array.from({ length: 50 }, (_, line) => `// line ${line + 1}`).join('\n');
    writeFileSync(path, text);
    const uri = pathToFileURL(path).href;
    await client!.open(uri, text);
    const lenses = await pollUntil(
      async () => {
        const answer = await client!.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
        return answer.length >= 4 ? answer : undefined;
      },
      { timeoutMs: 30_000, what: 'code lenses for server.js' },
    );
    return { uri, lensOf: name => lenses.find(l => (l.command?.arguments?.[0] as { name?: string } | undefined)?.name === name)! };
  }

  async function hoverAt(uri: string, lens: CodeLens): Promise<string> {
    const hover = await client!.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: lens.range.start });
    return (hover?.contents as { value: string } | undefined)?.value ?? '';
  }

  it("shows handle's cost per route as counted from the samples and as icicle top reads each route, adding up to its total", async () => {
    const { uri, lensOf } = await openServerFile();
    const text = await hoverAt(uri, lensOf('handle'));
    const line = text.split('\n').find(l => l.startsWith('By route: '));
    assert.ok(line, `no split in the hover:\n${text}`);

    // The independent count: the three largest (the samples without a route among them), then the rest summed.
    const handleTotal = [...handleByRoute.values()].reduce((a, b) => a + b, 0);
    const ranked = [...handleByRoute].sort((a, b) => b[1] - a[1]);
    const shown = (ns: number) => `${formatCost(ns / 1000, 'micros')} (${((100 * ns) / handleTotal).toFixed(1)}%)`;
    const rest = ranked.slice(3);
    const expected =
      'By route: ' +
      [
        ...ranked.slice(0, 3).map(([route, ns]) => `${route === null ? '(no route)' : `\`${route}\``} ${shown(ns)}`),
        `${rest.length} more ${shown(rest.reduce((sum, [, ns]) => sum + ns, 0))}`,
      ].join(' · ');
    assert.equal(line, expected);

    // The same figures as `icicle top --where http_route=…` finds handle's total under each route, on the same store.
    for (const [route, ns] of ranked.filter(([route]) => route !== null)) {
      const top = await icicle(['top', '--store', join(dir, 'store'), '--where', `http_route=${route}`, '--limit', '100', '--json']);
      assert.equal(top.code, 0, top.stderr);
      const row = (JSON.parse(top.stdout) as { functions: { function: string; total: number }[] }).functions.find(f => f.function === 'handle');
      assert.equal(row?.total, ns, `handle under ${route}`);
    }
    // The whole function, as the hover's first line says it, is what the parts add up to.
    assert.ok(text.includes(`(${formatCost(handleTotal / 1000, 'micros')}, `), `handle's total ${handleTotal} ns in:\n${text}`);
  });

  it('leaves the hover of a function no route ever ran unchanged', async () => {
    const { uri, lensOf } = await openServerFile();
    const text = await hoverAt(uri, lensOf('boot'));
    assert.match(text, /^\*\*boot\*\* — Icicle/);
    assert.doesNotMatch(text, /By route/);
    const heavy = await hoverAt(uri, lensOf('burnHeavy'));
    assert.match(heavy, /^By route: `\/heavy` [\d.]+ \w+ \(100\.0%\)$/m, 'a function only one route ran');
  });
});
