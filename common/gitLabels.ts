import { execFile } from 'node:child_process';

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

function git(cwd: string, args: string[]): Promise<string | undefined> {
  return new Promise(resolve => {
    execFile('git', args, { cwd, timeout: 5000, windowsHide: true }, (error, stdout) => resolve(error ? undefined : stdout));
  });
}
