import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CPU_TIME_PROFILE_TYPE, SPAN_WALL_TIME_PROFILE_TYPE } from '../../common/profileTypes';
import { waitingShare } from '../../common/labelBreakdown';
import { SPAN_LABEL_KEYS } from '../../common/protocol/probeProtocol';
import { Store } from '../../storage/store';
import { StoreReader } from '../../storage/storeReader';
import { labelBreakdown, queryLabelBreakdown } from '../queries/labels/labelBreakdown';
import { labelValues as storedLabelValues } from '../queries/labels/labelQueries';
import { icicle, icicleSync } from '../../test/support/icicleCli';
import { pollUntil } from '../../test/support/poll';
import { drive, request } from '../../test/support/httpLoad';

/**
 * The probe labels each CPU sample with the OpenTelemetry span it ran in: a real node:http server traced by the
 * OpenTelemetry SDK (test/fixtures/otelServer, its packages installed there by `npm ci --prefix`), profiled by the
 * real probe under `icicle record` into a real store, driven by hundreds of concurrent requests that interleave.
 */

const root = join(__dirname, '..', '..');
const fixture = join(root, 'test', 'fixtures', 'otelServer');
const probe = join(root, 'out', 'agent', 'nodeProbe.js');

interface TopJson {
  profileType?: string;
  totalValue: number;
  functions: { function: string; self: number; total: number }[];
}

