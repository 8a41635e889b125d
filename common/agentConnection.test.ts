import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeAgent } from '../test/support/fakeAgent';
import { pollUntil } from '../test/support/poll';
import { connectToAgent } from './agentConnection';
import { HandshakeRequest, ListRunsRequest, PingRequest, SamplesStoredNotification, SourceCostsRequest, StoreProblemNotification } from './protocol/agentProtocol';

/**
 * The agent's answers are checked where they arrive, in connectToAgent (the extension's and the language server's
 * client of the agent). A real agent never sends a malformed answer, so a stand-in on a real socket sends them here.
 */
describe('answers from the agent, checked where they arrive', function () {
  this.timeout(20_000);
  let dir: string;
  let fake: FakeAgent | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-answers-'));
  });
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('rejects a malformed answer with a sentence naming the request and the problem, and logs it', async () => {
    const socket = join(dir, 'agent.sock');
    fake = await FakeAgent.listen(socket, {
      [ListRunsRequest.method]: { runs: [{ sessionId: 'a', startMs: 1, endMs: 2, samples: 'many', valueNs: 3, labels: {} }] },
      [SourceCostsRequest.method]: { description: 'd', selector: '{}', profileTypes: [], unit: 'micros', runs: 1, total: 1, totalSamples: 1, files: [{ file: 'a.js', functionNames: ['f'], functions: [1, 2], lines: [] }] },
      [PingRequest.method]: { uptimeMillis: 12 },
    });
    const logged: string[] = [];
    const agent = await connectToAgent(socket, 'test', 'test', message => logged.push(message));
    try {
      await assert.rejects(agent.request(ListRunsRequest, { limit: 5 }), {
        message: "Icicle's agent answered icicle/listRuns with something malformed (at runs.0.samples: Expected number, received string).",
      });
      await assert.rejects(agent.request(SourceCostsRequest, { selection: { kind: 'allRuns', selector: '{}' } }), {
        message: "Icicle's agent answered icicle/sourceCosts with something malformed (at files.0: a file holds five numbers per function and per line).",
      });
      assert.deepEqual(logged.length, 2);
      assert.ok(logged.every(line => !/\n\s+at /.test(line)), 'no stack traces in the log lines');
      // A well-formed answer passes, on the same connection.
      assert.deepEqual(await agent.request(PingRequest), { uptimeMillis: 12 });
    } finally {
      agent.dispose();
    }
  });

  it('drops a malformed notification with a log line and delivers well-formed ones', async () => {
    const socket = join(dir, 'agent.sock');
    fake = await FakeAgent.listen(socket, {});
    const logged: string[] = [];
    const agent = await connectToAgent(socket, 'test', 'test', message => logged.push(message));
    const heard: unknown[] = [];
    agent.onNotification(SamplesStoredNotification, params => heard.push(params));
    agent.onNotification(StoreProblemNotification, params => heard.push(params));
    try {
      const server = fake.connections[0]!;
      await server.sendNotification(SamplesStoredNotification.method, { sessionId: 7, rows: 'x' });
      await server.sendNotification(SamplesStoredNotification.method, { sessionId: 'run', rows: 3, labels: { session_id: 'run' } });
      await server.sendNotification(StoreProblemNotification.method, {});
      await pollUntil(() => heard.length === 2 && logged.length === 1, { timeoutMs: 5000, what: 'the notifications to arrive' });
      assert.deepEqual(heard, [{ sessionId: 'run', rows: 3, labels: { session_id: 'run' } }, {}]);
      assert.equal(logged[0], "Icicle's agent sent a malformed icicle/samplesStored notification (at sessionId: Expected string, received number); it was ignored.");
    } finally {
      agent.dispose();
    }
  });

  it('refuses to connect when the handshake answer is malformed', async () => {
    const socket = join(dir, 'agent.sock');
    fake = await FakeAgent.listen(socket, { [HandshakeRequest.method]: { protocolVersion: 'one' } });
    await assert.rejects(connectToAgent(socket, 'test', 'test'), {
      message: "Icicle's agent answered icicle/handshake with something malformed (at protocolVersion: Expected number, received string).",
    });
  });
});
