import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { probeEnvironment, type ProbeTarget } from '../recording/probeEnvironment';

const run = promisify(execFile);

/** What "Compare Branches…" runs: the same command on each branch, a number of times, profiled. */
export interface BranchRunPlan {
  /** A folder inside the git repository (the workspace folder). */
  folder: string;
  /** The branches to run, in turn: base first, then head; or the head alone when the base is a dataset's runs. */
  branches: readonly string[];
  /** The program and its arguments, run from the same place in each branch's checkout (`node app.js`, `npm run bench`). */
  command: { executable: string; args: readonly string[] };
  repeat: number;
  probe: ProbeTarget;
  /** Stops between and during runs; checkouts are removed all the same. */
  signal?: AbortSignal;
  progress?(message: string, done: number, total: number): void;
  /** Stores what the probes of a finished run spooled (the agent's drainSpool). */
  drainSpool(): Promise<void>;
}

export interface BranchRun {
  branch: string;
  commit: string;
  sessionId: string;
  exitCode: number | null;
}

export interface BranchRunResult {
  compareId: string;
  runs: BranchRun[];
}

/**
 * Checks each branch out into its own temporary git worktree (the user's working tree is never touched), runs the
 * command there `repeat` times with the Node.js probe, labelled `branch`, `commit`, `compare_id` and a `session_id`
 * per run, and removes the worktrees afterwards, whatever happened. Runs alternate between the branches, so a
 * machine that slows down over time slows both sides alike.
 */
export async function runBranches(plan: BranchRunPlan): Promise<BranchRunResult> {
  const root = (await git(plan.folder, 'rev-parse', '--show-toplevel')).trim();
  const within = relative(root, plan.folder);
  const compareId = randomUUID().slice(0, 8);
  const scratch = await mkdtemp(join(tmpdir(), 'icicle-compare-'));
  const checkouts: { branch: string; path: string; commit: string }[] = [];
  const runs: BranchRun[] = [];
  try {
    for (const [i, branch] of plan.branches.entries()) {
      plan.progress?.(`checking out ${branch}`, 0, plan.repeat * plan.branches.length);
      const path = join(scratch, `side-${i}`);
      await git(root, 'worktree', 'add', '--detach', path, branch);
      checkouts.push({ branch, path, commit: (await git(path, 'rev-parse', 'HEAD')).trim() });
    }
    for (let round = 0; round < plan.repeat; round++) {
      for (const checkout of checkouts) {
        if (plan.signal?.aborted) throw new Error('the comparison was cancelled');
        plan.progress?.(`run ${round + 1} of ${plan.repeat} on ${checkout.branch}`, runs.length, plan.repeat * plan.branches.length);
        const sessionId = randomUUID().slice(0, 8);
        // source_root: the checkout's path, so a comparison can name files the same on both sides.
        const labels = { branch: checkout.branch, commit: checkout.commit, compare_id: compareId, session_id: sessionId, launcher: 'compare', source_root: checkout.path };
        const exitCode = await runProfiled(plan, join(checkout.path, within), labels);
        await plan.drainSpool();
        runs.push({ branch: checkout.branch, commit: checkout.commit, sessionId, exitCode });
      }
    }
    return { compareId, runs };
  } finally {
    for (const checkout of checkouts) await git(root, 'worktree', 'remove', '--force', checkout.path).catch(() => undefined);
    await git(root, 'worktree', 'prune').catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
  }
}

function git(cwd: string, ...args: string[]): Promise<string> {
  return run('git', args, { cwd, timeout: 120_000 }).then(
    ({ stdout }) => stdout,
    (error: { stderr?: string; message: string }) => {
      throw new Error(`git ${args[0]} failed: ${(error.stderr ?? error.message).trim().split('\n').pop()}`);
    },
  );
}

/** Runs the command once with the probe, resolving with its exit code; a cancel kills it. */
function runProfiled(plan: BranchRunPlan, cwd: string, labels: Record<string, string>): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...probeEnvironment(plan.probe, labels, process.env['NODE_OPTIONS']) };
    const child = spawn(plan.command.executable, [...plan.command.args], { cwd, env, stdio: 'ignore' });
    const cancel = () => child.kill();
    plan.signal?.addEventListener('abort', cancel, { once: true });
    child.once('error', error => {
      plan.signal?.removeEventListener('abort', cancel);
      reject(new Error(`could not run ${plan.command.executable}: ${error.message}`));
    });
    child.once('exit', code => {
      plan.signal?.removeEventListener('abort', cancel);
      resolve(code);
    });
  });
}
