import { execFile } from 'node:child_process';
import { access, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * The git state of a directory as labels: `branch`, `commit` and `dirty` ("true"/"false"). Empty when the
 * directory is not in a git work tree or git is not installed; a detached HEAD has no `branch`. Used by every
 * launcher of a profiled run (the extension, `icicle record`), so runs can be compared by branch.
 */
export async function gitLabels(directory: string): Promise<Record<string, string>> {
  // One git process for all three (each costs a process start before a recorded program starts): the headers of
  // porcelain v2 carry the commit and branch, and any other line is a change to a tracked file.
  const status = await git(directory, ['status', '--porcelain=v2', '--branch', '--untracked-files=no']);
  if (status === undefined) return {};
  const lines = status.split('\n').filter(line => line !== '');
  const header = (name: string): string | undefined => lines.find(line => line.startsWith(`# branch.${name} `))?.slice(`# branch.${name} `.length).trim();
  const commit = header('oid');
  // A repository without commits says "(initial)"; a detached HEAD's branch is "(detached)".
  if (commit === undefined || !/^[0-9a-f]{40,64}$/.test(commit)) return {};
  const labels: Record<string, string> = { commit, dirty: String(lines.some(line => !line.startsWith('#'))) };
  const branch = header('head');
  if (branch !== undefined && branch !== '(detached)') labels['branch'] = branch;
  return labels;
}

/**
 * The checkout a run's files belong to, labelled `source_root` so that comparisons name files relative to it: the
 * git work tree's top level, else the directory itself (with links resolved, as the profiled runtime names files).
 * Two checkouts of the same code then have the same functions. Found as git finds it, by the nearest folder holding a
 * `.git` (a folder, or a file in worktrees and submodules), rather than by `git rev-parse --show-toplevel`: a process
 * started beside the recorded program costs `icicle record` a fork of itself.
 */
export async function sourceRoot(directory: string): Promise<string> {
  const resolved = await realpath(directory).catch(() => directory);
  for (let folder = resolved; ; folder = dirname(folder)) {
    if (await access(join(folder, '.git')).then(() => true, () => false)) return folder;
    if (dirname(folder) === folder) return resolved;
  }
}

function git(cwd: string, args: string[]): Promise<string | undefined> {
  return new Promise(resolve => {
    execFile('git', args, { cwd, timeout: 5000, windowsHide: true }, (error, stdout) => resolve(error ? undefined : stdout));
  });
}
