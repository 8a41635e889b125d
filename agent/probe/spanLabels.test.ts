import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CPU_TIME_PROFILE_TYPE } from '../../common/profileTypes';
import { SPAN_LABEL_KEYS } from '../../common/protocol/probeProtocol';
import { StoreReader } from '../../storage/storeReader';
import { labelBreakdown } from '../queries/labels/labelBreakdown';
import { icicle, icicleSync } from '../../test/support/icicleCli';
import { pollUntil } from '../../test/support/poll';

/**
 * The probe labels each CPU sample with the OpenTelemetry span it ran in: a real node:http server traced by the
 * OpenTelemetry SDK (test/fixtures/otelServer, its packages installed there by `npm ci --prefix`), profiled by the
 * real probe under `icicle record` into a real store, driven by hundreds of concurrent requests that interleave.
 */

const root = join(__dirname, '..', '..');
const fixture = join(root, 'test', 'fixtures', 'otelServer');
const probe = join(root, 'out', 'agent', 'nodeProbe.js');

interface TopJson {
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

function request(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, response => {
      response.resume();
      response.on('end', resolve);
      response.on('error', reject);
    }).on('error', reject);
  });
}

/** Sends every path, `concurrency` at a time, so that requests of both routes are in flight together. */
async function drive(port: number, paths: readonly string[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) await request(port, paths[next++]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
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
      assert.equal(byTrace.shares.length + byTrace.others.values, labelValues(store, SPAN_LABEL_KEYS.traceId).length + 1, 'every trace, and (none), once');
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

  it('a program without OpenTelemetry is profiled as before, with no span labels', async () => {
    const paths = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? '/heavy' : '/light'));
    const store = await recordServer(dir, ['server.js'], port => drive(port, paths, 4));
    const keys = JSON.parse(cli(['labels', '--store', store, '--json'])) as string[];
    for (const key of Object.values(SPAN_LABEL_KEYS)) assert.ok(!keys.includes(key), `${key} is not among ${keys.join(', ')}`);
    assert.ok(top(store, []).functions.some(f => f.function === 'burnHeavy'), 'the handlers are profiled');
  });
});
