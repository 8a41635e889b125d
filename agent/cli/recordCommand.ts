import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gitLabels } from '../../common/gitLabels';
import { PROBE_ENV } from '../../common/protocol/probeProtocol';
import { Store } from '../../storage/store';
import { checkPerfAvailable, perfScriptText } from '../collectors/perfCollector';
import { setLogLevel } from '../log';
import type { RecordAgent } from './recordAgent';
import { unrunnableCommand } from './resolveCommand';
import { ForwardedSignals, signalExitCode } from './signalForwarding';

export interface RecordOptions {
  store: string;
  labels: Record<string, string>;
  command: string[];
  /** Sampling interval of the Node.js probe, in microseconds. */
  intervalMicros: number;
  limit: number;
}

/**
 * Samples stay in the store's log when `icicle record` ends unless its active part has grown past this: writing
 * a Parquet block costs more than a short run being measured (the block worker loads parquet-wasm), while the next
 * open replays the log (about 3 ms of CPU per megabyte of active part, so at most about 12 ms here).
 */
export const RECORD_FLUSH_BYTES = 4 * 1024 * 1024;

/**
 * `icicle record -- COMMAND...`: runs a Node.js command (node, npm, npx...) with the probe loaded into every Node
 * process it starts (NODE_OPTIONS, so child processes too), served by an agent inside this process on a private
 * socket; runs any other command under `perf record -g`, which follows its child processes. Stores every chunk labelled with a new `session_id`, the git state and the caller's labels, and prints the top
 * functions of the run. Exits with the command's exit code (126 or 127 when it cannot be run, as a shell does).
 *
 * SIGINT, SIGTERM and SIGHUP reach the command as they would under a shell (signalForwarding.ts); the command is
 * waited for, what it recorded up to then is stored, the temporary folder removed, and the exit code is the
 * command's, or 128 + the signal that ended it.
 */
export async function recordCommand(options: RecordOptions, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  // The embedded agent speaks up only for problems; the command's own output is what the user is watching.
  setLogLevel('warn');
  const unrunnable = unrunnableCommand(options.command[0]!);
  if (unrunnable) {
    err(`icicle: ${unrunnable.message}`);
    return unrunnable.exitCode;
  }
  const node = NODE_LAUNCHERS.test(basename(options.command[0]!));
  // A native command runs under perf, which follows the processes it starts.
  if (!node) await checkPerfAvailable();
  const signals = new ForwardedSignals();
  const sessionId = randomUUID().slice(0, 8);
  const directory = mkdtempSync(join(tmpdir(), 'icicle-record-')); // mode 0700: the socket's lock.
  try {
    // The store and the git state are independent: read them together, before the command starts.
    const [store, git] = await Promise.all([Store.open(options.store), gitLabels(process.cwd())]);
    try {
      return await recordWithStore(store, { ...git, ...options.labels, session_id: sessionId }, directory, node, signals, options, out, err);
    } finally {
      await store.close({ flush: store.stats().activeBytes > RECORD_FLUSH_BYTES });
    }
  } finally {
    signals.dispose();
    rmSync(directory, { recursive: true, force: true });
  }
}

async function recordWithStore(
  store: Store,
  labels: Record<string, string>,
  directory: string,
  node: boolean,
  signals: ForwardedSignals,
  options: RecordOptions,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  // A signal that came while the store opened: the command is not started at all.
  if (signals.received !== undefined) return signalExitCode(signals.received);
  let command = options.command;
  const perfData = join(directory, 'perf.data');
  if (!node) {
    command = ['perf', 'record', '-q', '-e', 'cpu-clock', '-F', String(Math.round(1e6 / options.intervalMicros)), '-g', '-o', perfData, '--', ...options.command];
  }
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
          // The probe keeps the samples up to a SIGTERM only where a second one kills (signalForwarding.ts).
          [PROBE_ENV.spoolOnSignal]: '1',
        }
      : process.env,
  });
  signals.forwardTo(child);
  const exited = childExit(child, options.command[0]!, err);
  // The query engine, for the run's top functions, loads while the program runs too.
  const top = import('./topCommand');
  // The agent's modules load while the program starts; whatever happens here, the program is waited for.
  let agent: RecordAgent;
  try {
    agent = await (await import('./recordAgent')).RecordAgent.start(store, directory, err);
  } catch (error) {
    await exited;
    throw error;
  }
  const exitCode = await exited;
  try {
    if (!node) {
      const text = await perfScriptText(perfData, message => err(`icicle: ${message}`));
      if (text.trim() !== '') await agent.ingest({ profile: text, startMs, labels: { ...labels, runtime: 'native', command: options.command.join(' ').slice(0, 200) }, droppedChunks: 0 });
    }
  } finally {
    // The probes spool their last chunk as their process exits; take it in before closing.
    await agent.finish();
  }
  err(`icicle: recorded session_id=${labels['session_id']} into ${options.store}`);
  // The top of the run from the store this process holds open: opening it again would replay its log.
  const snapshot = store.snapshot();
  try {
    await (await top).topOfSource(snapshot, { where: [`session_id=${labels['session_id']}`], type: undefined, limit: options.limit, json: false }, out);
  } finally {
    snapshot.release();
  }
  return exitCode;
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
