import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CPU_TIME_PROFILE_TYPE, IDLE_TIME_PROFILE_TYPE } from '../../common/profileTypes';
import { icicleSync as icicle } from '../../test/support/icicleCli';



/**
 * Computes for about the argument's milliseconds, then waits a second with nothing to do, and writes what the
 * process measured of itself: its CPU time (process.cpuUsage) and how much of the computing phase it spent off the
 * CPU (wall minus CPU time there), which V8's sampler, running on the wall clock, still counts as the running code.
 */
const PROGRAM = `'use strict';
const [, , ms, out] = process.argv;
const wall0 = performance.now();
const cpu0 = process.cpuUsage();
function compute(ms) { const end = performance.now() + ms; let x = 0; while (performance.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(i); return x; }
const result = compute(Number(ms));
const computeCpu = process.cpuUsage(cpu0);
const descheduledMs = performance.now() - wall0 - (computeCpu.user + computeCpu.system) / 1000;
setTimeout(() => {
  const cpu = process.cpuUsage();
  require('fs').writeFileSync(out, JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, descheduledMs, result }));
}, 1000);
`;

/**
 * The CPU time of a recorded run is the CPU time the program used, not inflated by the time it then waited: V8's
 * `(idle)` samples go to Idle time (agent/import/idleTime.ts).
 */
describe('icicle record: CPU time excludes idle waiting', function () {
  this.timeout(180_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'icicle-idle-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a program that computes 600 ms and then waits 1 s: CPU time is its process CPU time, Idle time the wait', () => {
    const program = join(dir, 'program.js');
    const measured = join(dir, 'measured.json');
    const store = join(dir, 'store');
    writeFileSync(program, PROGRAM);
    const run = icicle(['record', '--store', store, '--', process.execPath, program, '600', measured]);
    assert.equal(run.status, 0, run.stderr);
    const { cpuMs, descheduledMs } = JSON.parse(readFileSync(measured, 'utf8')) as { cpuMs: number; descheduledMs: number };
    const totalMs = (type: string): number => {
      const top = icicle(['top', '--store', store, '--type', type, '--json']);
      assert.equal(top.status, 0, top.stderr);
      return (JSON.parse(top.stdout) as { totalValue: number }).totalValue / 1e6;
    };
    const cpuTotal = totalMs(CPU_TIME_PROFILE_TYPE);
    const measuredText = `the process measured ${cpuMs.toFixed(0)} ms of CPU (${descheduledMs.toFixed(0)} ms descheduled)`;
    // Start-up before the probe, the probe's own work and a busy machine's descheduling are the tolerance.
    const tolerance = 0.2 * cpuMs + 150 + Math.max(0, descheduledMs);
    assert.ok(Math.abs(cpuTotal - cpuMs) <= tolerance, `CPU time ${cpuTotal.toFixed(0)} ms, ${measuredText}: off by more than ${tolerance.toFixed(0)} ms`);
    const idleTotal = totalMs(IDLE_TIME_PROFILE_TYPE);
    console.log(`      CPU time ${cpuTotal.toFixed(0)} ms, Idle time ${idleTotal.toFixed(0)} ms; ${measuredText}`);
    assert.ok(idleTotal >= 800 && idleTotal <= 1500, `Idle time ${idleTotal.toFixed(0)} ms: not the second's wait`);
  });
});
