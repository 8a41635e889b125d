import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitLabels } from './gitLabels';

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