function cli(args: string[]): string {
  const run = icicleSync(args, { timeoutMs: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

function top(store: string, where: string[], limit = 5): TopJson {
  return JSON.parse(cli(['top', '--store', store, '--json', '--limit', String(limit), ...where.flatMap(w => ['--where', w])])) as TopJson;
}

function labelValues(store: string, key: string): string[] {
  return JSON.parse(cli(['labels', key, '--store', store, '--json'])) as string[];
}

/** Records the fixture server under `icicle record` while `load` drives it; returns the store. */
async function recordServer(dir: string, args: string[], load: (port: number) => Promise<void>): Promise<string> {
  const store = join(dir, 'store');
  const portFile = join(dir, 'port');
  const recording = icicle(['record', '--store', store, '--', process.execPath, ...args, portFile], { cwd: fixture });
  const port = await pollUntil(() => (existsSync(portFile) ? Number(readFileSync(portFile, 'utf8')) : 0), { timeoutMs: 60_000, what: 'the server to listen' });
  await load(port);
  await request(port, '/done');
  const run = await recording;
  assert.equal(run.code, 0, run.stderr);
  return store;
}

describe('Span labels on the probe’s samples (OpenTelemetry)', function () {
  this.timeout(240_000);
  let dir: string;

  before(function () {
    assert.ok(existsSync(probe), 'build the probe first: node esbuild.mjs --dev');
    assert.ok(existsSync(join(fixture, 'node_modules', '@opentelemetry', 'sdk-node')), 'install the fixture’s packages first: npm ci --prefix test/fixtures/otelServer');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-spans-test-'));
  });
  afterEach(() => (process.env.KEEP ? console.log(dir) : rmSync(dir, { recursive: true, force: true })));

  it('CPU per route follows the handlers’ known 3:1 split, and a trace’s samples hold only its own handler', async () => {
    // 400 requests, heavy and light alternating, 16 in flight: every handler awaits between bursts, so they interleave.
    const paths = Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? '/heavy' : `/light?i=${i}`));
    const store = await recordServer(dir, ['--require', './tracing.js', 'server.js'], port => drive(port, paths, 16));

    const heavy = top(store, [`${SPAN_LABEL_KEYS.httpRoute}=/heavy`]).totalValue;
    const light = top(store, [`${SPAN_LABEL_KEYS.httpRoute}=/light`]).totalValue;
    const share = heavy / (heavy + light);
    // The handlers burn 3 bursts against 1: 75% of the routes' CPU; the HTTP work around them is the same for both.
    assert.ok(Math.abs(share - 0.75) <= 0.075, `/heavy's share of the routes' CPU is ${(share * 100).toFixed(1)}%, expected 75% ± 7.5`);
    // /done has samples in some runs only; /light's requests carry a query string, which is not part of the route.
    assert.deepEqual(labelValues(store, SPAN_LABEL_KEYS.httpRoute).filter(route => route !== '/done').sort(), ['/heavy', '/light']);
    assert.ok(labelValues(store, SPAN_LABEL_KEYS.spanName).every(name => name === 'GET'), 'the local root is the server span');

    // The flame graph's By Label tab (agent/queries/labels/labelBreakdown.ts) says the same of the routes and traces.
    const reader = await StoreReader.open(store);
    const snapshot = reader.snapshot();
    try {
      const cpu = { matchers: [], profileType: CPU_TIME_PROFILE_TYPE };
      const byRoute = await labelBreakdown(snapshot, SPAN_LABEL_KEYS.httpRoute, cpu, 10);
      const routeTotal = (route: string): number => byRoute.shares.find(s => s.value === route)?.total ?? 0;
      const byLabelShare = routeTotal('/heavy') / (routeTotal('/heavy') + routeTotal('/light'));
      assert.ok(Math.abs(byLabelShare - share) < 1e-9, `By Label's /heavy share ${byLabelShare} against top's ${share}`);
      assert.ok(byRoute.shares.some(s => s.value === null), 'the samples outside any request are (none)');
      const summed = byRoute.shares.reduce((sum, s) => sum + s.total, 0) + byRoute.others.total;
      assert.ok(Math.abs(summed - byRoute.total) <= 1e-6 * byRoute.total, 'the routes and (none) add up to the whole');
      const byTrace = await labelBreakdown(snapshot, SPAN_LABEL_KEYS.traceId, cpu, 20);
      assert.equal(byTrace.shares.length, 20);
      // The CPU samples' traces (a request may end with a wall time row but no CPU sample: /done, in some runs).
      const cpuTraces = await storedLabelValues(snapshot, SPAN_LABEL_KEYS.traceId, cpu);
      assert.equal(byTrace.shares.length + byTrace.others.values, cpuTraces.length + 1, 'every trace, and (none), once');
    } finally {
      snapshot.release();
      await reader.close();
    }

    // Each trace's samples: its own handler's functions, never the other route's.
    const traces = labelValues(store, SPAN_LABEL_KEYS.traceId);
    assert.ok(traces.length >= 100, `${traces.length} traces have samples`);
    let checked = 0;
    for (const traceId of traces.slice(0, 30)) {
      const functions = top(store, [`${SPAN_LABEL_KEYS.traceId}=${traceId}`], 50).functions.map(f => f.function);
      const heavyTrace = functions.includes('burnHeavy');
      const lightTrace = functions.includes('burnLight');
      assert.ok(!(heavyTrace && lightTrace), `trace ${traceId} holds both routes' handlers: ${functions.join(', ')}`);
      if (heavyTrace || lightTrace) checked++;
    }
    assert.ok(checked >= 20, `only ${checked} of 30 traces had a handler's samples`);
    // Outside the handlers' spans (the client's idle waits, the server's start) samples carry no span.
    const all = top(store, []).totalValue;
    assert.ok(all > heavy + light, 'samples outside any span are stored too, without span labels');
  });

  it('stores each request’s wall time once, beside its CPU: a handler busy X ms then waiting Y ms is waiting Y/(X+Y)', async () => {
    // One request at a time, so that a request waits only for its timer: busy 20 ms, then a 60 ms timer.
    const requests = 24;
    const busyMs = 20;
    const sleepMs = 60;
    const paths = Array.from({ length: requests }, () => `/wait?cpu=${busyMs}&sleep=${sleepMs}`);
    const store = await recordServer(dir, ['--require', './tracing.js', 'server.js'], port => drive(port, paths, 1));

    const reader = await StoreReader.open(store);
    const snapshot = reader.snapshot();
    let spansWallNs: number;
    try {
      // Exactly one wall row per request: as many /wait spans as requests sent, each trace once.
      const wall = { matchers: [{ key: SPAN_LABEL_KEYS.httpRoute, op: '=' as const, value: '/wait' }], profileType: SPAN_WALL_TIME_PROFILE_TYPE };
      const spans = await labelBreakdown(snapshot, SPAN_LABEL_KEYS.traceId, wall, 1000);
      assert.equal(spans.samples, requests, 'one wall row per request');
      assert.equal(spans.shares.length, requests, 'a trace id per request');
      for (const span of spans.shares) {
        assert.equal(span.samples, 1, `trace ${span.value} has one wall row`);
        // The server span starts before the handler and ends after it answers; a timer fires no earlier than asked.
        assert.ok(span.total >= (busyMs + sleepMs - 1) * 1e6, `trace ${span.value} lasted ${span.total / 1e6} ms, at least ${busyMs + sleepMs} ms`);
      }
      spansWallNs = spans.total;
    } finally {
      snapshot.release();
      await reader.close();
    }

    // The By Label tab's answer, as the agent gives it from its store (opened now that the recording has ended).
    const agentStore = await Store.open(store);
    try {
      // CPU by route: the wall time beside the CPU, and the waiting share as known.
      const byRoute = await queryLabelBreakdown(agentStore, { selector: '', limit: 20 });
      assert.equal(byRoute.profileType, CPU_TIME_PROFILE_TYPE, 'CPU time stays the default type');
      assert.equal(byRoute.key, SPAN_LABEL_KEYS.httpRoute);
      assert.equal(byRoute.wall?.profileType, SPAN_WALL_TIME_PROFILE_TYPE);
      const route = byRoute.shares.find(share => share.value === '/wait');
      assert.ok(route?.wall !== undefined, 'the route has its wall time');
      const cpuMs = route.total / 1000;
      const wallMs = route.wall / 1000;
      const waiting = waitingShare(route.total, route.wall)!;
      const expected = sleepMs / (busyMs + sleepMs);
      // The handler's busy loop is the known CPU; the route's CPU adds the HTTP work around it (parsing, the
      // instrumentation, writing the answer: a few ms a request on this loaded machine).
      const burnMs = (top(store, [`${SPAN_LABEL_KEYS.httpRoute}=/wait`], 50).functions.find(f => f.function === 'burnFor')?.total ?? 0) / 1e6;
      console.log(`      /wait: wall ${wallMs.toFixed(1)} ms · CPU ${cpuMs.toFixed(1)} ms (busy loop ${burnMs.toFixed(1)} ms, expected ${requests * busyMs}) · waiting ${(waiting * 100).toFixed(1)}% (expected ${(expected * 100).toFixed(0)}%)`);
      const expectedCpuMs = requests * busyMs;
      assert.ok(Math.abs(burnMs - expectedCpuMs) <= 0.25 * expectedCpuMs, `the busy loop's CPU under /wait ${burnMs.toFixed(1)} ms, expected ${expectedCpuMs} ms ± 25%`);
      assert.ok(cpuMs >= burnMs && cpuMs <= 1.6 * expectedCpuMs, `the route's CPU ${cpuMs.toFixed(1)} ms: its busy loop and a little HTTP work`);
      assert.ok(Math.abs(wallMs - spansWallNs / 1e6) < 1e-6, 'the column is the sum of the spans\' wall rows');
      assert.ok(wallMs >= requests * (busyMs + sleepMs) - requests, `wall ${wallMs.toFixed(1)} ms, at least ${requests} × ${busyMs + sleepMs} ms`);
      assert.ok(Math.abs(waiting - expected) <= 0.1, `waiting ${(waiting * 100).toFixed(1)}% of /wait's wall time, expected ${(expected * 100).toFixed(0)}% ± 10`);

      // Per trace too: each request's wall beside its CPU.
      const byTrace = await queryLabelBreakdown(agentStore, { selector: `{${SPAN_LABEL_KEYS.httpRoute}="/wait"}`, key: SPAN_LABEL_KEYS.traceId, limit: 100 });
      assert.equal(byTrace.shares.length, requests);
      assert.ok(byTrace.shares.every(share => share.wall !== undefined), 'every request has a wall time');
      // A sample's CPU is the time to the next sample, which a loaded machine can stretch past one request's end: so
      // only the sum is compared, the requests' wall time against their CPU.
      const traceWall = byTrace.shares.reduce((sum, share) => sum + share.wall!, 0);
      const traceCpu = byTrace.shares.reduce((sum, share) => sum + share.total, 0);
      assert.ok(traceWall > traceCpu, `the requests' wall time ${traceWall} µs exceeds their CPU ${traceCpu} µs`);
    } finally {
      await agentStore.close();
    }

    // The type is named for people, and its flame graph is the spans' pseudo-frames.
    const wallTop = top(store, [`${SPAN_LABEL_KEYS.httpRoute}=/wait`]);
    assert.equal(wallTop.profileType, CPU_TIME_PROFILE_TYPE);
    const spansTop = JSON.parse(cli(['top', '--store', store, '--json', '--type', SPAN_WALL_TIME_PROFILE_TYPE, '--where', `${SPAN_LABEL_KEYS.httpRoute}=/wait`])) as TopJson;
    assert.deepEqual(spansTop.functions.map(f => f.function), ['(span GET /wait)']);
  });

  it('a program without OpenTelemetry is profiled as before, with no span labels', async () => {
    const paths = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? '/heavy' : '/light'));
    const store = await recordServer(dir, ['server.js'], port => drive(port, paths, 4));
    const keys = JSON.parse(cli(['labels', '--store', store, '--json'])) as string[];
    for (const key of Object.values(SPAN_LABEL_KEYS)) assert.ok(!keys.includes(key), `${key} is not among ${keys.join(', ')}`);
    assert.ok(top(store, []).functions.some(f => f.function === 'burnHeavy'), 'the handlers are profiled');
  });
});
