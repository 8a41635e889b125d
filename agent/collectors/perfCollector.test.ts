import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectToAgent } from '../../common/agentConnection';
import { exited, startBuiltAgent } from '../../test/support/agentProcess';
import { buildHotGoProgram } from '../../test/support/nativeFixture';
import { sourceCosts } from '../queries/source/sourceCosts';
import { StoreReader } from '../../storage/storeReader';
import { ProfileProcessRequest, RecordingEndedNotification, SamplesStoredNotification, StopSessionRequest } from '../../common/protocol/agentProtocol';
import { icicleSync } from '../../test/support/icicleCli';
import { pollUntil } from '../../test/support/poll';

/**
 * Native processes profiled with Linux perf, for real: a Go program (symbols and frame pointers, so its hot
 * function has a name in perf's stacks) recorded by `icicle record` and by the agent attaching to its pid.
 */


function icicle(args: string[], env: NodeJS.ProcessEnv = process.env): { status: number | null; stdout: string; stderr: string } {
  return icicleSync(args, { env });
}

function topFunctions(store: string, where: string[] = []): { function: string; self: number }[] {
  const run = icicle(['top', '--store', store, '--json', '--limit', '5', ...where.flatMap(w => ['--where', w])]);
  assert.equal(run.status, 0, run.stderr);
  return (JSON.parse(run.stdout) as { functions: { function: string; self: number }[] }).functions;
}

function labelValues(store: string, key: string): string[] {
  const run = icicle(['labels', key, '--store', store, '--json']);
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as string[];
}

describe('perf collector', function () {
  this.timeout(180_000);
  let dir: string;
  let hot: string;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'icicle-perf-test-'));
    hot = buildHotGoProgram(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('icicle record runs a native command under perf: its hot function on top, labelled native, with its source lines', async () => {
    const store = join(dir, 'record-store');
    const run = icicle(['record', '--store', store, '--', hot, '-ms', '1500']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^burned \d+$/m);
    const top = topFunctions(store);
    assert.equal(top[0]!.function, 'main.burn');
    assert.ok(top[0]!.self > 1e9, `main.burn has ${top[0]!.self} ns of a 1.5 s burn`);
    assert.deepEqual(labelValues(store, 'runtime'), ['native']);
    // The binary's debug information gives main.burn its file and the lines its samples were executing.
    const reader = await StoreReader.open(store);
    try {
      const costs = await sourceCosts(reader.snapshot(), { matchers: [] });
      const file = costs.files.find(f => f.file.endsWith('test/fixtures/native/hot.go'));
      assert.ok(file, `no costs for hot.go; files: ${costs.files.map(f => f.file).join(', ')}`);
      const burn = file.functions.find(f => f.name === 'main.burn');
      const source = readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'native', 'hot.go'), 'utf8').split('\n');
      const declared = source.findIndex(line => line.startsWith('func burn(')) + 1;
      const end = source.findIndex((line, i) => i >= declared && line === '}') + 1;
      assert.ok(burn && burn.line >= declared && burn.line <= end, `main.burn at line ${burn?.line}, declared at ${declared}`);
      const hottest = [...file.lines].sort((a, b) => b.self - a.self)[0]!;
      assert.ok(hottest.line > declared && hottest.line < end, `the hottest line ${hottest.line} is in burn's body (${declared}–${end})`);
    } finally {
      await reader.close();
    }
  });

  it('says what to install when perf is missing', () => {
    const run = icicle(['record', '--store', join(dir, 'no-perf-store'), '--', hot, '-ms', '10'], { ...process.env, PATH: dir });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /perf is not installed\. On Debian or Ubuntu: `sudo apt install linux-perf`/);
  });

  it('the agent attaches perf to a running process in windows, streams them, and ends with the process', async () => {
    const store = join(dir, 'agent-store');
    const socket = join(dir, 'agent.sock');
    const { child: agent } = await startBuiltAgent(socket, store);
    // The program burns until the test has seen two windows stored, however slowly perf starts on a loaded machine,
    // and is then ended, which must end the recording.
    const program = spawn(hot, ['-ms', '120000'], { stdio: 'ignore' });
    const client = await connectToAgent(socket, 'extension', 'test');
    try {
      const stored: number[] = [];
      client.connection.onNotification(SamplesStoredNotification.type, params => stored.push(params.rows));
      const ended = new Promise<string>(resolve => client.connection.onNotification(RecordingEndedNotification.type, params => resolve(params.sessionId)));
      const { sessionId } = await client.connection.sendRequest(ProfileProcessRequest.type, { pid: program.pid!, labels: { launch_config: 'hot' }, windowSeconds: 1 });
      await pollUntil(() => stored.length >= 2, { timeoutMs: 90_000, what: 'two windows stored as they ended' });
      program.kill('SIGTERM');
      assert.equal(await ended, sessionId, 'the recording ends when the process exits');
      await exited(program);
      assert.equal(topFunctions(store, [`session_id=${sessionId}`])[0]!.function, 'main.burn');
      assert.deepEqual(labelValues(store, 'pid'), [String(program.pid)]);
      assert.deepEqual(labelValues(store, 'launch_config'), ['hot']);
      // A pid that is not there is refused with a sentence.
      await assert.rejects(client.connection.sendRequest(ProfileProcessRequest.type, { pid: 999_999_99, labels: {} }), /There is no process 99999999 to profile/);
    } finally {
      client.dispose();
      program.kill();
      agent.kill();
      await exited(agent);
    }
  });

  it('stopping the session stops perf and keeps what it recorded', async () => {
    const store = join(dir, 'stop-store');
    const socket = join(dir, 'stop.sock');
    const { child: agent } = await startBuiltAgent(socket, store);
    const program = spawn(hot, ['-ms', '60000'], { stdio: 'ignore' });
    const client = await connectToAgent(socket, 'extension', 'test');
    try {
      const ended = new Promise<string>(resolve => client.connection.onNotification(RecordingEndedNotification.type, params => resolve(params.sessionId)));
      let samples = 0;
      const firstWindow = new Promise<void>(resolve =>
        client.connection.onNotification(SamplesStoredNotification.type, params => {
          samples += params.rows;
          resolve();
        }),
      );
      const { sessionId } = await client.connection.sendRequest(ProfileProcessRequest.type, { pid: program.pid!, labels: {}, windowSeconds: 1 });
      await firstWindow;
      await client.connection.sendRequest(StopSessionRequest.type, { sessionId });
      assert.equal(await ended, sessionId);
      assert.equal(program.exitCode, null, 'the program keeps running');
      assert.ok(samples > 0);
      assert.equal(topFunctions(store)[0]!.function, 'main.burn');
    } finally {
      client.dispose();
      program.kill();
      agent.kill();
      await exited(agent);
    }
  });
});
