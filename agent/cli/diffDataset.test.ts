import * as assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Store } from '../../storage/store';
import { StoreReader } from '../../storage/storeReader';
import { writeDatasetWithDuckDB } from '../../test/support/duckdbDatasetWriter';
import { icicleSync } from '../../test/support/icicleCli';

/** A program with one function whose own cost is `slowMs` and two that stay the same (as diffCommand.test.ts's). */
const program = (slowMs: number): string => `'use strict';
function parse() { const end = Date.now() + 150; let x = 0; while (Date.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(i); return x; }
function render() { const end = Date.now() + 150; let x = 0; while (Date.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(i); return x; }
function slow(ms) { const end = Date.now() + ms; let x = 0; while (Date.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(i); return x; }
console.log(parse() + render() + slow(${slowMs}));
`;

const RUNS = 5;
/** The base's label value: non-ASCII and quoted, through the command line, DuckDB and back. */
const BASE = 'mäin "CI" 🧊';

type Report = { baseDataset?: string; changes: { name: string; file: string; verdict: string; deltaPercent: number | null }[]; failing: string[]; a: { runs: number }; b: { runs: number } };

/**
 * `icicle diff --base-dataset`, as a developer runs it against CI's runs: CI recorded the main branch and wrote its
 * samples as a Parquet dataset (here by DuckDB, test/support/duckdbDatasetWriter.ts, from the store's rows); the laptop's
 * store holds only the branch's runs. The comparison must be the one `icicle diff` makes with both sides in one
 * store — the same verdicts, figures and exit codes — although the dataset's frames and stacks are its own ids and
 * its runs were recorded in another checkout. A missing, damaged or newer dataset exits 4 with a sentence.
 */
