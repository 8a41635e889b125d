import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import { connectToAgent, type AgentConnection } from '../../common/agentConnection';
import { IcicleErrorCode } from '../../common/errors';
import * as protocol from '../../common/protocol/agentProtocol';
import { exited, startBuiltAgent } from '../support/agentProcess';
import { pollUntil } from '../support/poll';
import { random } from '../support/random';

/**
 * Hostile and broken JSON-RPC on the agent's socket: byte garbage, broken framing, bodies that are not JSON-RPC,
 * and every request with randomly shaped parameters. The agent must answer what it can with a typed error in
 * words (never a stack trace), drop a connection it cannot read, and keep serving everyone else; it never exits.
 */

/** Requests left out of the parameter fuzzing because a valid-looking call acts on the machine or stops the agent. */
const NOT_FUZZED = new Set(['icicle/shutdown', 'icicle/profileProcess', 'icicle/deleteRun', 'icicle/setScrapeTargets', 'icicle/exportSelection', 'icicle/handshake']);

const methods = (Object.values(protocol) as unknown[])
  .filter((value): value is { method: string } => typeof value === 'object' && value !== null && typeof (value as { method?: unknown }).method === 'string')
  .map(value => value.method)
  .filter(method => !NOT_FUZZED.has(method) && !['icicle/samplesStored', 'icicle/recordingEnded', 'icicle/storeProblem'].includes(method));

/** Parameter names the requests really take, so that the fuzzer often gets past the first key to the values. */
const KEYS = ['selector', 'path', 'content', 'displayName', 'minShare', 'profileType', 'timeRange', 'key', 'limit', 'prefix', 'profile', 'startMs', 'labels', 'droppedChunks', 'sessionId', 'focus', 'files', 'base', 'head', 'x'];

function randomValue(next: () => number, depth = 0): unknown {
  const pick = Math.floor(next() * (depth > 2 ? 6 : 8));
  switch (pick) {
    case 0: return null;
    case 1: return next() < 0.5;
    case 2: return [0, -1, 1e308, -1e308, 0.5, Number.MAX_SAFE_INTEGER, 2 ** 53 + 1, 1e-320][Math.floor(next() * 8)];
    case 3: return ['', '{', '{service="a"}', '../../etc/passwd', '\u0000', 'x'.repeat(20_000), '<script>', '{a=~"("}', '\uD800'][Math.floor(next() * 9)];
    case 4: return Math.floor(next() * 1e6);
    case 5: return 'text';
    case 6: return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = Math.floor(next() * 5); i > 0; i--) object[KEYS[Math.floor(next() * KEYS.length)]!] = randomValue(next, depth + 1);
      return object;
    }
  }
}

