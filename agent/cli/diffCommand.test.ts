import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { icicleSync } from '../../test/support/icicleCli';

const root = join(__dirname, '..', '..');

function icicle(args: string[], cwd = root): { status: number | null; stdout: string; stderr: string } {
  return icicleSync(args, { cwd });
}

/** A program with one function whose own cost is `slowMs` and two that stay the same. */
const program = (slowMs: number): string => `'use strict';
function parse() { const end = Date.now() + 150; let x = 0; while (Date.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(i); return x; }
function render() { const end = Date.now() + 150; let x = 0; while (Date.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(i); return x; }
function slow(ms) { const end = Date.now() + ms; let x = 0; while (Date.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(i); return x; }
console.log(parse() + render() + slow(${slowMs}));
`;

const RUNS = 5;
type Report = { changes: { name: string; file: string; verdict: string; deltaPercent: number | null }[]; failing: string[]; a: { runs: number }; tooFewRuns: boolean };

/**
 * `icicle diff` as a CI job uses it: the base and the head are two checkouts of the repository in two directories,
 * each recorded `RUNS` times with `icicle record` into a fresh store, then compared. The same code in two checkouts
 * is within noise (exit 0: its files line up because each run is labelled with its checkout's root); a function
 * made twice as slow on the head fails the job (exit 1) naming it; one run a side is too few to tell (exit 3).
 */
