import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SourceCostsRequest } from '../common/protocol/agentProtocol';
import { FakeAgent } from '../test/support/fakeAgent';
import { LspClient } from '../test/support/lspClient';
import { pollUntil } from '../test/support/poll';

/**
 * The language server as a real process, connected to a stand-in agent that answers the source costs with something
 * malformed (a real agent never does): the server says why it has no costs in a sentence, and keeps serving.
 */
describe('language server: a malformed answer from the agent', function () {
  this.timeout(60_000);
  let dir: string;
  let fake: FakeAgent | undefined;
  let client: LspClient | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-lsp-malformed-'));
  });
  after(async () => {
    await client?.stop();
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports no costs with the reason in words, and still answers hovers', async () => {
    const socket = join(dir, 'agent.sock');
    // Two numbers where a function needs five: read as costs, it would show NaN or fail deep inside.
    fake = await FakeAgent.listen(socket, {
      [SourceCostsRequest.method]: { description: 'd', selector: '{}', profileTypes: [], unit: 'micros', runs: 1, total: 10, totalSamples: 1, files: [{ file: 'a.js', functionNames: ['f'], functions: [1, 2], lines: [] }] },
    });
    client = await LspClient.start({
      agentSocket: socket,
      selection: { kind: 'allRuns', selector: '{}' },
      settings: { codeLensMinPercent: 1, inlayHints: false, pathMappings: [] },
    });
    const changed = await pollUntil(() => client!.costsChanged.at(-1), { timeoutMs: 30_000, what: 'the server to say what its costs come from' });
    assert.equal(changed.description, "no costs: Icicle's agent answered icicle/sourceCosts with something malformed (at files.0: a file holds five numbers per function and per line).");
    assert.deepEqual({ runs: changed.runs, files: changed.files }, { runs: 0, files: 0 });
    const uri = pathToFileURL(join(dir, 'a.js')).href;
    await client.open(uri, 'function f() {}\n');
    assert.equal(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } }), null);
    assert.equal(client.server.exitCode, null, 'the server is still running');
  });
});
