import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gitLabels, sourceRoot } from '../../common/gitLabels';
import { PROBE_ENV } from '../../common/protocol/probeProtocol';
import { assertStoreFree } from '../../storage/storeLock';
import { checkPerfAvailable } from '../collectors/perfCollector';
import type { RecordOptions } from './recordOptions';
import { unrunnableCommand } from './resolveCommand';
import { ForwardedSignals, signalExitCode } from './signalForwarding';
import { retryWhileLocked } from './storeWait';

/** A recorded program that has started: what `icicle record` needs to wait for it and store what it recorded. */
export interface StartedRecording {
  child: ChildProcess;
  /** Resolves with the program's exit code, or 128 + the signal that ended it. */
  exited: Promise<number>;
  /** The run's private folder (mode 0700): the probe's socket `agent.sock`, its spool `spool/`, `perf.data`. */
  directory: string;
  /** The run's labels the probe is given: a new `session_id` and the caller's. */
  labels: Record<string, string>;
  /**
   * The git state (gitLabels.ts), read while the program starts: a large repository's `git status` takes seconds,
   * which the program does not wait for. The agent adds these labels to what it stores; the caller's win.
   */
  git: Promise<Record<string, string>>;
  /** A Node.js program, profiled by the probe; otherwise perf records it into `perf.data`. */
  node: boolean;
  startMs: number;
  signals: ForwardedSignals;
}

/**
 * Starts the program `icicle record` profiles, with as little as possible before it: whether it can run at all
 * (127 and 126 as a shell says them), perf for a native program, a private folder. The store and
 * the agent are set up while the program starts (recordCommand.ts); the bin (`icicle.ts`) calls this before it
 * loads the rest of the command line. Returns the exit code instead when the program was not started.
 */
export async function startRecording(options: RecordOptions, err: (line: string) => void): Promise<StartedRecording | number> {
  const name = options.command[0]!;
  const unrunnable = unrunnableCommand(name);
  if (unrunnable) {
    err(`icicle: ${unrunnable.message}`);
    return unrunnable.exitCode;
  }
  const node = NODE_LAUNCHERS.test(basename(name));
  // A native command runs under perf, which follows the processes it starts.
  if (!node) await checkPerfAvailable();
  if (!node && options.allocations) err(`icicle: --allocations samples the allocations of Node.js programs only; ${basename(name)} runs under perf, which records CPU time`);
  // A store another process writes (the editor's agent, another `icicle record`) could not take the run: say so, or
  // with --wait wait for it, before the program runs. The store itself is opened while the program starts.
  await retryWhileLocked(options.store, options.wait, err, () => assertStoreFree(options.store));
  const signals = new ForwardedSignals();
  const directory = mkdtempSync(join(tmpdir(), 'icicle-record-')); // mode 0700: the socket's lock.
  let started = false;
  try {
    const labels = { ...options.labels, session_id: randomUUID().slice(0, 8) };
    // A signal that came meanwhile: the command is not started at all.
    if (signals.received !== undefined) return signalExitCode(signals.received);
    const command = node
      ? options.command
      : ['perf', 'record', '-q', '-e', 'cpu-clock', '-F', String(Math.round(1e6 / options.intervalMicros)), '-g', '-o', join(directory, 'perf.data'), '--', ...options.command];
    const probe = join(__dirname, 'nodeProbe.js');
    const nodeOptions = [process.env['NODE_OPTIONS'] ?? '', `--require ${JSON.stringify(probe)}`].filter(Boolean).join(' ');
    const startMs = Date.now();
    const child = spawn(command[0]!, command.slice(1), {
      stdio: 'inherit',
      env: node
        ? {
            ...process.env,
            NODE_OPTIONS: nodeOptions,
            [PROBE_ENV.socket]: join(directory, 'agent.sock'),
            [PROBE_ENV.spool]: join(directory, 'spool'),
            [PROBE_ENV.labels]: JSON.stringify(labels),
            [PROBE_ENV.intervalMicros]: String(options.intervalMicros),
            ...(options.allocations ? { [PROBE_ENV.allocations]: '1' } : {}),
            // The probe keeps the samples up to a SIGTERM only where a second one kills (signalForwarding.ts).
            [PROBE_ENV.spoolOnSignal]: '1',
          }
        : process.env,
    });
    signals.forwardTo(child);
    started = true;
    return { child, exited: childExit(child, name, err), directory, labels, git: runLabels(process.cwd()), node, startMs, signals };
  } finally {
    if (!started) {
      signals.dispose();
      rmSync(directory, { recursive: true, force: true });
    }
  }
}

/** The command's exit code, 128 + the signal that ended it, or 127 when it could not be started after all. */
function childExit(child: ChildProcess, name: string, err: (line: string) => void): Promise<number> {
  return new Promise<number>(resolve => {
    child.once('error', error => {
      const code = (error as NodeJS.ErrnoException).code;
      err(`icicle: cannot run ${name}: ${code === 'ENOENT' ? 'command not found' : code === 'EACCES' ? 'permission denied' : error.message}`);
      resolve(code === 'EACCES' ? 126 : 127);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? signalExitCode(signal) : 1)));
  });
}

/** Commands that are Node.js programs (or run them): profiled by the probe; any other command is profiled by perf. */
const NODE_LAUNCHERS = /^(node|nodejs|npm|npx|pnpm|yarn|tsx|ts-node|mocha|jest|vitest)(\.(c|m)?js|\.cmd|\.exe)?$/;

/**
 * The labels a run gets from its checkout: the git state, and `source_root` (the git top level, else the working
 * folder), so that runs recorded in two checkouts of the same code name their files alike (agent/compare/).
 */
async function runLabels(directory: string): Promise<Record<string, string>> {
  const [git, root] = await Promise.all([gitLabels(directory), sourceRoot(directory)]);
  return { ...git, source_root: root };
}
