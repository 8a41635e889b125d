import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gitLabels, sourceRoot } from '../../common/gitLabels';
import { PROBE_ENV } from '../../common/protocol/probeProtocol';
import { AgentServer } from '../agentServer';
import { checkPerfAvailable, perfScriptText } from '../collectors/perfCollector';
import { ScrapeManager } from '../collectors/scrapeManager';
import { setLogLevel } from '../log';
import { RecordingHub } from '../recording/recordingHub';
import { SpoolIngester } from '../recording/spoolIngester';
import { topCommand } from './topCommand';
import { openWritableStore, type StoreWait } from './writableStore';

export interface RecordOptions {
  store: string;
  labels: Record<string, string>;
  command: string[];
  /** Sampling interval of the Node.js probe, in microseconds. */
  intervalMicros: number;
  limit: number;
  wait: StoreWait;
}

/**
 * `icicle record -- COMMAND...`: runs a Node.js command (node, npm, npx...) with the probe loaded into every Node
 * process it starts (NODE_OPTIONS, so child processes too), served by an agent inside this process on a private
 * socket; runs any other command under `perf record -g`, which follows its child processes. Stores every chunk labelled with a new `session_id`, the git state and the caller's labels, and prints the top
 * functions of the run. Exits with the command's exit code.
 */
export async function recordCommand(options: RecordOptions, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  // The embedded agent speaks up only for problems; the command's own output is what the user is watching.
  setLogLevel('warn');
  const sessionId = randomUUID().slice(0, 8);
  const directory = mkdtempSync(join(tmpdir(), 'icicle-record-')); // mode 0700: the socket's lock.
  const store = await openWritableStore(options.store, `icicle record (pid ${process.pid})`, options.wait, err);
  const recordings = new RecordingHub(store);
  const spool = new SpoolIngester(join(directory, 'spool'), params => recordings.ingest(params));
  const server = new AgentServer(join(directory, 'agent.sock'), {
    version: process.env.ICICLE_VERSION ?? '0.0.0-dev',
    startedAt: Date.now(),
    store,
    storeProblem: undefined,
    recordings,
    spool,
    scrapers: new ScrapeManager(recorded => recordings.ingestRecorded(recorded), message => err(`icicle: ${message}`)),
    shutdown: () => undefined,
  });
  let exitCode: number;
  try {
    await server.listen();
    await spool.start();
    const labels = { ...(await gitLabels(process.cwd())), source_root: await sourceRoot(process.cwd()), ...options.labels, session_id: sessionId };
    const node = NODE_LAUNCHERS.test(basename(options.command[0]!));
    let command = options.command;
    const perfData = join(directory, 'perf.data');
    if (!node) {
      // A native command runs under perf, which follows the processes it starts.
      await checkPerfAvailable();
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
          }
        : process.env,
    });
    exitCode = await new Promise<number>(resolve => {
      child.once('error', error => {
        err(`icicle: could not run ${options.command[0]}: ${error.message}`);
        resolve(127);
      });
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + signalNumber(signal) : 1)));
    });
    if (!node) {
      const text = await perfScriptText(perfData, message => err(`icicle: ${message}`));
      if (text.trim() !== '') await recordings.ingest({ profile: text, startMs, labels: { ...labels, runtime: 'native', command: options.command.join(' ').slice(0, 200) }, droppedChunks: 0 });
    }
    // The probes spool their last chunk as their process exits; take it in before closing.
    await spool.scan();
  } finally {
    spool.stop();
    await server.close(0);
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
  err(`icicle: recorded session_id=${sessionId} into ${options.store}`);
  await topCommand({ store: options.store, where: [`session_id=${sessionId}`], type: undefined, limit: options.limit, json: false }, out);
  return exitCode;
}

/** Commands that are Node.js programs (or run them): profiled by the probe; any other command is profiled by perf. */
const NODE_LAUNCHERS = /^(node|nodejs|npm|npx|pnpm|yarn|tsx|ts-node|mocha|jest|vitest)(\.(c|m)?js|\.cmd|\.exe)?$/;

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal] ?? 0;
}
