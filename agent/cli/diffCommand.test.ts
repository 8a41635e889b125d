import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const cli = join(root, 'out', 'agent', 'icicle.js');

function icicle(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A program with one function whose own cost is the argument (ms) and two that stay the same. */
const PROGRAM = `'use strict';
function parse() { const end = Date.now() + 150; let x = 0; while (Date.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(i); return x; }
function render() { const end = Date.now() + 150; let x = 0; while (Date.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(i); return x; }
function slow(ms) { const end = Date.now() + ms; let x = 0; while (Date.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(i); return x; }
console.log(parse() + render() + slow(Number(process.argv[2])));
`;

/**
 * `icicle diff` on real recorded runs: three per branch, the feature branch's `slow` twice as slow. The regression
 * is found and fails the command; runs of the same code do not (their differences are noise).
 */
describe('icicle diff', function () {
  this.timeout(300_000);
  let dir: string;
  let store: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-diff-'));
    store = join(dir, 'store');
    const program = join(dir, 'program.js');
    writeFileSync(program, PROGRAM);
    for (const [branch, slowMs] of [['main', 150], ['feature', 300], ['again', 150]] as const) {
      for (let i = 0; i < 3; i++) {
        const run = icicle(['record', '--store', store, '--label', `branch=${branch}`, '--', process.execPath, program, String(slowMs)]);
        assert.equal(run.status, 0, run.stderr);
      }
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the function twice as slow as a significant regression and exits 1', () => {
    const run = icicle(['diff', '--store', store, '--base', 'branch=main', '--head', 'branch=feature', '--threshold', '20%', '--format', 'json']);
    assert.equal(run.status, 1, run.stderr);
    const report = JSON.parse(run.stdout) as { changes: { name: string; verdict: string; deltaPercent: number }[]; failing: string[]; a: { runs: number } };
    assert.equal(report.a.runs, 3);
    assert.deepEqual(report.failing, ['slow']);
    const slow = report.changes[0]!;
    assert.equal(slow.name, 'slow');
    assert.ok(slow.deltaPercent > 60 && slow.deltaPercent < 140, `slow changed by ${slow.deltaPercent}%`);
    for (const name of ['parse', 'render']) assert.equal(report.changes.find(c => c.name === name)?.verdict, 'unchanged', `${name} did not change`);
    const text = icicle(['diff', '--store', store, '--base', 'branch=main', '--head', 'branch=feature', '--threshold', '20%']);
    assert.match(text.stdout, /^regression +\+\d+\.\d% .* slow /m);
    assert.match(text.stdout, /1 significant regression above 20%: slow \+\d+\.\d%\./);
    const markdown = icicle(['diff', '--store', store, '--base', 'branch=main', '--head', 'branch=feature', '--format', 'markdown']);
    assert.match(markdown.stdout, /^\| 🔺 regression \| slow \S*program\.js:4 \| \+\d+\.\d% /m);
  });

  it('exits 0 for runs of the same code, and when the regression is below the threshold', () => {
    const same = icicle(['diff', '--store', store, '--base', 'branch=main', '--head', 'branch=again', '--format', 'json']);
    assert.equal(same.status, 0, same.stdout);
    assert.deepEqual((JSON.parse(same.stdout) as { failing: string[] }).failing, []);
    assert.equal(icicle(['diff', '--store', store, '--base', 'branch=main', '--head', 'branch=feature', '--threshold', '500%']).status, 0);
  });

  it('exits 2 on usage errors, saying what is wrong', () => {
    const missing = icicle(['diff', '--store', store, '--base', 'branch=main']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /diff needs --head k=v/);
    const nobody = icicle(['diff', '--store', store, '--base', 'branch=main', '--head', 'branch=nobody']);
    assert.equal(nobody.status, 2);
    assert.match(nobody.stderr, /no runs match --head \{branch="nobody"\}/);
    assert.equal(icicle(['diff', '--store', store, '--base', 'branch=main', '--head', 'branch=feature', '--threshold', 'lots']).status, 2);
  });
});
