import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPAN_LABEL_KEYS } from '../../../../common/protocol/probeProtocol';
import { icicleSync } from '../../../../test/support/icicleCli';
import { goToolAvailable } from '../../../../test/support/goPprofTool';

/**
 * Go programs label CPU samples with their span the way the Node.js probe does (SPAN_LABEL_KEYS), so one
 * `--where trace_id=…` finds a request's CPU in a Go pprof as in a recorded Node.js run: a real Go program
 * (test/fixtures/native/spans/main.go) profiles itself with runtime/pprof while it runs a heavy request under
 * `pprof.Do(ctx, pprof.Labels("trace_id", …, "span_id", …))` and a light one with the goroutine labels Pyroscope's
 * otel-profiling-go sets (`span_id`, `span_name`), three units of work to one, in alternating slices, and a third
 * with the label old Pyroscope versions gave the span id (`profile_id`, which the import's own label would hide). The pprof is
 * imported by `icicle import` (needs `node esbuild.mjs --dev`) and queried by `icicle top --where`.
 */
describe('pprof span labels from a real Go program (pprof.Do, Pyroscope span profiles)', function () {
  this.timeout(180_000);
  let dir: string;
  let store: string;

  interface TopJson {
    totalValue: number;
    functions: { function: string; self: number; total: number }[];
  }
  const cli = (args: string[]): string => {
    const run = icicleSync(args, { timeoutMs: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout;
  };
  const top = (where: string[]): TopJson => JSON.parse(cli(['top', '--store', store, '--json', '--limit', '20', ...where.flatMap(w => ['--where', w])])) as TopJson;
  const names = (t: TopJson): string[] => t.functions.filter(f => f.self > 0).map(f => f.function);

  before(function () {
    if (!goToolAvailable()) throw new Error('go is not installed (scripts/setup.sh installs golang-go): this test builds a Go program');
    dir = mkdtempSync(join(tmpdir(), 'icicle-go-spans-'));
    store = join(dir, 'store');
    const binary = join(dir, 'spans');
    const build = spawnSync('go', ['build', '-o', binary, join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'native', 'spans', 'main.go')], { encoding: 'utf8', timeout: 180_000 });
    assert.equal(build.status, 0, `go build failed: ${build.stderr}`);
    const profile = join(dir, 'spans.pprof');
    // 60 rounds: about 3 s of CPU, 300 samples at Go's 100 Hz, so sampling noise on the 75% share is about 2.5%.
    const run = spawnSync(binary, [profile, '60'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, `the Go program failed: ${run.stderr}`);
    cli(['import', '--store', store, profile]);
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("lands pprof.Do's trace_id and span_id, and Pyroscope's span_id and span_name, on the probe's label keys", () => {
    const keys = JSON.parse(cli(['labels', '--store', store, '--json'])) as string[];
    for (const key of [SPAN_LABEL_KEYS.traceId, SPAN_LABEL_KEYS.spanId, SPAN_LABEL_KEYS.spanName]) assert.ok(keys.includes(key), `${key} is among ${keys.join(', ')}`);
    assert.deepEqual(JSON.parse(cli(['labels', SPAN_LABEL_KEYS.traceId, '--store', store, '--json'])), ['4bf92f3577b34da6a3ce929d0e0e4736']);
    assert.deepEqual((JSON.parse(cli(['labels', SPAN_LABEL_KEYS.spanId, '--store', store, '--json'])) as string[]).sort(), ['00f067aa0ba902b7', 'b7ad6b7169203331', 'e457b5a2e4d86bd1']);
    assert.deepEqual(JSON.parse(cli(['labels', SPAN_LABEL_KEYS.spanName, '--store', store, '--json'])), ['GET /light']);
  });

  it("a trace's selection holds only that trace's functions, and the split is the work's 3:1 within ±10%", () => {
    const heavy = top([`${SPAN_LABEL_KEYS.traceId}=4bf92f3577b34da6a3ce929d0e0e4736`]);
    const light = top([`${SPAN_LABEL_KEYS.spanId}=b7ad6b7169203331`]);
    assert.ok(names(heavy).includes('main.spin'), names(heavy).join(', '));
    assert.ok(heavy.functions.some(f => f.function === 'main.burnHeavy'), 'burnHeavy is on the heavy trace');
    assert.ok(!heavy.functions.some(f => f.function === 'main.burnLight'), `the heavy trace holds burnLight: ${heavy.functions.map(f => f.function).join(', ')}`);
    assert.ok(light.functions.some(f => f.function === 'main.burnLight'), 'burnLight is on the light span');
    assert.ok(!light.functions.some(f => f.function === 'main.burnHeavy'), `the light span holds burnHeavy: ${light.functions.map(f => f.function).join(', ')}`);
    const old = top([`${SPAN_LABEL_KEYS.spanId}=e457b5a2e4d86bd1`]);
    assert.deepEqual(
      old.functions.filter(f => f.function.startsWith('main.burn')).map(f => f.function),
      ['main.burnOld'],
      "old Pyroscope's span (profile_id) holds only its own work",
    );
    // The same selection through the span name Pyroscope gives the local root span.
    assert.equal(top([`${SPAN_LABEL_KEYS.spanName}=GET /light`]).totalValue, light.totalValue);
    const share = heavy.totalValue / (heavy.totalValue + light.totalValue);
    console.log(`      heavy trace ${(share * 100).toFixed(1)}% of the labelled CPU (${heavy.totalValue / 1e6} ms vs ${light.totalValue / 1e6} ms)`);
    assert.ok(Math.abs(share - 0.75) <= 0.075, `the heavy trace has ${(share * 100).toFixed(1)}% of the labelled CPU (${heavy.totalValue} vs ${light.totalValue}), not 75% ± 7.5`);
  });

  it('icicle top --by span_id gives each span the total icicle top --where finds for it, and the rest as (none)', () => {
    const byLabel = JSON.parse(cli(['top', '--store', store, '--json', '--by', SPAN_LABEL_KEYS.spanId])) as { totalValue: number; values: { value: string | null; total: number }[] };
    assert.deepEqual(byLabel.values.map(v => v.value).filter(v => v !== null).sort(), ['00f067aa0ba902b7', 'b7ad6b7169203331', 'e457b5a2e4d86bd1']);
    for (const v of byLabel.values) assert.equal(v.total, top([`${SPAN_LABEL_KEYS.spanId}=${v.value ?? ''}`]).totalValue, `span ${v.value ?? '(none)'}`);
    assert.equal(byLabel.totalValue, top([]).totalValue);
    assert.equal(byLabel.values.reduce((sum, v) => sum + v.total, 0), byLabel.totalValue);
  });
});
