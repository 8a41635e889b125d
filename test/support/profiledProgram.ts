import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PROBE_ENV } from '../../common/protocol/probeProtocol';

const root = join(__dirname, '..', '..');

/** The busy Node.js program the reliability tests profile (a loop of "requests" on many call paths). */
export const busyServer = join(root, 'test', 'reliability', 'programs', 'busyServer.js');

export interface ProbeOptions {
  socket: string;
  spool?: string;
  /** Milliseconds between chunks (the probe's default is 5,000). */
  chunkMillis?: number;
  /** Microseconds between samples (the probe's default is 1,000). */
  intervalMicros?: number;
  labels?: Record<string, string>;
  /** A file for the probe's ledger of chunks (PROBE_ENV.ledger). */
  ledger?: string;
}

/**
 * Starts a Node.js program with the built probe (out/agent/nodeProbe.js) loaded, as a launcher does: the probe
 * streams its chunks to the agent on `socket`. Its stdout and stderr are piped, for the test to read.
 */
export function spawnProfiledProgram(script: string, args: string[], options: ProbeOptions): ChildProcess {
  const env: Record<string, string> = {
    NODE_OPTIONS: `--require ${JSON.stringify(join(root, 'out', 'agent', 'nodeProbe.js'))}`,
    [PROBE_ENV.socket]: options.socket,
  };
  if (options.spool) env[PROBE_ENV.spool] = options.spool;
  if (options.chunkMillis) env[PROBE_ENV.chunkMillis] = String(options.chunkMillis);
  if (options.intervalMicros) env[PROBE_ENV.intervalMicros] = String(options.intervalMicros);
  if (options.labels) env[PROBE_ENV.labels] = JSON.stringify(options.labels);
  if (options.ledger) env[PROBE_ENV.ledger] = options.ledger;
  return spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}
