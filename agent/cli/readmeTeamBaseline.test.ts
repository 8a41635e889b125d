import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ICICLE_BIN } from '../../test/support/icicleCli';

/** A benchmark with one function whose own cost is `slowMs` and two that stay the same. */
const bench = (slowMs: number): string => `'use strict';
function parse() { const end = Date.now() + 120; let x = 0; while (Date.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(i); return x; }
function render() { const end = Date.now() + 120; let x = 0; while (Date.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(i); return x; }
function slow(ms) { const end = Date.now() + ms; let x = 0; while (Date.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(i); return x; }
console.log(parse() + render() + slow(${slowMs}));
`;

/** The README's shell blocks under "A team baseline", in order: the CI job, then the developer's diff. */
function teamBaselineBlocks(): string[] {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const start = readme.indexOf('**A team baseline');
  assert.ok(start >= 0, 'the README has a "A team baseline" paragraph');
  const section = readme.slice(start, readme.indexOf('\n**', start + 10));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map(match => match[1] ?? '');
}

/**
 * The README's team baseline, run as written: CI records main into a fresh store and appends it to a dataset; a
 * developer records a branch that made `slow` three times slower on a laptop whose store has none of CI's runs,
 * and the README's `icicle diff --base-dataset` line, run in the branch's checkout, names `slow` and exits 1.
 * `icicle` is the built command line on PATH, as a user who installed the package has it.
 */
describe('README: the team baseline, a CI job appending to a dataset and a branch compared with it', function () {
  this.timeout(600_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8' });
  const sh = (script: string, cwd: string) => spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-readme-baseline-'));
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'icicle'), `#!/bin/sh\nexec "${process.execPath}" "${ICICLE_BIN}" "$@"\n`);
    chmodSync(join(bin, 'icicle'), 0o755);
    env = {
      ...process.env,
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      DATASET: join(dir, 'team-dataset'),
      ICICLE_STORE: join(dir, 'laptop-store'),
      GIT_AUTHOR_NAME: 'dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'dev', GIT_COMMITTER_EMAIL: 'dev@example.com',
    };
    const origin = join(dir, 'origin');
    mkdirSync(origin);
    writeFileSync(join(origin, 'bench.js'), bench(100));
    git(origin, 'init', '-q', '-b', 'main');
    git(origin, 'add', '.');
    git(origin, 'commit', '-qm', 'the benchmark');
    git(dir, 'clone', '-q', origin, 'ci');
    git(dir, 'clone', '-q', origin, 'laptop');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the README\'s CI job and diff line as written', () => {
    const [ciJob = '', diffLine = ''] = teamBaselineBlocks();
    assert.ok(ciJob.includes('icicle export --format parquet') && diffLine.includes('--base-dataset'), 'two blocks: the job, then the diff');

    // CI checks out the merged commit as a detached HEAD, as most CI systems do.
    git(join(dir, 'ci'), 'checkout', '-q', '--detach');
    const ci = sh(ciJob, join(dir, 'ci'));
    assert.equal(ci.status, 0, ci.stderr);
    assert.ok(existsSync(join(dir, 'team-dataset', '_icicle', 'dataset.json')), 'the job wrote the dataset');

    const laptop = join(dir, 'laptop');
    git(laptop, 'checkout', '-q', '-b', 'faster-parser');
    writeFileSync(join(laptop, 'bench.js'), bench(300));
    git(laptop, 'commit', '-qam', 'slow is three times slower');
    // "Record a few runs the same way": into the laptop's own store (ICICLE_STORE), which has none of CI's runs.
    const runs = sh('for i in 1 2 3 4 5; do icicle record -- node bench.js; done', laptop);
    assert.equal(runs.status, 0, runs.stderr);

    const diff = sh(diffLine, laptop);
    assert.equal(diff.status, 1, `a regression exits 1:\n${diff.stdout}\n${diff.stderr}`);
    assert.match(diff.stdout, /from the dataset/);
    const json = sh(`${diffLine.trim()} --format json`, laptop);
    const report = JSON.parse(json.stdout) as { failing: string[]; a: { runs: number }; b: { runs: number }; changes: { name: string; verdict: string }[] };
    assert.deepEqual(report.failing, ['slow']);
    assert.equal(report.a.runs, 8, 'the base is the job\'s eight runs, read from the dataset');
    assert.equal(report.b.runs, 5);
    for (const name of ['parse', 'render']) {
      assert.notEqual(report.changes.find(change => change.name === name)?.verdict, 'regression', `${name} did not change`);
    }
  });
});
