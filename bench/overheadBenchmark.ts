import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PROBE_ENV } from '../common/protocol/probeProtocol';
import type { Benchmark, Fields } from './benchmarkDoc';
import { measureSpansOverhead } from './spansOverhead';
import { median } from './storage/benchTiming';

/**
 * The Node.js probe's cost to the program it profiles: a CPU-bound workload (a TypeScript-compiler-like mix of
 * object allocation, string work and recursion, in event-loop slices as real programs run) timed with and without
 * the probe, alternating runs so drift hits both sides alike. The probe streams to a real agent process on a real
 * store; then with allocation sampling too (`alloc_overhead_pct`), and the heap sampler's own share measured in one
 * process, immune to load (`alloc_sampler_pct`). Also: the agent's RSS and CPU time while it ingests
 * a 1 ms profile for the length of the runs. Last, what OpenTelemetry span labels cost a traced server
 * (`spans_overhead_pct`, bench/spansOverhead.ts): ICICLE_OVERHEAD_SPANS_PAIRS alternated pairs, 7 unless set.
 */
const RUNS = 9;
const SPANS_PAIRS = Number(process.env.ICICLE_OVERHEAD_SPANS_PAIRS ?? 7);
/**
 * About six seconds of work: long enough that the probe's start (about 10 ms) is not what is measured, and that a
 * chunk is taken and streamed at the default period (2 s) while it runs.
 */
const SLICES = 4500;
const INTERVALS_MICROS = [1000, 500];

const WORKLOAD = `
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
function words(n) { const out = []; for (let i = 0; i < n; i++) out.push(('w' + (i * 2654435761 % 1000)).toUpperCase()); return out.sort().join(',').length; }
function objects(n) { let sum = 0; for (let i = 0; i < n; i++) { const o = { a: i, b: [i, i + 1], c: { d: String(i) } }; sum += o.b[1] + o.c.d.length; } return sum; }
let slices = Number(process.argv[2]);
const started = process.hrtime.bigint();
(function slice() {
  fib(22); words(4000); objects(20000);
  if (--slices > 0) setImmediate(slice);
  else { const cpu = process.cpuUsage(); process.stdout.write(Number(process.hrtime.bigint() - started) / 1e6 + ' ' + (cpu.user + cpu.system) / 1e3); }
})();
`;

/**
 * The heap sampler's cost on the allocating thread, immune to the machine's load drifting: in one process, batches of
 * WORKLOAD's functions alternate between sampling on (as the probe samples: 512 KiB, collected objects kept) and off;
 * prints the median of each on-batch's time over the off-batch's before it, as a percentage above 1.
 */
const INTERLEAVED = `
const { Session } = require('node:inspector');
const session = new Session(); session.connect();
const post = (method, params) => session.post(method, params ?? {}, () => undefined);
${WORKLOAD.split('\n').filter(line => line.startsWith('function ')).join('\n')}
function batch() { const t = process.hrtime.bigint(); for (let k = 0; k < 40; k++) { fib(22); words(4000); objects(20000); } return Number(process.hrtime.bigint() - t); }
post('HeapProfiler.enable');
const ratios = [];
for (let i = 0; i < 40; i++) {
  const off = batch();
  post('HeapProfiler.startSampling', { samplingInterval: 512 * 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  const on = batch();
  post('HeapProfiler.stopSampling');
  ratios.push(on / off);
}
ratios.sort((a, b) => a - b);
process.stdout.write(String((ratios[ratios.length >> 1] - 1) * 100));
`;

/**
 * One run of the workload: its wall time, and its process's CPU time (every thread's, so V8's sampler thread and
 * the probe's serialisation count). Wall time is what the user waits; CPU time barely moves when other processes
 * share the cores, so it still measures the probe's cost on a loaded machine.
 */
interface RunTimes {
  wallMs: number;
  cpuMs: number;
}

