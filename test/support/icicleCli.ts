import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The built command line (`npm test` builds it first), run as users run it: `node out/agent/icicle.js`. */
export const ICICLE_BIN = join(__dirname, '..', '..', 'out', 'agent', 'icicle.js');

export interface CliOptions {
  /** The working folder; default the repository's root. */
  cwd?: string;
  /** The whole environment; default this process's. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** `icicle ARGS` run to its end, waiting synchronously: for the tests whose commands run one after another. */
export function icicleSync(args: readonly string[], options: CliOptions = {}): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [ICICLE_BIN, ...args], {
    cwd: options.cwd ?? join(__dirname, '..', '..'),
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    // Output of hostile profiles (a 1 MB function name) is larger than spawnSync's 1 MB default, which kills the child.
    maxBuffer: 256 << 20,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `icicle ARGS` as a separate process, without blocking this one (a test's agent or writer may run beside it). */
export function icicle(args: readonly string[], options: CliOptions = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ICICLE_BIN, ...args], { cwd: options.cwd ?? join(__dirname, '..', '..'), env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', chunk => (stdout += String(chunk)));
    child.stderr.on('data', chunk => (stderr += String(chunk)));
    child.once('error', reject);
    child.once('exit', code => resolve({ code, stdout, stderr }));
  });
}
