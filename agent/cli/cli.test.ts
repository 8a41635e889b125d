import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusDir } from '../../test/support/corpus';
import { icicle } from '../../test/support/icicleCli';

const corpus = corpusDir();



describe('the icicle command line', function () {
  this.timeout(60_000);
  let dir: string;
  let store: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-cli-'));
    store = join(dir, 'store');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints help for itself and every command, and exits 2 on usage errors', async () => {
    const help = await icicle(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Commands:\n {2}import FILE/);
    for (const command of ['import', 'top', 'export', 'labels']) {
      const run = await icicle([command, '--help']);
      assert.equal(run.code, 0);
      assert.match(run.stdout, new RegExp(`usage: icicle ${command}`));
    }
    const unknown = await icicle(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    const badOption = await icicle(['top', '--store', store, '--limit', 'lots']);
    assert.equal(badOption.code, 2);
    assert.match(badOption.stderr, /--limit must be a positive whole number\nRun icicle top --help/);
  });

  it('imports profiles with labels, once each, and reports a bad file without stopping', async () => {
    writeFileSync(join(dir, 'broken.cpuprofile'), '{"nodes": [');
    const run = await icicle(['import', '--store', store, '--label', 'branch=main', join(corpus, 'cpuprofile', 'sucrase.cpuprofile'), join(dir, 'broken.cpuprofile')]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /sucrase\.cpuprofile: cpuprofile, \d+ rows/);
    assert.match(run.stderr, /broken\.cpuprofile: broken\.cpuprofile is not a readable V8 CPU profile: it is not valid JSON/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack traces');
    const again = await icicle(['import', '--store', store, join(corpus, 'cpuprofile', 'sucrase.cpuprofile')]);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already in the store/);
  });

  it('lists label keys and values', async () => {
    const keys = await icicle(['labels', '--store', store]);
    assert.equal(keys.code, 0, keys.stderr);
    assert.deepEqual(keys.stdout.trim().split('\n'), ['branch', 'format', 'profile_id', 'source']);
    const values = await icicle(['labels', 'source', '--store', store, '--json']);
    assert.deepEqual(JSON.parse(values.stdout), ['sucrase.cpuprofile']);
  });

  it('shows the top functions with self and total, as text and as JSON, for a selection', async () => {
    const json = await icicle(['top', '--store', store, '--where', 'branch=main', '--limit', '5', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const top = JSON.parse(json.stdout) as { profileType: string; functions: { function: string; self: number; total: number; selfPercent: number; file: string; line: number }[] };
    assert.equal(top.profileType, 'process_cpu:cpu:nanoseconds:cpu:nanoseconds');
    assert.equal(top.functions.length, 5);
    for (let i = 1; i < 5; i++) assert.ok(top.functions[i - 1]!.self >= top.functions[i]!.self);
    assert.ok(top.functions.every(f => f.total >= f.self));
    const text = await icicle(['top', '--store', store, '--limit', '3']);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^CPU time \(process_cpu:cpu:nanoseconds:cpu:nanoseconds\) — total [\d.]+ (ms|s)\n\s+self\s+self%\s+total\s+total%\s+function\n/);
    const none = await icicle(['top', '--store', store, '--where', '{branch="nope"}', '--json']);
    assert.deepEqual(JSON.parse(none.stdout).functions, []);
  });

  it('exports a selection as collapsed stacks and as pprof', async () => {
    const collapsed = join(dir, 'out.folded');
    const run = await icicle(['export', '--store', store, '--format', 'collapsed', '--out', collapsed, '--where', 'branch=main']);
    assert.equal(run.code, 0, run.stderr);
    const lines = readFileSync(collapsed, 'utf8').trim().split('\n');
    assert.ok(lines.length > 10);
    assert.ok(lines.every(line => /^.+ \d+$/.test(line)));
    const pprof = join(dir, 'out.pb.gz');
    const exported = await icicle(['export', '--store', store, '--format', 'pprof', '--out', pprof]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.ok(existsSync(pprof));
    const bad = await icicle(['export', '--store', store, '--format', 'svg', '--out', pprof]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--format must be pprof, collapsed, otlp or parquet, not "svg"/);
  });

  it('exports a trace as OTLP profiles that import again with the same CPU and span labels', async () => {
    const otlpStore = join(dir, 'otlp-store');
    const golden = join(__dirname, '..', 'import', 'formats', 'testdata', 'otlp', 'spans.otlp.pb');
    assert.equal((await icicle(['import', '--store', otlpStore, golden])).code, 0);
    const out = join(dir, 'trace.otlp.pb');
    const where = ['--where', 'trace_id=4bf92f3577b34da6a3ce929d0e0e4736'];
    const run = await icicle(['export', '--store', otlpStore, '--format', 'otlp', '--out', out, ...where]);
    assert.equal(run.code, 0, run.stderr);
    const again = join(dir, 'otlp-again');
    const imported = await icicle(['import', '--store', again, out]);
    assert.match(imported.stdout, /: otlp, 2 rows/);
    const top = async (storeDir: string): Promise<unknown> => JSON.parse((await icicle(['top', '--store', storeDir, '--json', ...where])).stdout);
    assert.deepEqual(await top(again), await top(otlpStore));
    const spans = await icicle(['labels', 'span_id', '--store', again, '--json']);
    assert.deepEqual(JSON.parse(spans.stdout), ['00f067aa0ba902b7']);
  });

  it('says clearly when the store does not exist', async () => {
    const run = await icicle(['top', '--store', join(dir, 'nowhere')]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /is not an Icicle store/);
  });
});
