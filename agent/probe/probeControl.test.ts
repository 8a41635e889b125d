import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROBE_ENV, SPOOL_SUFFIX } from '../../common/protocol/probeProtocol';
import { exited, startBuiltAgent } from '../../test/support/agentProcess';
import { icicleSync } from '../../test/support/icicleCli';
import { pollUntil } from '../../test/support/poll';

/**
 * The probe's control (PROBE_CONTROL_KEY in common/protocol/probeProtocol.ts), which the extension calls through the
 * debugger: pause, resume and "take the chunk now", in real programs with the real probe and V8's inspector.
 */

const root = join(__dirname, '..', '..');
const probe = join(root, 'out', 'agent', 'nodeProbe.js');

interface SpooledProfile {
  nodes: { id: number; callFrame: { functionName: string } }[];
  samples: number[];
  startTime: number;
  timeDeltas: number[];
}

/** Each sample's time (V8's monotonic clock, microseconds: the clock of `process.hrtime`) and function. */
function timedSamples(profile: SpooledProfile): { at: number; fn: string }[] {
  const nameOf = new Map(profile.nodes.map(node => [node.id, node.callFrame.functionName]));
  let at = profile.startTime;
  return profile.samples.map((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    return { at, fn: nameOf.get(id) ?? '' };
  });
}