describe('icicle diff --base-dataset: the base from a Parquet dataset, the head from the store', function () {
  this.timeout(600_000);
  let dir: string;
  /** Every run, as one store: the reference. */
  let store: string;
  /** The laptop's store: the same runs without the base's. */
  let laptop: string;
  let dataset: string;
  const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@example.com', ...args], { cwd, encoding: 'utf8' });
  const record = (checkout: string, side: string) => {
    const run = icicleSync(['record', '--store', store, '--label', `side=${side}`, '--', process.execPath, 'src/program.js'], { cwd: checkout });
    assert.equal(run.status, 0, run.stderr);
  };
  const oneStore = (head: string, ...more: string[]) => icicleSync(['diff', '--store', store, '--base', `side=${BASE}`, '--head', `side=${head}`, ...more]);
  const fromDataset = (head: string, ...more: string[]) => icicleSync(['diff', '--store', laptop, '--base-dataset', dataset, '--base', `side=${BASE}`, '--head', `side=${head}`, ...more]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-diff-dataset-'));
    store = join(dir, 'store');
    const origin = join(dir, 'origin');
    mkdirSync(join(origin, 'src'), { recursive: true });
    writeFileSync(join(origin, 'src', 'program.js'), program(150));
    git(origin, 'init', '-q', '-b', 'main');
    git(origin, 'add', '.');
    git(origin, 'commit', '-qm', 'the program');
    git(dir, 'clone', '-q', origin, 'ci');
    git(dir, 'clone', '-q', origin, 'laptop');
    for (let i = 0; i < RUNS; i++) {
      record(join(dir, 'ci'), BASE);
      record(join(dir, 'laptop'), 'same');
    }
    writeFileSync(join(dir, 'laptop', 'src', 'program.js'), program(300));
    git(join(dir, 'laptop'), 'commit', '-qam', 'slow is twice as slow');
    for (let i = 0; i < RUNS; i++) record(join(dir, 'laptop'), 'slower');
    // CI's dataset: the base's samples only, written by DuckDB.
    dataset = join(dir, 'ci-dataset');
    const written = await StoreReader.read(store, async reader => writeDatasetWithDuckDB(reader.snapshot(), dataset, { selection: { matchers: [{ key: 'side', op: '=', value: BASE }] } }));
    assert.ok(written.samples > 100, `${written.samples} base samples`);
    // The laptop: the same store without the base's runs.
    laptop = join(dir, 'laptop-store');
    cpSync(store, laptop, { recursive: true });
    const writable = await Store.open(laptop);
    assert.equal(await writable.deleteWhere({ matchers: [{ key: 'side', op: '=', value: BASE }] }), written.samples);
    await writable.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the laptop store has no base runs of its own', () => {
    const run = icicleSync(['diff', '--store', laptop, '--base', `side=${BASE}`, '--head', 'side=same']);
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /no runs match --base/);
  });

  for (const head of ['same', 'slower']) {
    it(`base from the dataset against ${head}: the same exit code, verdicts and per-function figures as one store`, () => {
      const expected = oneStore(head, '--format', 'json', '--fdr', '1%');
      const actual = fromDataset(head, '--format', 'json', '--fdr', '1%');
      assert.equal(actual.status, expected.status, actual.stderr);
      const { baseDataset, ...report } = JSON.parse(actual.stdout) as Report;
      assert.equal(baseDataset, dataset);
      assert.deepEqual(report, JSON.parse(expected.stdout));
      assert.equal(report.a.runs, RUNS);
      assert.ok(report.changes.length >= 3);
      // Text and markdown: the same lines, but for where the base came from.
      const text = fromDataset(head, '--fdr', '1%', '--limit', '1000');
      const lines = text.stdout.split('\n');
      assert.equal(lines[0], oneStore(head, '--fdr', '1%', '--limit', '1000').stdout.split('\n')[0]!.replace(/^(base .*?): /, `$1 from the dataset ${dataset}: `));
      assert.deepEqual(lines.slice(1), oneStore(head, '--fdr', '1%', '--limit', '1000').stdout.split('\n').slice(1));
      assert.match(fromDataset(head, '--format', 'markdown').stdout, new RegExp(`^Base .* from the dataset .*ci-dataset: ${RUNS} run\\(s\\)`, 'm'));
    });
  }

  it("round trip: icicle export --format parquet of CI's store, then diff --base-dataset, is one store's diff", () => {
    const exported = join(dir, 'exported');
    const run = icicleSync(['export', '--format', 'parquet', '--out', exported, '--store', store, '--where', `side=${BASE}`]);
    assert.equal(run.status, 0, run.stderr);
    for (const head of ['same', 'slower']) {
      const expected = oneStore(head, '--format', 'json', '--fdr', '1%');
      const actual = icicleSync(['diff', '--store', laptop, '--base-dataset', exported, '--base', `side=${BASE}`, '--head', `side=${head}`, '--format', 'json', '--fdr', '1%']);
      assert.equal(actual.status, expected.status, actual.stderr);
      const { baseDataset, ...report } = JSON.parse(actual.stdout) as Report;
      assert.equal(baseDataset, exported);
      assert.deepEqual(report, JSON.parse(expected.stdout));
    }
  });

  it('hostile function and file names (controls, bidirectional overrides, zero-width characters) survive the dataset', async () => {
    const hostileStore = join(dir, 'hostile-store');
    const hostileDataset = join(dir, 'hostile-dataset');
    for (const name of ['controlCharacters', 'escapingPaths']) {
      const run = icicleSync(['import', '--store', hostileStore, '--label', 'side=hostile', join(__dirname, '..', '..', 'test', 'fixtures', 'hostile', `${name}.cpuprofile`)]);
      assert.equal(run.status, 0, run.stderr);
    }
    await StoreReader.read(hostileStore, async reader => writeDatasetWithDuckDB(reader.snapshot(), hostileDataset));
    for (const format of ['json', 'text', 'markdown']) {
      const args = ['--base', 'side=hostile', '--head', 'side=hostile', '--format', format, '--limit', '1000'];
      const expected = icicleSync(['diff', '--store', hostileStore, ...args]);
      const actual = icicleSync(['diff', '--store', hostileStore, '--base-dataset', hostileDataset, ...args]);
      // Two imported files a side: too few runs to test (exit 3), every function listed all the same.
      assert.equal(actual.status, 3, actual.stderr);
      assert.equal(actual.status, expected.status);
      if (format === 'json') {
        const { baseDataset: _, ...report } = JSON.parse(actual.stdout) as Report;
        assert.deepEqual(report, JSON.parse(expected.stdout));
        assert.ok(report.changes.some(c => c.name === 'bell\u0007escape\u001b[2Jclear\u009b31mcsi'), 'the hostile name, as it is, in JSON');
      } else {
        assert.deepEqual(actual.stdout.split('\n').filter(l => !/ from the dataset /.test(l)), expected.stdout.split('\n').filter(l => !/^(\*\*)?[Bb]ase /.test(l)));
        const unsafe = ['\u0007', '\u001b', '\u009b', '\u202e', '\u200b'].filter(ch => actual.stdout.includes(ch));
        assert.deepEqual(unsafe, [], 'no control or format character reaches the terminal');
      }
    }
  });

  it('finds the function made twice as slow, exits 1 and names it; the same code is within noise', () => {
    const slower = fromDataset('slower', '--threshold', '20%', '--format', 'json');
    assert.equal(slower.status, 1, slower.stderr);
    const report = JSON.parse(slower.stdout) as Report;
    assert.deepEqual(report.failing, ['slow']);
    const slow = report.changes[0]!;
    assert.equal(slow.file, 'src/program.js', 'named relative to its checkout on both sides');
    assert.ok(slow.deltaPercent! > 60 && slow.deltaPercent! < 140, `slow changed by ${slow.deltaPercent}%`);
    const same = fromDataset('same', '--format', 'json', '--fdr', '1%');
    assert.equal(same.status, 0, same.stdout);
    const unchanged = JSON.parse(same.stdout) as Report;
    assert.deepEqual(unchanged.failing, []);
    for (const name of ['parse', 'render', 'slow']) {
      const change = unchanged.changes.find(c => c.name === name);
      assert.equal(change?.file, 'src/program.js', `${name} is one function on both sides`);
      assert.equal(change?.verdict, 'unchanged');
    }
  });

  it('a dataset that is missing, of another version or damaged: a sentence and exit 4, never a stack trace', () => {
    const broken = (name: string, damage: (copy: string) => void): string => {
      const copy = join(dir, name);
      cpSync(dataset, copy, { recursive: true });
      damage(copy);
      return copy;
    };
    const samplesFile = (copy: string) => join(copy, 'samples', readdirSync(join(copy, 'samples'), { recursive: true, encoding: 'utf8' }).find(f => f.endsWith('.parquet'))!);
    const cases: [string, RegExp][] = [
      [join(dir, 'no-such-dataset'), /^icicle: There is no dataset in \S+no-such-dataset: the folder does not exist\.$/m],
      [store, /^icicle: \S+store is not an Icicle dataset: it has no _icicle\/dataset\.json/m],
      [broken('v2', c => writeFileSync(join(c, '_icicle', 'dataset.json'), '{"format":"icicle-parquet-dataset","version":2}')), /^icicle: The dataset in \S+v2 is of version 2; this Icicle reads version 1: a newer Icicle wrote it, update Icicle to read it\.$/m],
      [broken('garbage', c => writeFileSync(samplesFile(c), 'not parquet at all')), /^icicle: The dataset in \S+garbage is damaged: samples\/profile_type=\S+\.parquet is not a readable Parquet file/m],
      [broken('no-frames', c => rmSync(join(c, 'frames'), { recursive: true })), /^icicle: The dataset in \S+no-frames is damaged: its stacks refer to frame -?\d+, which no file of frames\/ holds\.$/m],
    ];
    for (const [path, pattern] of cases) {
      const run = icicleSync(['diff', '--store', laptop, '--base-dataset', path, '--base', `side=${BASE}`, '--head', 'side=same']);
      assert.equal(run.status, 4, `${path}: ${run.stderr}`);
      assert.match(run.stderr, pattern);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(run.stdout, '');
    }
  });

  it('a base selection the dataset lacks is a usage error naming the dataset (exit 2)', () => {
    const run = icicleSync(['diff', '--store', laptop, '--base-dataset', dataset, '--base', 'side=nobody', '--head', 'side=same']);
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /^icicle: no runs match --base \{side="nobody"\} in the dataset \S+ci-dataset$/m);
  });
});
