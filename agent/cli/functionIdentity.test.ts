import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { corpusDir } from '../../test/support/corpus';
import { icicle } from '../../test/support/icicleCli';

/** `node --cpu-prof` of the TypeScript compiler: its _tsc.js defines two functions named onEnter, and many closures. */
const tscProfile = join(corpusDir(), 'generated', 'tsc-small.cpuprofile.gz');
const TSC = /\/typescript\/lib\/_tsc\.js$/;
/** Where V8 says the two onEnter functions are defined (callFrame lineNumber + 1). */
const ON_ENTER_LINES = [43432, 79682];


interface TopRow {
  function: string;
  file: string;
  line: number;
  column: number;
  self: number;
  total: number;
}

/**
 * Functions told apart by name, file and definition (common/functionIdentity.ts) on a real profile, through every
 * output of the command line: two functions named onEnter in one file are two rows, each at its own line, and the
 * compiler's anonymous closures are one row each, not one row at line 1.
 */
describe('functions told apart in the command line (tsc profile)', function () {
  this.timeout(300_000);
  let dir: string;
  let store: string;
  let top: TopRow[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-identity-'));
    store = join(dir, 'store');
    const imported = await icicle(['import', '--store', store, '--label', 'program=tsc', tscProfile]);
    assert.equal(imported.code, 0, imported.stderr);
    const run = await icicle(['top', '--store', store, '--limit', '100000', '--json']);
    assert.equal(run.code, 0, run.stderr);
    top = (JSON.parse(run.stdout) as { functions: TopRow[] }).functions;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('top: two onEnter rows, each at its own definition', async () => {
    const onEnter = top.filter(r => r.function === 'onEnter' && TSC.test(r.file));
    assert.deepEqual(onEnter.map(r => r.line).sort((a, b) => a - b), ON_ENTER_LINES);
    assert.ok(onEnter.every(r => r.total > 0));
    const text = await icicle(['top', '--store', store, '--limit', '100000']);
    for (const line of ON_ENTER_LINES) assert.match(text.stdout, new RegExp(`  onEnter \\S+/_tsc\\.js:${line}\\n`));
  });

  it('top: anonymous closures of one file are one row each, named by their position', async () => {
    const anonymous = top.filter(r => r.function === '(anonymous)' && TSC.test(r.file));
    const positions = new Set(anonymous.map(r => `${r.line}:${r.column}`));
    assert.ok(anonymous.length > 20, `${anonymous.length} anonymous functions in _tsc.js`);
    assert.equal(positions.size, anonymous.length, 'no two rows at one position');
    assert.ok(anonymous.every(r => r.line > 0 && r.column > 0));
    const text = await icicle(['top', '--store', store, '--limit', '100000']);
    const first = anonymous[0]!;
    assert.match(text.stdout, new RegExp(`  \\(anonymous\\) \\S+/_tsc\\.js:${first.line}:${first.column}\\n`));
  });

  it('diff: two onEnter changes, each with its own line', async () => {
    const run = await icicle(['diff', '--store', store, '--base', 'program=tsc', '--head', 'program=tsc', '--format', 'json', '--limit', '100000']);
    // One profile a side is too few runs to test (exit 3), but every function is still listed with its figures.
    assert.equal(run.code, 3, run.stderr);
    const changes = (JSON.parse(run.stdout) as { changes: { name: string; file: string; line: number; b: { mean: number } }[] }).changes;
    const onEnter = changes.filter(c => c.name === 'onEnter' && TSC.test(c.file));
    assert.deepEqual(onEnter.map(c => c.line).sort((a, b) => a - b), ON_ENTER_LINES);
    const text = await icicle(['diff', '--store', store, '--base', 'program=tsc', '--head', 'program=tsc', '--limit', '100000']);
    for (const line of ON_ENTER_LINES) assert.match(text.stdout, new RegExp(` onEnter \\S+/_tsc\\.js:${line}\\n`));
  });

  it('exports: two pprof Functions named onEnter with their start lines; collapsed frames that say which', async () => {
    const pprofFile = join(dir, 'tsc.pb.gz');
    const collapsedFile = join(dir, 'tsc.collapsed');
    assert.equal((await icicle(['export', '--store', store, '--format', 'pprof', '--out', pprofFile])).code, 0);
    assert.equal((await icicle(['export', '--store', store, '--format', 'collapsed', '--out', collapsedFile])).code, 0);
    const profile = Profile.decode(gunzipSync(readFileSync(pprofFile)));
    const text = (index: number | bigint): string => profile.stringTable.strings[Number(index)]!;
    const onEnter = profile.function.filter(f => text(f.name) === 'onEnter' && TSC.test(text(f.filename)));
    assert.deepEqual(onEnter.map(f => Number(f.startLine)).sort((a, b) => a - b), ON_ENTER_LINES);
    const frames = new Set(readFileSync(collapsedFile, 'utf8').split('\n').flatMap(line => line.replace(/ [\d.]+$/, '').split(';')));
    assert.ok(!frames.has('onEnter'), 'a bare onEnter would say neither');
    for (const line of ON_ENTER_LINES) assert.ok([...frames].some(f => new RegExp(`^onEnter \\(\\S+/_tsc\\.js:${line}\\)$`).test(f)), `onEnter at ${line}`);
    assert.ok(!frames.has('(anonymous)'));
    assert.ok([...frames].some(f => /^\(anonymous\) \(\S+\/_tsc\.js:\d+:\d+\)$/.test(f)));
  });
});
