import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitLabels, sourceRoot } from './gitLabels';

describe('the checkout a run belongs to (source_root)', () => {
  let dir: string;
  before(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'icicle-root-')));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is the git top level from any folder inside the work tree', async () => {
    const repo = join(dir, 'repo');
    mkdirSync(join(repo, 'src', 'deep'), { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: repo });
    assert.equal(await sourceRoot(join(repo, 'src', 'deep')), repo);
  });

  it('is the folder itself, links resolved, outside git', async () => {
    const plain = join(dir, 'plain');
    mkdirSync(plain);
    symlinkSync(plain, join(dir, 'link'));
    // The temporary folder is outside every repository.
    assert.equal(await sourceRoot(join(dir, 'link')), plain);
  });
});

/** gitLabels on real repositories: each state git can be in, checked against git's own plumbing. */
describe('gitLabels', () => {
  let dir: string;
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).trim();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-git-labels-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is empty outside a repository and in one without commits', async () => {
    assert.deepEqual(await gitLabels(dir), {});
    git('init', '-q', '-b', 'main');
    assert.deepEqual(await gitLabels(dir), {});
  });

  it('gives the branch, the commit, and whether tracked files changed (untracked ones do not count)', async () => {
    git('init', '-q', '-b', 'feature/x');
    writeFileSync(join(dir, 'a.txt'), 'a');
    git('add', 'a.txt');
    git('commit', '-q', '-m', 'one');
    const commit = git('rev-parse', 'HEAD');
    writeFileSync(join(dir, 'untracked.txt'), 'u');
    assert.deepEqual(await gitLabels(dir), { branch: 'feature/x', commit, dirty: 'false' });
    writeFileSync(join(dir, 'a.txt'), 'changed');
    assert.deepEqual(await gitLabels(dir), { branch: 'feature/x', commit, dirty: 'true' });
    git('checkout', '-q', '--detach');
    assert.deepEqual(await gitLabels(dir), { commit, dirty: 'true' }, 'a detached HEAD has no branch');
  });
});
