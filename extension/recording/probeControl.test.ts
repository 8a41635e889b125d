import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROBE_ENV, SPOOL_SUFFIX } from '../../common/protocol/probeProtocol';
import { controlExpression, loadExpression, readAnswer } from './probeControl';

/**
 * The expressions the extension has the debugger evaluate in a program (probeControl.ts), evaluated in real
 * programs as the debugger does (in the global scope, between two turns of the event loop), with the real probe.
 */

const probe = join(__dirname, '..', '..', 'out', 'agent', 'nodeProbe.js');

describe('the probe control through the debugger', function () {
  this.timeout(60_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-probe-control-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs a busy program that evaluates `expression` once it has been busy for 1.5 s; returns what it answered. */
  function runEvaluating(expression: string, env: Record<string, string> = {}): string {
    const expressionFile = join(dir, 'expression.js');
    writeFileSync(expressionFile, expression);
    const program = join(dir, 'busy.js');
    // The hot callback is optimized, inlined into processImmediate by on-stack replacement, before the probe loads.
    writeFileSync(
      program,
      `const start = Date.now(); let total = 0; let answer;
function spinSlice() {
  const d = Date.now() + 20; while (Date.now() < d) for (let i = 1; i < 10000; i++) total += Math.sqrt(i) % 7;
  if (answer === undefined && Date.now() - start > 1500) answer = (0, eval)(require('node:fs').readFileSync(${JSON.stringify(expressionFile)}, 'utf8'));
  if (Date.now() - start < 4000) setImmediate(spinSlice); else console.log(answer);
}
setImmediate(spinSlice);`,
    );
    const run = spawnSync(process.execPath, [program], { env: { ...process.env, ...env }, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.trim();
  }

  it('loads the probe into a running program, which then charges its hot callback, not processImmediate', () => {
    const spool = join(dir, 'spool');
    const answer = runEvaluating(loadExpression(probe, { NODE_OPTIONS: '--require elsewhere', [PROBE_ENV.socket]: join(dir, 'nobody.sock'), [PROBE_ENV.spool]: spool, [PROBE_ENV.chunkMillis]: '500', [PROBE_ENV.labels]: '{"session_id":"late"}' }));
    assert.equal(answer, 'profiling');
    let spin = 0;
    let immediate = 0;
    const chunks = readdirSync(spool).filter(name => name.endsWith(SPOOL_SUFFIX));
    assert.ok(chunks.length >= 3, `${chunks.length} chunks`);
    for (const name of chunks) {
      const { profile, labels } = JSON.parse(readFileSync(join(spool, name), 'utf8')) as { labels: Record<string, string>; profile: { nodes: { id: number; callFrame: { functionName: string } }[]; samples: number[] } };
      assert.equal(labels['session_id'], 'late');
      const nameOf = new Map(profile.nodes.map(node => [node.id, node.callFrame.functionName]));
      spin += profile.samples.filter(id => nameOf.get(id) === 'spinSlice').length;
      immediate += profile.samples.filter(id => nameOf.get(id) === 'processImmediate').length;
    }
    // A profiler created after the callback was optimized charged every sample to processImmediate (0 against ~1000).
    assert.ok(spin > 10 * Math.max(1, immediate), `spinSlice ${spin} samples, processImmediate ${immediate}`);
  });

  it('answers without throwing, with or without a probe', () => {
    assert.equal(runEvaluating(controlExpression('pause')), 'absent');
    assert.deepEqual(readAnswer("'paused'"), { state: 'paused' });
    assert.deepEqual(readAnswer('"profiling"'), { state: 'profiling' });
    assert.deepEqual(readAnswer("'absent'"), { problem: 'the program has no Icicle probe' });
    assert.deepEqual(readAnswer("'failed: no module loader'"), { problem: 'no module loader' });
    assert.match((readAnswer(42) as { problem: string }).problem, /the debugger answered "42"/);
  });
});
