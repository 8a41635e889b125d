import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ResponseError } from 'vscode-jsonrpc';
import { connectToAgent, type AgentConnection } from '../common/agentConnection';
import { IcicleErrorCode } from '../common/errors';
import {
  HandshakeRequest,
  LabelBreakdownRequest,
  LabelNamesRequest,
  LabelValuesRequest,
  OpenProfileRequest,
  PingRequest,
  QuerySelectionRequest,
  SamplesStoredNotification,
  ShutdownRequest,
  SourceCostsRequest,
} from '../common/protocol/agentProtocol';
import { selectorMayMatch } from '../common/selectorMatch';
import { CPU_TIME_PROFILE_TYPE } from '../common/profileTypes';
import { AGENT_PROTOCOL_VERSION } from '../common/version';
import { corpusDir } from '../test/support/corpus';

const root = join(__dirname, '..');
const corpus = join(corpusDir(), 'cpuprofile');

/** Starts the agent from source, as a real process, and resolves once it prints its readiness line. */
async function startAgent(dir: string): Promise<{ child: ChildProcess; socket: string }> {
  const socket = join(dir, 'agent.sock');
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'agent', 'main.ts'), '--socket', socket], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', chunk => (stderr += chunk));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', code => reject(new Error(`agent exited with ${code}: ${stderr}`)));
  });
  assert.equal(JSON.parse(line).ready, true);
  return { child, socket };
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise(resolve => child.once('exit', resolve));
}

