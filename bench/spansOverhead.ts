import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROBE_ENV } from '../common/protocol/probeProtocol';
import { icicle } from '../test/support/icicleCli';
import { pollUntil } from '../test/support/poll';
import type { Fields } from './benchmarkDoc';
import { median } from './storage/benchTiming';

/**
 * What labelling samples with OpenTelemetry spans costs a traced server under load (`spans_overhead_pct`, issue 21's
 * target ≤ 5%), part of `npm run bench -- overhead`: the fixture server (test/fixtures/otelServer, traced by the
 * OpenTelemetry SDK with the HTTP instrumentation) recorded by `icicle record` into a real store, driven by concurrent
 * requests, with span labelling on and off (PROBE_ENV.spans), runs alternated so the machine's drift hits both alike.
 * The figure is the server's CPU time for the same requests (it answers /done with it), median on over median off;
 * the wall time to serve them is measured beside it. Handlers burn little (BURST_ITERATIONS), so the per-callback cost
 * of the hooks is not hidden by the work: a worst case among realistic servers. Needs the built CLI and the fixture's
 * packages (`npm ci --prefix test/fixtures/otelServer`).
 */

const fixture = join(__dirname, '..', 'test', 'fixtures', 'otelServer');
const REQUESTS = 2000;
const CONCURRENCY = 32;
const BURST_ITERATIONS = '20000';

function request(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, response => {
      let body = '';
      response.on('data', chunk => (body += String(chunk)));
      response.on('end', () => resolve(body));
      response.on('error', reject);
    }).on('error', reject);
  });
}

/** One recorded run of the server: its CPU time and the wall time to serve REQUESTS, milliseconds. */
async function run(spans: boolean): Promise<{ cpuMs: number; wallMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'icicle-spans-bench-'));
  try {
    const portFile = join(dir, 'port');
    const env = { ...process.env, [PROBE_ENV.spans]: spans ? '1' : '0', BURST_ITERATIONS };
    const recording = icicle(['record', '--store', join(dir, 'store'), '--', process.execPath, '--require', './tracing.js', 'server.js', portFile], { cwd: fixture, env });
    const port = await pollUntil(() => (existsSync(portFile) ? Number(readFileSync(portFile, 'utf8')) : 0), { timeoutMs: 60_000, what: 'the server to listen' });
    // The CPU time is the server's since its start: its start and warm-up are the same on both sides.
    const started = process.hrtime.bigint();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < REQUESTS) await request(port, next++ % 2 === 0 ? '/heavy' : '/light');
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const cpuMs = Number(await request(port, '/done')) / 1000;
    const done = await recording;
    if (done.code !== 0) throw new Error(`icicle record failed: ${done.stderr}`);
    return { cpuMs, wallMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The spans part of `npm run bench -- overhead`: its printout, and its figures (null when not measurable here). */
export async function measureSpansOverhead(pairs: number): Promise<Fields> {
  if (!Number.isInteger(pairs) || pairs < 1) throw new Error(`ICICLE_OVERHEAD_SPANS_PAIRS must be a whole number of pairs, 1 or more (it is ${pairs}).`);
  if (!existsSync(join(fixture, 'node_modules', '@opentelemetry', 'sdk-node'))) {
    const note = 'not measured: the traced server needs its packages, `npm ci --prefix test/fixtures/otelServer`';
    console.log(`OpenTelemetry span labels: ${note}`);
    return { spans_overhead_pct: null, spans_overhead_note: note };
  }
  console.log(`OpenTelemetry span labels: a traced server, ${REQUESTS} light requests ${CONCURRENCY} at a time, spans on and off, ${pairs} alternated pairs (median)`);
  const on: { cpuMs: number; wallMs: number }[] = [];
  const off: { cpuMs: number; wallMs: number }[] = [];
  for (let i = 0; i < pairs; i++) {
    // Alternated, and which goes first alternates too.
    for (const spans of i % 2 === 0 ? [false, true] : [true, false]) (spans ? on : off).push(await run(spans));
  }
  const cpuOn = median(on.map(r => r.cpuMs));
  const cpuOff = median(off.map(r => r.cpuMs));
  const wallOn = median(on.map(r => r.wallMs));
  const wallOff = median(off.map(r => r.wallMs));
  const pct = (a: number, b: number): number => Math.round((a / b - 1) * 1000) / 10;
  // Also the median of each pair's ratio: a pair ran back to back, so a load change between pairs cancels out.
  const paired = Math.round(median(on.map((r, i) => r.cpuMs / off[i]!.cpuMs - 1)) * 1000) / 10;
  const overhead = pct(cpuOn, cpuOff);
  console.log(`  server CPU time   ${cpuOff.toFixed(0).padStart(6)} ms off, ${cpuOn.toFixed(0).padStart(6)} ms on: overhead ${overhead.toFixed(1)}% (median of paired ratios ${paired.toFixed(1)}%)   target ≤ 5%: ${overhead <= 5 ? 'PASS' : 'MISS'}`);
  console.log(`  wall time         ${wallOff.toFixed(0).padStart(6)} ms off, ${wallOn.toFixed(0).padStart(6)} ms on: ${pct(wallOn, wallOff).toFixed(1)}% (shares the cores with the load generator and the agent)`);
  return {
    spans_overhead_pct: overhead,
    spans_overhead_paired_pct: paired,
    spans_cpu_ms: Math.round(cpuOn),
    spans_off_cpu_ms: Math.round(cpuOff),
    spans_wall_ms: Math.round(wallOn),
    spans_off_wall_ms: Math.round(wallOff),
  };
}