function timeRun(script: string, env: NodeJS.ProcessEnv): RunTimes {
  const run = spawnSync(process.execPath, [script, String(SLICES)], { env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`the workload failed: ${run.stderr}`);
  const [wallMs, cpuMs] = run.stdout.trim().split(' ').map(Number);
  return { wallMs: wallMs!, cpuMs: cpuMs! };
}

/** The overhead of the probed runs over the plain ones, in percent of the median. */
function overheadPct(without: readonly number[], withProbe: readonly number[]): number {
  return (median(withProbe) / median(without) - 1) * 100;
}

export async function runOverheadBenchmark(): Promise<Fields> {
  const dir = mkdtempSync(join(tmpdir(), 'icicle-bench-overhead-'));
  const script = join(dir, 'workload.js');
  writeFileSync(script, WORKLOAD);
  const probe = join(__dirname, '..', 'out', 'agent', 'nodeProbe.js');
  const socket = join(dir, 'agent.sock');
  const agent = spawn(process.execPath, [join(__dirname, '..', 'out', 'agent', 'main.js'), '--socket', socket, '--store', join(dir, 'store'), '--log-level', 'warn'], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>(resolve => createInterface({ input: agent.stdout! }).once('line', () => resolve()));
  const fields: Fields = {};
  let probedMs = 0;
  try {
    console.log(`Node.js probe overhead: a CPU-bound workload with and without the probe, ${RUNS} alternated runs each (median)`);
    const plain = { ...process.env, NODE_OPTIONS: '' };
    // A warm-up run with the probe, then RUNS pairs without and with it, alternated so that load drifts over both.
    const alternate = (probed: NodeJS.ProcessEnv) => {
      probedMs += timeRun(script, probed).wallMs;
      const without: RunTimes[] = [];
      const withProbe: RunTimes[] = [];
      for (let i = 0; i < RUNS; i++) {
        without.push(timeRun(script, plain));
        withProbe.push(timeRun(script, probed));
        probedMs += withProbe[withProbe.length - 1]!.wallMs;
      }
      const wall = (runs: RunTimes[]) => runs.map(r => r.wallMs);
      const cpu = (runs: RunTimes[]) => runs.map(r => r.cpuMs);
      return {
        withoutMs: median(wall(without)),
        withMs: median(wall(withProbe)),
        overhead: overheadPct(wall(without), wall(withProbe)),
        cpuOverhead: overheadPct(cpu(without), cpu(withProbe)),
      };
    };
    const line = (what: string, r: ReturnType<typeof alternate>, target: string) =>
      console.log(`  ${what.padEnd(38)} ${r.withoutMs.toFixed(0).padStart(6)} ms without, ${r.withMs.toFixed(0).padStart(6)} ms with: overhead ${r.overhead.toFixed(1)}% (CPU time ${r.cpuOverhead.toFixed(1)}%)   ${target}`);
    const round = (pct: number) => Math.round(pct * 10) / 10;
    for (const interval of INTERVALS_MICROS) {
      const probed = { ...process.env, NODE_OPTIONS: `--require ${JSON.stringify(probe)}`, [PROBE_ENV.socket]: socket, [PROBE_ENV.intervalMicros]: String(interval), [PROBE_ENV.spool]: join(dir, 'spool') };
      const r = alternate(probed);
      const isDefault = interval === 1000;
      line(`sampling every ${String(interval).padStart(4)} µs${isDefault ? ' (default)' : ''}`, r, isDefault ? `target ≤ 3%: ${r.overhead <= 3 ? 'PASS' : 'MISS'}` : '');
      const name = isDefault ? 'overhead' : `overhead_${interval}us`;
      fields[`${name}_pct`] = round(r.overhead);
      fields[`${name}_cpu_pct`] = round(r.cpuOverhead);
    }
    {
      // CPU sampling at the default interval and allocation sampling at its default (512 KiB), as `icicle record
      // --allocations` runs: the workload allocates about 0.15 GB/s, so V8 takes about 300 stacks a second.
      const probed = { ...process.env, NODE_OPTIONS: `--require ${JSON.stringify(probe)}`, [PROBE_ENV.socket]: socket, [PROBE_ENV.spool]: join(dir, 'spool'), [PROBE_ENV.allocations]: '1' };
      const r = alternate(probed);
      line('CPU and allocations', r, `target ≤ 5%: ${r.overhead <= 5 ? 'PASS' : 'MISS'}`);
      fields['alloc_overhead_pct'] = round(r.overhead);
      fields['alloc_overhead_cpu_pct'] = round(r.cpuOverhead);
      // The heap sampler's own share, measured so that load drifts over both sides alike (see INTERLEAVED).
      const interleavedScript = join(dir, 'interleaved.js');
      writeFileSync(interleavedScript, INTERLEAVED);
      const shares: number[] = [];
      for (let i = 0; i < 5; i++) {
        const run = spawnSync(process.execPath, [interleavedScript], { env: plain, encoding: 'utf8' });
        if (run.status !== 0) throw new Error(`the interleaved workload failed: ${run.stderr}`);
        shares.push(Number(run.stdout));
      }
      const share = median(shares);
      console.log(`  the heap sampler alone, batches interleaved in one process (5 runs of 40 pairs, median): ${share.toFixed(1)}%`);
      fields['alloc_sampler_pct'] = Math.round(share * 10) / 10;
    }
    // utime and stime (fields 14 and 15 of /proc/PID/stat, in clock ticks of 1/100 s) and the resident set.
    const stat = readFileSync(`/proc/${agent.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const cpuSeconds = (Number(stat[11]) + Number(stat[12])) / 100;
    const rssMb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${agent.pid}/status`, 'utf8'))?.[1]) / 1024;
    const probedSeconds = probedMs / 1000;
    console.log(`  agent, having stored every probed run above (about ${probedSeconds.toFixed(0)} s of profiling): RSS ${rssMb.toFixed(0)} MB, CPU ${cpuSeconds.toFixed(2)} s (${((cpuSeconds / probedSeconds) * 100).toFixed(1)}% of one core)`);
    fields['agent_cpu_pct'] = Math.round((cpuSeconds / probedSeconds) * 1000) / 10;
    fields['agent_rss_mb'] = Math.round(rssMb);
  } finally {
    agent.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  Object.assign(fields, await measureSpansOverhead(SPANS_PAIRS));
  return fields;
}

/**
 * The overheads are already ratios to the same program without the probe, measured in the same run; the traced
 * server's times with span labels on are shown beside the same times with them off.
 */
export const overheadBenchmark: Benchmark = { run: runOverheadBenchmark, peersOf: field => (/^spans_(cpu|wall)_ms$/.test(field) ? [field.replace(/^spans_/, 'spans_off_')] : []) };