describe('agent process', function () {
  this.timeout(30000);
  let dir: string;
  let agent: { child: ChildProcess; socket: string };
  let client: AgentConnection;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-agent-test-'));
    agent = await startAgent(dir);
    client = await connectToAgent(agent.socket, 'test', 'test');
  });
  after(async () => {
    client?.dispose();
    agent?.child.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on a socket only its user can reach', () => {
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(agent.socket).mode & 0o777, 0o600);
  });

  it('refuses to listen in a directory that other users can enter', async () => {
    const open = mkdtempSync(join(tmpdir(), 'icicle-agent-open-'));
    chmodSync(open, 0o755);
    try {
      await assert.rejects(startAgent(open), /must belong to the user and have mode 0700/);
    } finally {
      rmSync(open, { recursive: true, force: true });
    }
  });

  it('answers the versioned handshake', () => {
    assert.equal(client.handshake.protocolVersion, AGENT_PROTOCOL_VERSION);
    assert.equal(client.handshake.pid, agent.child.pid);
  });

  it('refuses another protocol version with a message for the user', async () => {
    const other = await connectToAgent(agent.socket, 'test', 'test');
    try {
      await assert.rejects(
        other.connection.sendRequest(HandshakeRequest.type, { protocolVersion: 99, client: 'test', clientVersion: 'x' }),
        (error: ResponseError<unknown>) => error.code === IcicleErrorCode.ProtocolMismatch && /reload the window/.test(error.message),
      );
    } finally {
      other.dispose();
    }
  });

  it('reads a real profile and returns its merged call tree', async () => {
    const result = await client.connection.sendRequest(OpenProfileRequest.type, {
      path: join(corpus, 'sucrase.cpuprofile'),
      displayName: 'sucrase.cpuprofile',
    });
    assert.equal(result.summary.sampleCount, 17138);
    assert.ok(result.tree.strings.includes('parseStatement'));
    // The view's later queries: its labels for completion, and a time range of its own selection.
    const { values } = await client.connection.sendRequest(LabelValuesRequest.type, { key: 'source', selector: '', limit: 100 });
    assert.ok(values.includes('sucrase.cpuprofile'), `source values: ${values.join(', ')}`);
    // What completion asks once something is typed: only the values starting with it.
    const typed = await client.connection.sendRequest(LabelValuesRequest.type, { key: 'source', selector: '', limit: 100, prefix: 'sucr' });
    assert.deepEqual(typed, { values: ['sucrase.cpuprofile'], truncated: false });
    const { names } = await client.connection.sendRequest(LabelNamesRequest.type, { selector: result.query.selector });
    assert.deepEqual(names, ['format', 'profile_id', 'source']);
    // The By Label tab's question: the profile's CPU by a label, every sample under its one source.
    const bySource = await client.connection.sendRequest(LabelBreakdownRequest.type, { selector: result.query.selector, key: 'source', limit: 10 });
    assert.equal(bySource.key, 'source');
    assert.deepEqual(bySource.keys, ['format', 'profile_id', 'source']);
    assert.deepEqual(bySource.shares.map(s => [s.value, s.samples]), [['sucrase.cpuprofile', 17138]]);
    assert.ok(Math.abs(bySource.total - result.tree.totalValue[0]!) < 1, `${bySource.total} µs, as the tree's ${result.tree.totalValue[0]}`);
    await assert.rejects(
      client.connection.sendRequest(LabelBreakdownRequest.type, { selector: '', key: '__profile_rows', limit: 10 }),
      (error: ResponseError<unknown>) => error.code === IcicleErrorCode.InvalidParams && /store's own/.test(error.message),
    );
    const span = result.timeline!.span;
    const firstHalf = await client.connection.sendRequest(QuerySelectionRequest.type, {
      selector: result.query.selector,
      timeRange: { startMs: span.startMs, endMs: (span.startMs + span.endMs) / 2 },
    });
    assert.ok(firstHalf.summary.sampleCount > 0 && firstHalf.summary.sampleCount < 17138, `${firstHalf.summary.sampleCount} samples in the first half`);
    await assert.rejects(
      client.connection.sendRequest(QuerySelectionRequest.type, { selector: '{source=' }),
      (error: ResponseError<unknown>) => error.code === IcicleErrorCode.InvalidParams && /is not a label selector/.test(error.message),
    );
  });

  it('places a file it opens by the file: its samples end when the file was written', async () => {
    const file = join(dir, 'written.cpuprofile');
    copyFileSync(join(corpus, 'simple.cpuprofile'), file);
    const writtenMs = Date.UTC(2026, 0, 15, 9, 30);
    utimesSync(file, writtenMs / 1000, writtenMs / 1000);
    const result = await client.connection.sendRequest(OpenProfileRequest.type, { path: file, displayName: 'written.cpuprofile' });
    const { endMs } = result.timeline!.span;
    // The last sample is within the profile's last sampling interval of its end.
    assert.ok(endMs <= writtenMs && endMs > writtenMs - 1000, `the last sample at ${new Date(endMs).toISOString()}, the file written at ${new Date(writtenMs).toISOString()}`);
  });

  it('tells the language server when an opened profile lands, and gives that profile\'s source costs under its name', async () => {
    const server = await connectToAgent(agent.socket, 'language-server', 'test');
    try {
      const stored = new Promise<SamplesStoredNotification.Params>(resolve => server.connection.onNotification(SamplesStoredNotification.type, resolve));
      const opened = await client.connection.sendRequest(OpenProfileRequest.type, { path: join(root, 'demo', 'profiles', 'demo.cpuprofile'), displayName: 'demo.cpuprofile' });
      const notified = await stored;
      assert.equal(notified.sessionId, undefined, 'an opened profile belongs to no recording session');
      assert.equal(notified.rows, opened.summary.sampleCount);
      assert.equal(selectorMayMatch(opened.query.selector, notified.labels), true, 'the labels name the opened profile');
      assert.equal(selectorMayMatch('{profile_id="another"}', notified.labels), false);
      const costs = await server.connection.sendRequest(SourceCostsRequest.type, { selection: { kind: 'profile', selector: opened.query.selector, name: 'demo.cpuprofile' } });
      assert.equal(costs.description, 'demo.cpuprofile');
      assert.equal(costs.selector, opened.query.selector);
      assert.equal(costs.runs, 1);
      assert.ok(costs.files.some(f => f.file === 'src/primes.js' && f.functionNames.includes('countPrimesNaive')), `files: ${costs.files.map(f => f.file).join(', ')}`);
      assert.equal(costs.totalSamples, opened.summary.sampleCount);
      // The default before anything is opened: a branch without runs falls back to the latest of anything, in its
      // own profile type and unit (not every type's values summed as plain numbers).
      const fallback = await server.connection.sendRequest(SourceCostsRequest.type, { selection: { kind: 'latestRun', selector: '{branch="main"}', fallbackToAny: true } });
      assert.match(fallback.description, /; branch="main" has none yet$/);
      assert.equal(fallback.profileType, CPU_TIME_PROFILE_TYPE);
      assert.equal(fallback.unit, 'micros');
      assert.ok(fallback.total > 0 && fallback.files.length > 0);
    } finally {
      server.dispose();
    }
  });

  it('reports a missing file and bad parameters as errors meant for the user', async () => {
    await assert.rejects(
      client.connection.sendRequest(OpenProfileRequest.type, { path: join(dir, 'nope.cpuprofile'), displayName: 'nope.cpuprofile' }),
      (error: ResponseError<unknown>) => error.code === IcicleErrorCode.FileUnreadable && error.message === 'Cannot open nope.cpuprofile: the file does not exist.',
    );
    await assert.rejects(
      client.connection.sendRequest(OpenProfileRequest.method, { path: 42, displayName: 'x' }),
      (error: ResponseError<unknown>) => error.code === IcicleErrorCode.InvalidParams && !/\n\s+at /.test(error.message),
    );
  });

  it('serves nothing before the handshake', async () => {
    const { createMessageConnection, SocketMessageReader, SocketMessageWriter } = await import('vscode-jsonrpc/node');
    const socket = connect(agent.socket);
    const raw = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
    raw.listen();
    try {
      await assert.rejects(raw.sendRequest(PingRequest.type), (error: ResponseError<unknown>) => error.code === IcicleErrorCode.ProtocolMismatch);
    } finally {
      raw.dispose();
      socket.destroy();
    }
  });

  it('survives a client that sends garbage, and keeps serving the others', async () => {
    const socket = connect(agent.socket);
    await new Promise(resolve => socket.once('connect', resolve));
    socket.on('error', () => undefined); // The agent may close before all of it is written.
    socket.write('Content-Length: 5\r\n\r\n{{{{{not a header at all\r\n\r\n');
    await new Promise(resolve => socket.once('close', resolve));
    const ping = await client.connection.sendRequest(PingRequest.type);
    assert.ok(ping.uptimeMillis >= 0);
    assert.equal(agent.child.exitCode, null);
  });

  it('shuts down when asked, and when its parent goes away', async () => {
    await client.connection.sendRequest(ShutdownRequest.type);
    client.dispose();
    assert.equal(await exited(agent.child), 0);
    const second = await startAgent(dir);
    second.child.stdin!.end();
    assert.equal(await exited(second.child), 0);
  });
});
