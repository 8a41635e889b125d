import { describeError } from '../common/errors';
import { rm } from 'node:fs/promises';
import { AgentServer } from './agentServer';
import { openAgentStore } from './agentStore';
import { log, setLogLevel, type LogLevel } from './log';
import { ScrapeManager } from './collectors/scrapeManager';
import { RecordingHub } from './recording/recordingHub';
import { SpoolIngester } from './recording/spoolIngester';
import { dirname, join } from 'node:path';
import { DatasetSources } from './dataset/datasetSources';

/**
 * The agent process: started by the extension (one per window) as
 *   node out/agent/main.js --socket <path> [--store <directory>] [--spool <directory>] [--retention-days N] [--max-store-mb N] [--flush-after-s N] [--log-level info]
 * Probes send their chunks over the socket and spool what they cannot send to the spool directory (default: a
 * `spool` directory beside the socket, which is private), which the agent imports.
 * It prints one JSON line on stdout once it listens, logs to stderr, and exits when asked (icicle/shutdown),
 * on SIGTERM/SIGINT, or when its parent goes away (its stdin closes), so it never outlives the editor.
 */
const VERSION = process.env.ICICLE_VERSION ?? '0.0.0-dev';

/**
 * Samples reach a compressed block, and so retention, at most this long after they arrive. One program profiled
 * every millisecond fills the active part in about ten minutes, and the store's files would grow with an
 * uncompressed log until then.
 */
const DEFAULT_FLUSH_AFTER_SECONDS = 120;

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** A numeric option: absent or malformed counts as 0 (no limit), never as an error that stops the agent. */
function nonNegative(value: string | undefined): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

async function main(): Promise<void> {
  const socketPath = argument('--socket');
  if (!socketPath) {
    process.stderr.write('usage: main.js --socket <path> [--store <directory>] [--spool <directory>] [--retention-days N] [--max-store-mb N] [--flush-after-s N] [--log-level error|warn|info|debug]\n');
    process.exit(2);
  }
  const level = argument('--log-level');
  if (level === 'error' || level === 'warn' || level === 'info' || level === 'debug') setLogLevel(level satisfies LogLevel);

  const flushAfterSeconds = argument('--flush-after-s');
  const opened = await openAgentStore(argument('--store'), {
    retentionMaxAgeMs: nonNegative(argument('--retention-days')) * 86_400_000,
    retentionMaxBytes: nonNegative(argument('--max-store-mb')) * 1024 * 1024,
    activePartMaxAgeMs: (flushAfterSeconds === undefined ? DEFAULT_FLUSH_AFTER_SECONDS : nonNegative(flushAfterSeconds)) * 1000,
  });
  let stopping = false;
  const recordings = new RecordingHub(opened.store);
  const spool = new SpoolIngester(argument('--spool') ?? join(dirname(socketPath), 'spool'), params => recordings.ingest(params));
  const scrapers = new ScrapeManager(recorded => recordings.ingestRecorded(recorded), message => log('warn', message));
  const server: AgentServer = new AgentServer(socketPath, {
    version: VERSION,
    startedAt: Date.now(),
    store: opened.store,
    storeProblem: opened.problem,
    recordings,
    spool,
    scrapers,
    sources: new DatasetSources(),
    shutdown: () => void stop('shutdown requested'),
  });
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    log('info', `stopping: ${reason}`);
    spool.stop();
    // Collectors keep the window they are in; then the store closes with everything in it.
    await Promise.all([recordings.stopAll(), scrapers.stopAll()]).catch(() => undefined);
    await server.close(reason === 'shutdown requested' ? 1000 : 0).catch(() => undefined);
    // Closing flushes the store's memory to a block, so the next start replays nothing.
    await opened.store.close().catch(error => log('error', `the store did not close cleanly: ${describeError(error)}`));
    if (!opened.persistent) await rm(opened.store.directory, { recursive: true, force: true });
    process.exit(0);
  };

  await server.listen();
  await spool.start();
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.stdin.on('end', () => void stop('the parent process went away'));
  process.stdin.on('error', () => void stop('the parent process went away'));
  process.stdin.resume();
  // An unexpected exception may leave state half-changed: log it and exit, and the extension starts a fresh agent.
  process.on('uncaughtException', error => {
    log('error', `uncaught: ${error.stack ?? describeError(error)}`);
    process.exit(70);
  });
  process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid, version: VERSION, socket: socketPath })}\n`);
  log('info', `agent ${VERSION} listening on ${socketPath} (pid ${process.pid})`);
}

main().catch(error => {
  process.stderr.write(`[agent error] could not start: ${describeError(error)}\n`);
  process.exit(1);
});