function rawConnection(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends bytes on a fresh connection and resolves once the agent has closed it or a short idle time passed. */
async function sendRaw(path: string, bytes: Buffer | string): Promise<'closed' | 'open'> {
  const socket = await rawConnection(path);
  socket.on('error', () => undefined);
  const closed = new Promise<'closed'>(resolve => socket.once('close', () => resolve('closed')));
  socket.write(bytes);
  // The agent answers or closes within moments; a connection it keeps (waiting for the rest of a message) is
  // closed by us, which the agent must take as well.
  const outcome = await Promise.race([closed, new Promise<'open'>(resolve => setTimeout(() => resolve('open'), 100))]);
  socket.destroy();
  return outcome;
}

const frame = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('malformed JSON-RPC on the agent socket', function () {
  this.timeout(120_000);
  let dir: string;
  let agent: Awaited<ReturnType<typeof startBuiltAgent>>;
  let healthy: AgentConnection;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-rpc-fuzz-'));
    agent = await startBuiltAgent(join(dir, 'agent.sock'), join(dir, 'store'));
    healthy = await connectToAgent(join(dir, 'agent.sock'), 'test', 'test');
  });
  after(async () => {
    healthy?.dispose();
    agent?.child.kill();
    if (agent) await exited(agent.child);
    rmSync(dir, { recursive: true, force: true });
  });

  const stillServing = async () => {
    assert.equal(agent.child.exitCode, null, `the agent exited: ${agent.log().slice(-2000)}`);
    const ping = await healthy.connection.sendRequest(protocol.PingRequest.type);
    assert.ok(ping.uptimeMillis >= 0);
  };

  it('drops connections with broken framing or bodies, and serves the others', async () => {
    const socket = join(dir, 'agent.sock');
    const next = random(21);
    const cases: (string | Buffer)[] = [
      'not a header at all\r\n\r\n',
      'Content-Length: -5\r\n\r\n{}',
      'Content-Length: NaN\r\n\r\n{}',
      'Content-Length: 1e3\r\n\r\n{}',
      'Content-Type: text/plain\r\n\r\n{}',
      frame('{{{{'),
      frame('[]'),
      frame('42'),
      frame('null'),
      frame('"a string"'),
      frame('{"jsonrpc":"2.0"}'),
      frame('{"jsonrpc":"2.0","id":{},"method":"icicle/ping"}'),
      frame('{"jsonrpc":"1.0","id":1,"method":7}'),
      frame(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'icicle/ping', params: 'x'.repeat(1_000_000) })),
      // A message declaring more than it sends, then the connection closes.
      'Content-Length: 1000000000\r\n\r\n{"jsonrpc":"2.0"',
      Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a, 0x0d, 0x0a]),
      ...Array.from({ length: 40 }, () => Buffer.from(Array.from({ length: 1 + Math.floor(next() * 300) }, () => Math.floor(next() * 256)))),
    ];
    for (const bytes of cases) {
      await sendRaw(socket, bytes);
      await stillServing();
    }
  });

  it('answers requests with unknown methods, before the handshake, or with random parameters with errors in words', async () => {
    const socket = join(dir, 'agent.sock');
    // Before the handshake: refused, with the reason.
    const early = await connectRaw(socket);
    const refused = await early.request('icicle/querySelection', { selector: '{}' });
    assert.match(JSON.stringify(refused.error), /handshake/);
    early.close();

    const next = random(7);
    let answered = 0;
    const codes = new Map<number, number>();
    for (let round = 0; round < 15; round++) {
      for (const method of [...methods, 'icicle/noSuchMethod', 'rpc.evil']) {
        const params = randomValue(next);
        try {
          await healthy.connection.sendRequest(method, params);
          answered++;
        } catch (error) {
          assert.ok(error instanceof ResponseError, `${method} failed without a JSON-RPC error: ${String(error)}`);
          assert.ok(!/\n\s+at /.test(error.message), `${method} answered with a stack trace: ${error.message}`);
          assert.ok(error.message.length > 0 && error.message.length < 5_000, `${method}'s error is not a sentence: ${error.message.slice(0, 200)}`);
          codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
        }
      }
      await stillServing();
    }
    // Most random parameters are refused by the schemas at the boundary (InvalidParams), and none crashes a handler.
    assert.ok((codes.get(IcicleErrorCode.InvalidParams) ?? 0) > 0, `error codes seen: ${JSON.stringify([...codes])}`);
    console.log(`      ${methods.length + 2} methods × 15 rounds of random parameters: ${answered} answered, errors by code ${JSON.stringify(Object.fromEntries(codes))}`);
    await pollUntil(() => agent.child.exitCode === null, { timeoutMs: 1000, what: 'the agent to be alive' });
  });
});

/** A JSON-RPC connection that sends whatever it is given, without the handshake that connectToAgent makes. */
async function connectRaw(path: string): Promise<{ request(method: string, params: unknown): Promise<{ error?: unknown; result?: unknown }>; close(): void }> {
  const socket = await rawConnection(path);
  let buffer = '';
  const waiting = new Map<number, (reply: { error?: unknown; result?: unknown }) => void>();
  socket.on('data', data => {
    buffer += data.toString('utf8');
    for (;;) {
      const match = /^Content-Length: (\d+)\r\n\r\n/.exec(buffer);
      if (!match || buffer.length < match[0].length + Number(match[1])) return;
      const body = JSON.parse(buffer.slice(match[0].length, match[0].length + Number(match[1]))) as { id: number; error?: unknown; result?: unknown };
      buffer = buffer.slice(match[0].length + Number(match[1]));
      waiting.get(body.id)?.(body);
    }
  });
  let id = 1;
  return {
    request: (method, params) =>
      new Promise(resolve => {
        const requestId = id++;
        waiting.set(requestId, resolve);
        socket.write(frame(JSON.stringify({ jsonrpc: '2.0', id: requestId, method, params })));
      }),
    close: () => socket.destroy(),
  };
}
