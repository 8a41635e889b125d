import { execFile } from 'node:child_process';

/**
 * A dataset branch as the base of a branch's comparison: the branch at the commit the head forked from it, which is
 * what `icicle diff --base "branch=main,commit=$(git merge-base HEAD origin/main)"` compares with in CI (README, "A
 * team baseline"). All of a dataset's runs of main mix weeks of main's changes into the base; these do not.
 */
export interface MergeBaseCommit {
  /** The dataset's branch (its `branch` label's value). */
  branch: string;
  /** The repository's ref found for it: the local branch, else a remote-tracking one (origin's first). */
  ref: string;
  /** The merge base of the head and `ref`, a full hash. */
  mergeBase: string;
  /** The dataset's `commit` value to select: the merge base's, or, when the dataset has no runs of it, its newest commit before it. */
  commit: string;
  /** Whether `commit` is the merge base itself. */
  atMergeBase: boolean;
}

/** How many of the merge base's ancestors are searched, newest first, for one the dataset has runs of. */
const ANCESTORS_SEARCHED = 10_000;

/**
 * For each of a dataset's branches that is a local or remote-tracking branch of the repository at `repo`: its merge
 * base with `head` (a ref of that repository, `HEAD` by default), and the dataset's commit to compare with, that one
 * if the dataset has runs of it (`datasetCommits`, its `commit` label's values, full or short hashes), else the
 * dataset's newest commit that is an ancestor of both (so of the head too). A branch the repository does not have, a
 * shallow clone or unrelated histories without a merge base, a dataset with no such commit, or no git at all give
 * no entry: the plain branch stays the base to offer. Git runs without a shell; only refs it listed reach it.
 */
export async function mergeBaseCommits(repo: string, branches: readonly string[], datasetCommits: readonly string[], head = 'HEAD'): Promise<MergeBaseCommit[]> {
  if (branches.length === 0 || datasetCommits.length === 0) return [];
  const refs = await git(repo, ['for-each-ref', '--format=%(refname)', 'refs/heads', 'refs/remotes']);
  if (refs === undefined) return [];
  const known = refs.split('\n').filter(ref => ref !== '');
  const found: MergeBaseCommit[] = [];
  for (const branch of branches) {
    const ref = refOf(known, branch);
    if (ref === undefined) continue;
    const mergeBase = (await git(repo, ['merge-base', head, ref]))?.trim();
    if (mergeBase === undefined || !FULL_HASH.test(mergeBase)) continue;
    const exact = datasetCommits.find(commit => sameCommit(mergeBase, commit));
    if (exact !== undefined) {
      found.push({ branch, ref, mergeBase, commit: exact, atMergeBase: true });
      continue;
    }
    // The ancestors of the merge base are the commits both the head and the branch have: the newest the dataset has
    // runs of is the branch as it was closest to the fork.
    const ancestors = (await git(repo, ['rev-list', `--max-count=${ANCESTORS_SEARCHED}`, mergeBase]))?.split('\n') ?? [];
    for (const ancestor of ancestors) {
      const before = datasetCommits.find(commit => sameCommit(ancestor, commit));
      if (before !== undefined) {
        found.push({ branch, ref, mergeBase, commit: before, atMergeBase: false });
        break;
      }
    }
  }
  return found;
}

/** A commit as pickers show it: its first seven characters, as `git log --oneline` does. */
export function shortCommit(commit: string): string {
  return commit.slice(0, 7);
}

const FULL_HASH = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
/** A short hash, as a CI job might label runs with (`git rev-parse --short`): at least git's default seven characters. */
const HASH = /^[0-9a-f]{7,64}$/;

/** Whether a dataset's `commit` value names the full hash `full`: the same hash, or a prefix of it of seven or more. */
export function sameCommit(full: string, value: string): boolean {
  const lower = value.toLowerCase();
  return HASH.test(lower) && full.startsWith(lower);
}

/** The repository's ref for a branch name: the local branch, else origin's remote-tracking branch, else another remote's. */
function refOf(known: readonly string[], branch: string): string | undefined {
  const local = `refs/heads/${branch}`;
  if (known.includes(local)) return local;
  const remote = known.filter(ref => ref.startsWith('refs/remotes/') && ref.endsWith(`/${branch}`) && ref.split('/').length === 3 + branch.split('/').length);
  return remote.find(ref => ref === `refs/remotes/origin/${branch}`) ?? remote[0];
}

function git(cwd: string, args: string[]): Promise<string | undefined> {
  return new Promise(resolve => {
    execFile('git', args, { cwd, timeout: 10_000, windowsHide: true, maxBuffer: 4 * 1024 * 1024 }, (error, stdout) => resolve(error ? undefined : stdout));
  });
}