describe('icicle diff in CI, two checkouts', function () {
  this.timeout(600_000);
  let dir: string;
  let store: string;
  const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@example.com', ...args], { cwd, encoding: 'utf8' });
  const record = (checkout: string, side: string, times: number) => {
    for (let i = 0; i < times; i++) {
      const run = icicle(['record', '--store', store, '--label', `side=${side}`, '--', process.execPath, 'src/program.js'], checkout);
      assert.equal(run.status, 0, run.stderr);
    }
  };
  const diff = (base: string, head: string, ...more: string[]) => icicle(['diff', '--store', store, '--base', `side=${base}`, '--head', `side=${head}`, ...more]);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-diff-'));
    store = join(dir, 'store');
    // The repository, and the two checkouts a CI job makes of it (the base branch and the pull request's head).
    const origin = join(dir, 'origin');
    mkdirSync(join(origin, 'src'), { recursive: true });
    writeFileSync(join(origin, 'src', 'program.js'), program(150));
    git(origin, 'init', '-q', '-b', 'main');
    git(origin, 'add', '.');
    git(origin, 'commit', '-qm', 'the program');
    git(dir, 'clone', '-q', origin, 'base');
    git(dir, 'clone', '-q', origin, 'head');
    // Alternating, as README's CI steps do, so that a machine slowing down slows both sides alike.
    for (let i = 0; i < RUNS; i++) {
      record(join(dir, 'base'), 'base', 1);
      record(join(dir, 'head'), 'same', 1);
    }
    writeFileSync(join(dir, 'head', 'src', 'program.js'), program(300));
    git(join(dir, 'head'), 'commit', '-qam', 'slow is twice as slow');
    record(join(dir, 'head'), 'slower', RUNS);
    record(join(dir, 'base'), 'once-base', 1);
    record(join(dir, 'head'), 'once-head', 1);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the same code in two checkouts within noise and exits 0', () => {
    // At the default 5% false discovery rate identical code fails about 3 gates in 100 (the simulation in
    // compareRuns.test.ts proves the rate); this test is about the checkouts lining up, so it asks for 1% and flakes
    // less. Were the files named by checkout, every function would be new on one side at any rate.
    const json = diff('base', 'same', '--format', 'json', '--fdr', '1%');
    assert.equal(json.status, 0, json.stdout);
    const report = JSON.parse(json.stdout) as Report;
    assert.equal(report.a.runs, RUNS);
    assert.deepEqual(report.failing, []);
    for (const name of ['parse', 'render', 'slow']) {
      const change = report.changes.find(c => c.name === name);
      assert.equal(change?.file, 'src/program.js', `${name} is named relative to its checkout`);
      assert.equal(change?.verdict, 'unchanged');
    }
    const absolute = report.changes.filter(c => c.file.includes(dir));
    assert.deepEqual(absolute, [], 'no function is named by its checkout, where it would be new on one side and gone on the other');
    // Every row: with nothing changed, the order is the noise's, and slow need not be among the first 20.
    const text = diff('base', 'same', '--fdr', '1%', '--limit', '1000');
    assert.equal(text.status, 0);
    assert.match(text.stdout, /^within noise +[+−]\d+\.\d% .* slow src\/program\.js:\d+$/m);
    assert.match(text.stdout, /No significant regression above 5%; the rest is within noise\./);
    assert.match(diff('base', 'same', '--format', 'markdown', '--fdr', '1%', '--limit', '1000').stdout, /^\| {2}within noise \| slow src\/program\.js:\d+ \| /m);
  });

  it('finds the function twice as slow on the head, exits 1 and names it', () => {
    const json = diff('base', 'slower', '--threshold', '20%', '--format', 'json');
    assert.equal(json.status, 1, json.stdout);
    const report = JSON.parse(json.stdout) as Report;
    assert.deepEqual(report.failing, ['slow']);
    const slow = report.changes[0]!;
    assert.equal(slow.name, 'slow');
    assert.ok(slow.deltaPercent! > 60 && slow.deltaPercent! < 140, `slow changed by ${slow.deltaPercent}%`);
    // Nothing else changed as much. (Beside a real change, a false discovery among the others is allowed at the 5% rate,
    // so their verdicts are not asserted; their size is.)
    for (const name of ['parse', 'render']) {
      const change = report.changes.find(c => c.name === name)!;
      assert.ok(Math.abs(change.deltaPercent!) < slow.deltaPercent! / 2, `${name} changed by ${change.deltaPercent}%`);
    }
    const text = diff('base', 'slower', '--threshold', '20%');
    assert.match(text.stdout, /^regression +\+\d+\.\d% .* slow src\/program\.js:\d+$/m);
    assert.match(text.stdout, /1 significant regression above 20%: slow \+\d+\.\d%\./);
    const markdown = diff('base', 'slower', '--format', 'markdown');
    assert.match(markdown.stdout, /^\| 🔺 regression \| slow src\/program\.js:\d+ \| \+\d+\.\d% /m);
    assert.equal(diff('base', 'slower', '--threshold', '500%').status, 0, 'a regression below the threshold passes');
  });

  it('exits 3 with one run a side, or fewer than --min-runs: a gate that could not test does not pass', () => {
    const once = diff('once-base', 'once-head');
    assert.equal(once.status, 3, once.stdout);
    assert.match(once.stdout, /Too few runs to tell: 1 base and 1 head run\(s\); record at least 3 on each side/);
    const json = JSON.parse(diff('once-base', 'once-head', '--format', 'json').stdout) as Report;
    assert.equal(json.tooFewRuns, true);
    assert.equal(diff('base', 'same', '--min-runs', String(RUNS + 1), '--fdr', '1%').status, 3);
    assert.equal(diff('base', 'same', '--min-runs', '1').status, 2);
  });

  it('exits 2 on usage errors, saying what is wrong', () => {
    const missing = icicle(['diff', '--store', store, '--base', 'side=base']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /diff needs --head k=v/);
    const nobody = diff('base', 'nobody');
    assert.equal(nobody.status, 2);
    assert.match(nobody.stderr, /no runs match --head \{side="nobody"\}/);
    assert.doesNotMatch(nobody.stderr, /repeat it/);
    // Two labels joined by a comma are one label whose value holds the comma: the message says how to give both.
    const joined = icicle(['diff', '--store', store, '--base', 'side=base', '--head', 'side=slower,commit=abc']);
    assert.equal(joined.status, 2);
    assert.match(joined.stderr, /no runs match --head \{side="slower,commit=abc"\}; --head takes one label: for several, repeat it \(--head side=slower --head commit=abc\)$/m);
    assert.equal(diff('base', 'slower', '--threshold', 'lots').status, 2);
    assert.equal(diff('base', 'slower', '--fdr', '0').status, 2);
  });

  it('exits 4 when it cannot read the store: a gate that could not compare is neither a pass nor a regression', () => {
    const file = join(store, '..', 'not-a-store');
    writeFileSync(file, 'a file where the store should be');
    const broken = icicle(['diff', '--store', file, '--base', 'side=base', '--head', 'side=same']);
    assert.equal(broken.status, 4, broken.stderr);
    assert.match(broken.stderr, /^icicle: /);
    assert.doesNotMatch(broken.stderr, /\n\s+at /, 'no stack trace');
  });
});
