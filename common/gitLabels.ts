import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';

/**
 * The git state of a directory as labels: `branch`, `commit` and `dirty` ("true"/"false"). Empty when the
 * directory is not in a git work tree or git is not installed; a detached HEAD has no `branch`. Used by every
 * launcher of a profiled run (the extension, `icicle record`), so runs can be compared by branch.
 */
export async function gitLabels(directory: string): Promise<Record<string, string>> {
  const [branch, commit, status] = await Promise.all([
    git(directory, ['rev-parse', '--abbrev-ref', 'HEAD']),
    git(directory, ['rev-parse', 'HEAD']),
    git(directory, ['status', '--porcelain', '--untracked-files=no']),
  ]);
  if (commit === undefined) return {};
  const labels: Record<string, string> = { commit: commit.trim(), dirty: String((status ?? '').trim() !== '') };
  if (branch !== undefined && branch.trim() !== 'HEAD') labels['branch'] = branch.trim();
  return labels;
}

/**
 * The checkout a run's files belong to, labelled `source_root` so that comparisons name files relative to it: the
 * git work tree's top level, else the directory itself (with links resolved, as the profiled runtime names files).
 * Two checkouts of the same code then have the same functions.
 */
export async function sourceRoot(directory: string): Promise<string> {
  const top = await git(directory, ['rev-parse', '--show-toplevel']);
  return top?.trim() || (await realpath(directory).catch(() => directory));
}

function git(cwd: string, args: string[]): Promise<string | undefined> {
  return new Promise(resolve => {
    execFile('git', args, { cwd, timeout: 5000, windowsHide: true }, (error, stdout) => resolve(error ? undefined : stdout));
  });
}
