import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as vscode from 'vscode';

const run = promisify(execFile);

/** The repository's local branches (none outside a git repository). */
export async function localBranches(folder: string): Promise<string[]> {
  const { stdout } = await run('git', ['branch', '--format=%(refname:short)'], { cwd: folder, timeout: 30_000 }).catch(() => ({ stdout: '' }));
  return stdout.split('\n').map(b => b.trim()).filter(b => b !== '' && !b.startsWith('('));
}

/**
 * The base branch comparisons and deltas use: `icicle.compare.baseBranch` when set, else `main` or `master` when the
 * repository has it and it is not the current branch.
 */
export async function baseBranch(folder: string, current: string | undefined, branches?: readonly string[]): Promise<string | undefined> {
  const configured = vscode.workspace.getConfiguration('icicle').get<string>('compare.baseBranch', '');
  if (configured !== '') return configured;
  const known = branches ?? (await localBranches(folder));
  return ['main', 'master'].find(b => b !== current && known.includes(b));
}