describe('the probe control', function () {
  this.timeout(90_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-probe-control-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('pauses at once (no sample after ~100 ms), resumes, and charges the hot callback after a resume', () => {
    // A hot event-loop callback that V8 inlines into processImmediate (on-stack replacement): busy for 1 s, paused
    // through the control for 1.5 s while still busy, resumed for 1.5 s. Chunks are 2 s (the default), so a pause
    // that waited for the next chunk would let ~1 s of samples through.
    const program = join(dir, 'pauses.js');
    const marks = join(dir, 'marks.json');
    writeFileSync(
      program,
      `const control = globalThis[Symbol.for('icicle.probe')];
const now = () => Number(process.hrtime.bigint() / 1000n);
const start = Date.now(); const marks = { states: [] }; let total = 0;
function spinSlice() {
  const d = Date.now() + 20; while (Date.now() < d) for (let i = 1; i < 10000; i++) total += Math.sqrt(i) % 7;
  const t = Date.now() - start;
  if (t > 1000 && marks.pause === undefined) { marks.pause = now(); marks.states.push(control('pause')); }
  if (t > 2500 && marks.resume === undefined) { marks.resume = now(); marks.states.push(control('resume')); }
  if (t < 4000) setImmediate(spinSlice); else require('node:fs').writeFileSync(${JSON.stringify(marks)}, JSON.stringify(marks));
}
setImmediate(spinSlice);
// The control is not enumerable: a program listing its globals does not see it.
if (Object.getOwnPropertySymbols(globalThis).some(s => Object.getOwnPropertyDescriptor(globalThis, s).enumerable && s.description === 'icicle.probe')) throw new Error('enumerable');
if (control('jump') !== 'profiling' || control() !== 'profiling') throw new Error('an unknown command changed something');`,
    );
    const spool = join(dir, 'spool');
    const run = spawnSync(process.execPath, [program], {
      env: { ...process.env, NODE_OPTIONS: `--require ${JSON.stringify(probe)}`, [PROBE_ENV.socket]: join(dir, 'nobody.sock'), [PROBE_ENV.spool]: spool },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    const { pause, resume, states } = JSON.parse(readFileSync(marks, 'utf8')) as { pause: number; resume: number; states: string[] };
    assert.deepEqual(states, ['paused', 'profiling']);
    const profiles = readdirSync(spool)
      .filter(name => name.endsWith(SPOOL_SUFFIX))
      .map(name => (JSON.parse(readFileSync(join(spool, name), 'utf8')) as { profile: SpooledProfile }).profile);
    const samples = profiles.flatMap(timedSamples);
    const before = samples.filter(s => s.at < pause);
    const during = samples.filter(s => s.at > pause + 100_000 && s.at < resume);
    const after = samples.filter(s => s.at >= resume);
    // About 1000 at 1 ms; far fewer on a loaded machine.
    assert.ok(before.length > 100, `${before.length} samples before the pause`);
    assert.equal(during.length, 0, `${during.length} samples were taken while paused`);
    assert.ok(after.length > 500, `${after.length} samples after the resume`);
    // After the resume the profiler is the one that knew the optimized code: the callback, not processImmediate.
    const spin = after.filter(s => s.fn === 'spinSlice').length;
    const immediate = after.filter(s => s.fn === 'processImmediate').length;
    assert.ok(spin > 10 * Math.max(1, immediate), `after the resume: spinSlice ${spin} samples, processImmediate ${immediate}`);
  });

  it('hands over a chunk while another inspector session holds the program at a breakpoint', async () => {
    const store = join(dir, 'store');
    const socket = join(dir, 'agent.sock');
    const { child: agent } = await startBuiltAgent(socket, store);
    // The debugger is a worker thread's session connected to the main thread (a debugger on another thread, as
    // js-debug is in another process): it enables the Debugger domain, the program runs into `debugger;`, and while
    // paused the debugger evaluates the control's pause with `spool`, then waits for the test to let it go on.
    const evaluated = join(dir, 'evaluated.json');
    const letGo = join(dir, 'let-go');
    const continued = join(dir, 'continued');
    const program = join(dir, 'breakpoint.js');
    writeFileSync(
      program,
      `const { Worker } = require('node:worker_threads'); const { writeFileSync } = require('node:fs');
const debuggerThread = \`
const { Session } = require('node:inspector'); const { parentPort } = require('node:worker_threads'); const fs = require('node:fs');
const session = new Session(); session.connectToMainThread();
// A session does not keep a thread alive: the debugger waits until the program lets it go.
setInterval(() => undefined, 1000);
session.on('Debugger.paused', () => {
  const expression = "globalThis[Symbol.for('icicle.probe')]('pause', { spool: true })";
  session.post('Runtime.evaluate', { expression }, (error, answer) => {
    fs.writeFileSync(${JSON.stringify(evaluated)}, JSON.stringify({ at: Date.now(), error: error && error.message, value: answer && answer.result.value }));
    const wait = setInterval(() => { if (fs.existsSync(${JSON.stringify(letGo)})) { clearInterval(wait); session.post('Debugger.resume'); } }, 20);
  });
});
session.post('Debugger.enable', () => parentPort.postMessage('ready'));\`;
const end = Date.now() + 1500; let total = 0;
function spinSlice() {
  const d = Date.now() + 20; while (Date.now() < d) for (let i = 1; i < 10000; i++) total += Math.sqrt(i) % 7;
  if (Date.now() < end) { setImmediate(spinSlice); return; }
  // The debugger thread does not load the probe: no agent socket in its environment.
  const worker = new Worker(debuggerThread, { eval: true, env: { ...process.env, ICICLE_AGENT_SOCKET: '' } });
  worker.on('message', () => {
    debugger;
    writeFileSync(${JSON.stringify(continued)}, String(Date.now()));
    worker.terminate();
  });
}
setImmediate(spinSlice);`,
    );
    const child = spawn(process.execPath, [program], {
      env: {
        ...process.env,
        NODE_OPTIONS: `--require ${JSON.stringify(probe)}`,
        [PROBE_ENV.socket]: socket,
        // A spool folder the agent does not watch: the chunk in the store came through the socket.
        [PROBE_ENV.spool]: join(dir, 'probe-spool'),
        // Chunks far apart: the one stored while paused is the control's.
        [PROBE_ENV.chunkMillis]: '60000',
        [PROBE_ENV.labels]: '{"session_id":"paused-run"}',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', chunk => (stderr += chunk));
    try {
      const answer = await pollUntil(() => (existsSync(evaluated) ? (JSON.parse(readFileSync(evaluated, 'utf8')) as { at: number; error?: string | null; value?: string }) : undefined), { timeoutMs: 30_000, what: `the debugger's evaluation (${stderr})` });
      assert.equal(answer.error ?? undefined, undefined, 'the evaluation failed');
      assert.equal(answer.value, 'paused');
      // The program is still at its breakpoint when its samples are in the store.
      const stored = await pollUntil(
        () => {
          if (!existsSync(store)) return undefined;
          const run = icicleSync(['top', '--store', store, '--json', '--where', 'session_id=paused-run'], { cwd: root, timeoutMs: 30_000 });
          const top = JSON.parse(run.stdout || '{"totalValue":0,"functions":[]}') as { totalValue: number; functions: { function: string; self: number }[] };
          return top.totalValue > 0 ? { top, at: Date.now() } : undefined;
        },
        { timeoutMs: 30_000, what: 'the paused program’s chunk in the store' },
      );
      assert.ok(!existsSync(continued), 'the program went on before its chunk was stored');
      const seen = JSON.stringify(stored.top.functions.slice(0, 5));
      assert.equal(stored.top.functions[0]!.function, 'spinSlice', seen);
      assert.ok(stored.top.functions[0]!.self > 0.5 * stored.top.totalValue, `spinSlice has most of the time: ${seen} of ${stored.top.totalValue}`);
      assert.ok(stored.top.totalValue > 1e9, `the chunk covers ${(stored.top.totalValue / 1e6).toFixed(0)} ms of a 1.5 s run`);
      // The spooled copy is there too, for an agent the socket could not reach in time.
      assert.equal(readdirSync(join(dir, 'probe-spool')).filter(name => name.endsWith(SPOOL_SUFFIX)).length, 1);
      process.stdout.write(`      (stored ${stored.at - answer.at} ms after the evaluation, the program paused)\n`);
      writeFileSync(letGo, '');
      assert.equal(await exited(child), 0, stderr);
      assert.ok(existsSync(continued), 'the program went on after the debugger let it');
    } finally {
      child.kill();
      agent.kill();
      await exited(agent);
    }
  });
});
