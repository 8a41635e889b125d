import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeBaseCommits, sameCommit } from './mergeBaseCommits';

/**
 * The merge-base base of a dataset branch, on a real repository the test makes with a known history:
 *
 *     main:    M0 - M1 - M2
 *                     \
 *     feature:         F1      (checked out; forked from main at M1)
 *     origin/release: M0 (a remote-tracking branch only)
 *     lonely: an orphan branch, no history shared with feature
 *
 * The dataset's commit lists are the input; what each should give is read off the drawing, not computed with git.
 */
describe('the merge base of the head and a dataset branch', function () {
  this.timeout(60_000);
  let dir: string;
  let repo: string;
  const commits: Record<string, string> = {};
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Icicle Test', '-c', 'user.email=test@icicle.invalid', '-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', ...args], { cwd, encoding: 'utf8' }).trim();
  const commit = (name: string) => {
    git(repo, 'commit', '-q', '--allow-empty', '-m', name);
    commits[name] = git(repo, 'rev-parse', 'HEAD');
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-merge-base-'));
    repo = join(dir, 'repo');
    mkdirSync(repo);
    git(repo, 'init', '-q', '-b', 'main', '--template=');
    commit('M0');
    commit('M1');
    git(repo, 'checkout', '-q', '-b', 'feature');
    commit('F1');
    git(repo, 'checkout', '-q', 'main');
    commit('M2');
    git(repo, 'update-ref', 'refs/remotes/origin/release', commits['M0']!);
    git(repo, 'checkout', '-q', '--orphan', 'lonely');
    commit('L0');
    git(repo, 'checkout', '-q', 'feature');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is the fork point when the dataset has runs of it, whatever else of main it has', async () => {
    const found = await mergeBaseCommits(repo, ['main'], [commits['M0']!, commits['M1']!, commits['M2']!]);
    assert.deepEqual(found, [{ branch: 'main', ref: 'refs/heads/main', mergeBase: commits['M1'], commit: commits['M1'], atMergeBase: true }]);
  });

  it("is otherwise the dataset's newest commit before the fork (never one of main after it), by short hashes too", async () => {
    const short = (name: string) => commits[name]!.slice(0, 7);
    const found = await mergeBaseCommits(repo, ['main'], [short('M0'), short('M2')]);
    assert.deepEqual(found, [{ branch: 'main', ref: 'refs/heads/main', mergeBase: commits['M1'], commit: short('M0'), atMergeBase: false }]);
  });

  it('gives nothing when the dataset has runs of main only after the fork', async () => {
    assert.deepEqual(await mergeBaseCommits(repo, ['main'], [commits['M2']!]), []);
  });

  it('finds a branch the repository has only as a remote-tracking branch, and leaves out one it does not have', async () => {
    const found = await mergeBaseCommits(repo, ['gone', 'release'], [commits['M0']!]);
    assert.deepEqual(found, [{ branch: 'release', ref: 'refs/remotes/origin/release', mergeBase: commits['M0'], commit: commits['M0'], atMergeBase: true }]);
  });

  it('measures from the head asked for, not the checked-out one', async () => {
    // main's own merge base with feature is M1 too; with origin/release it is M0.
    const found = await mergeBaseCommits(repo, ['feature', 'release'], [commits['M0']!, commits['M1']!, commits['F1']!], 'refs/heads/main');
    assert.deepEqual(
      found.map(f => [f.branch, f.commit]),
      [
        ['feature', commits['M1']],
        ['release', commits['M0']],
      ],
    );
  });

  it('gives nothing for histories without a merge base: an orphan branch, a shallow clone', async () => {
    assert.deepEqual(await mergeBaseCommits(repo, ['lonely'], [commits['L0']!]), []);
    // A clone of one commit of each branch: feature's parent M1 is not there, so it shares no commit with main.
    const shallow = join(dir, 'shallow');
    git(dir, 'clone', '-q', '--depth', '1', '--no-single-branch', '-b', 'feature', `file://${repo}`, shallow);
    assert.equal(git(shallow, 'rev-parse', '--is-shallow-repository'), 'true');
    assert.deepEqual(await mergeBaseCommits(shallow, ['main'], [commits['M0']!, commits['M1']!, commits['M2']!]), []);
  });

  it('gives nothing outside a repository, or without git', async () => {
    assert.deepEqual(await mergeBaseCommits(dir, ['main'], [commits['M1']!]), []);
    const path = process.env['PATH'];
    process.env['PATH'] = join(dir, 'no-git-here');
    try {
      assert.deepEqual(await mergeBaseCommits(repo, ['main'], [commits['M1']!]), []);
    } finally {
      process.env['PATH'] = path;
    }
  });

  it('matches a commit label by its full hash or a prefix of seven characters or more, in either case', () => {
    const full = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
    assert.equal(sameCommit(full, full), true);
    assert.equal(sameCommit(full, 'A1B2C3D'), true);
    assert.equal(sameCommit(full, 'a1b2c3'), false, 'six characters are too few to name a commit');
    assert.equal(sameCommit(full, 'a1b2c3e'), false);
    assert.equal(sameCommit(full, ''), false);
  });
});
