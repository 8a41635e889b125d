import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = join(__dirname, '..', '..');

/**
 * Starts the built agent (out/agent/main.js) as a real process on `socket` with `store`, and resolves once it
 * prints its readiness line; its log is collected in `log()`. Its spool folder is `spool` beside the socket.
 * `extraArgs` are further agent options (`--max-store-mb`, `--flush-after-s`, ...).
 */
export async function startBuiltAgent(socket: string, store: string, extraArgs: string[] = []): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(process.execPath, [join(root, 'out', 'agent', 'main.js'), '--socket', socket, '--store', store, ...extraArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', chunk => (log += chunk));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', () => resolve());
    child.once('exit', code => reject(new Error(`the agent exited with ${code}: ${log}`)));
  });
  return { child, log: () => log };
}

/** Resolves with a child process's exit code once it has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise(resolve => child.once('exit', code => resolve(code)));
}
