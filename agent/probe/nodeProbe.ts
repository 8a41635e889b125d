import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { connect, type Socket } from 'node:net';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as workerThreads from 'node:worker_threads';
import {
  INGEST_PROFILE_METHOD,
  PROBE_CLIENT,
  PROBE_CONTROL_KEY,
  PROBE_ENV,
  SPOOL_SUFFIX,
  STORE_UNAVAILABLE_CODE,
  type IngestProfileParams,
  type ProbeControlOptions,
  type ProbeControlState,
  type RecordedProfileInfo,
  type SampleLabelSets,
} from '../../common/protocol/probeProtocol';
import { AGENT_PROTOCOL_VERSION } from '../../common/version';
import { AllocationSampler } from './allocationSampler';
import { ChunkedProfiler, KEEP_ALIVE_MILLIS, type V8ProfileChunk } from './chunkedProfiler';
import { withoutOwnSamples } from './ownSamples';
import { PASS_THROUGH_SCRIPTS, SpanLabels, sampleTimesOf } from './spanLabels';

/**
 * The Node.js probe, loaded into a profiled program by `NODE_OPTIONS=--require <this file>`. It profiles the
 * program in-process with the inspector, in chunks of a few seconds (chunkedProfiler.ts), and streams each chunk
 * to the agent.
 *
 * It lives in someone else's process, so it must never harm it:
 * - it uses only Node's built-ins (no dependency is loaded into the program, and its start costs little);
 * - nothing it does keeps the program alive (timers and the socket are unref'd), and it never throws into it;
 * - when the agent is away it keeps a bounded number of bytes and drops the oldest chunks, counting them;
 * - at exit it writes what it could not send to the spool directory, synchronously, where the agent finds it.
 * The JSON-RPC framing is written out here (a Content-Length header per message, what vscode-jsonrpc reads on the
 * agent's side) rather than loading vscode-jsonrpc into the program.
 */

const env = process.env;
const socketPath = env[PROBE_ENV.socket];
const alreadyLoaded = (globalThis as { __icicleProbe?: boolean }).__icicleProbe === true;
// A worker thread loads the probe too (NODE_OPTIONS' --require runs in each) and profiles its own isolate.
if (socketPath && !alreadyLoaded) {
  (globalThis as { __icicleProbe?: boolean }).__icicleProbe = true;
  try {
    startProbe(socketPath);
  } catch (error) {
    note(`not profiling: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * A chunk waiting to be sent or acknowledged. Its profile is kept as the JSON text V8's profile becomes once, here:
 * a string is a fraction of the profile's objects in the program's memory, its length bounds the buffer, and it is
 * spliced into the message as a JSON value (paramsJson), so the profile is serialised once and crosses the socket
 * once, never as a string inside a string.
 */
interface Chunk {
  info: RecordedProfileInfo & { chunkKey: string };
  profileJson: string;
  /** The chunk's allocations (V8's sampling heap profile) as JSON text, when allocations are sampled. */
  heapProfileJson?: string;
  /** The labels of the chunk's samples (the OpenTelemetry span each belonged to), as JSON text. */
  sampleLabelsJson?: string;
  /** The wall time of the spans that ended before the chunk was taken (SpanWallTimes), as JSON text. */
  spanWallsJson?: string;
}

/** The bytes a chunk holds in the buffer: its profiles' JSON text. */
function chunkBytes(chunk: Chunk): number {
  return chunk.profileJson.length + (chunk.heapProfileJson?.length ?? 0) + (chunk.sampleLabelsJson?.length ?? 0) + (chunk.spanWallsJson?.length ?? 0);
}

/** A chunk's IngestProfileParams as JSON text: its fields, then its profile's JSON spliced in as a value. */
function paramsJson(chunk: Chunk, droppedChunks: number): string {
  const fields = { format: 'v8', ...chunk.info, droppedChunks } satisfies Omit<Extract<IngestProfileParams, { format: 'v8' }>, 'profile'>;
  const heap = chunk.heapProfileJson === undefined ? '' : `,"heapProfile":${chunk.heapProfileJson}`;
  const sampleLabels = chunk.sampleLabelsJson === undefined ? '' : `,"sampleLabels":${chunk.sampleLabelsJson}`;
  const spanWalls = chunk.spanWallsJson === undefined ? '' : `,"spanWalls":${chunk.spanWallsJson}`;
  return `${JSON.stringify(fields).slice(0, -1)},"profile":${chunk.profileJson}${heap}${sampleLabels}${spanWalls}}`;
}

function startProbe(agentSocket: string): void {
  const intervalMicros = positive(env[PROBE_ENV.intervalMicros], 1000);
  const chunkMillis = positive(env[PROBE_ENV.chunkMillis], 2000);
  const bufferBytes = positive(env[PROBE_ENV.bufferMegabytes], 64) * 1024 * 1024;
  const spoolDir = env[PROBE_ENV.spool];
  const labels = { ...launcherLabels(), ...processLabels(), ...threadLabels() };
  // Each chunk's idempotency key: this run's id and the chunk's number, fixed when the chunk is made.
  const runId = randomUUID();
  let chunkNumber = 0;
  const ledger = ledgerWriter(env[PROBE_ENV.ledger]);

  const session = new Session();
  session.connect();
  const profiler = new ChunkedProfiler(session, intervalMicros, positive(env[PROBE_ENV.keepAliveMillis], KEEP_ALIVE_MILLIS), env[PROBE_ENV.loadedLate] === '1');
  const allocations = env[PROBE_ENV.allocations] === '1' ? new AllocationSampler(session, positive(env[PROBE_ENV.allocationIntervalBytes], 512 * 1024)) : undefined;
  let chunkStartMs = Date.now();
  // The OpenTelemetry span of each sample, once the program loads @opentelemetry/api (checked at each chunk).
  const spans = new SpanLabels(env[PROBE_ENV.spans] !== '0');
  // The program loads @opentelemetry/api after the probe (which NODE_OPTIONS loads first): looked for soon after the
  // main module has run (the first timer), then every tenth of a second until found, and at every chunk.
  if (!spans.watchIfTraced()) {
    const lookForTracing = setInterval(() => {
      if (stopped || spans.watchIfTraced()) clearInterval(lookForTracing);
    }, 100);
    lookForTracing.unref();
  }

  /** Chunks waiting to be sent, and chunks sent but not yet acknowledged, by request id. */
  const queue: Chunk[] = [];
  const inFlight = new Map<number, Chunk>();
  let queuedBytes = 0;
  let dropped = 0;
  let nextId = 1;
  let socket: Socket | undefined;
  let ready = false;
  let connecting = false;
  let received: Buffer = Buffer.alloc(0);

  const takeChunk = (mode: 'next' | 'pause' | 'last' = 'next'): Chunk | undefined => {
    const last = mode !== 'next';
    // The probe's own samples are its cost, not the program's (ownSamples.ts): this script, by path or URL.
    const ownScripts = new Set([__filename, pathToFileURL(__filename).href]);
    const taken = profiler.take(mode);
    const spanLabels = taken && spanLabelsOf(taken, spans);
    const profile = taken && withoutOwnSamples(taken, ownScripts, PASS_THROUGH_SCRIPTS);
    spans.watchIfTraced();
    const startMs = chunkStartMs;
    chunkStartMs = Date.now();
    const heapProfile = allocations?.take(ownScripts, last);
    if (!profile || !Array.isArray(profile.samples) || profile.samples.length === 0) return undefined;
    const chunkKey = `${runId}:${++chunkNumber}`;
    ledger?.({ chunk: chunkKey, samples: profile.samples.length, ...(heapProfile ? { allocations: true } : {}) });
    const sampleLabels = spanLabels && keptLabels(spanLabels, taken, profile);
    // Taken only for a chunk that is sent: spans that ended meanwhile wait for the next one otherwise.
    const spanWalls = spans.takeWalls();
    return {
      info: { startMs, labels, droppedChunks: 0, chunkKey },
      profileJson: JSON.stringify(profile),
      ...(heapProfile ? { heapProfileJson: JSON.stringify(heapProfile) } : {}),
      ...(sampleLabels ? { sampleLabelsJson: JSON.stringify(sampleLabels) } : {}),
      ...(spanWalls ? { spanWallsJson: JSON.stringify(spanWalls) } : {}),
    };
  };

  const enqueue = (chunk: Chunk): void => {
    queue.push(chunk);
    queuedBytes += chunkBytes(chunk);
    while (queuedBytes > bufferBytes && queue.length > 1) {
      const oldest = queue.shift()!;
      queuedBytes -= chunkBytes(oldest);
      dropped++;
      ledger?.({ dropped: oldest.info.chunkKey });
    }
    flush();
  };

  const flush = (): void => {
    if (!ready || !socket) {
      connectToAgent();
      return;
    }
    while (queue.length > 0) {
      const chunk = queue.shift()!;
      queuedBytes -= chunkBytes(chunk);
      chunk.info.droppedChunks = dropped;
      dropped = 0;
      const id = nextId++;
      inFlight.set(id, chunk);
      sendJson(`{"jsonrpc":"2.0","id":${id},"method":${JSON.stringify(INGEST_PROFILE_METHOD)},"params":${paramsJson(chunk, chunk.info.droppedChunks)}}`);
    }
  };

  const send = (message: unknown): void => sendJson(JSON.stringify(message));
  const sendJson = (json: string): void => {
    const body = Buffer.from(json, 'utf8');
    socket!.write(`Content-Length: ${body.length}\r\n\r\n`);
    socket!.write(body);
  };

  /** The agent's store refused the last chunk for now; chunks wait in the queue for the next tick. */
  let storeUnavailable = false;
  const onMessage = (message: { id?: number; result?: unknown; error?: { code?: number; message?: string } }): void => {
    if (message.id === 0) {
      if (message.error) {
        note(`the agent refused the probe: ${message.error.message ?? 'unknown reason'}`);
        socket?.destroy();
        return;
      }
      ready = true;
      flush();
      return;
    }
    if (typeof message.id === 'number') {
      const chunk = inFlight.get(message.id);
      inFlight.delete(message.id);
      // A chunk the store cannot take now (a full disk) is kept and sent again with the next chunk; one the agent
      // refused for what it is would be refused again, so it is dropped, and the agent has said why in its log.
      if (chunk && message.error?.code === STORE_UNAVAILABLE_CODE) {
        if (!storeUnavailable) note(`the agent cannot store chunks now, keeping them: ${message.error.message ?? 'unknown reason'}`);
        storeUnavailable = true;
        dropped += chunk.info.droppedChunks;
        queue.unshift(chunk);
        queuedBytes += chunkBytes(chunk);
      } else if (chunk && message.error) {
        note(`the agent could not store a chunk: ${message.error.message ?? 'unknown reason'}`);
        ledger?.({ dropped: chunk.info.chunkKey });
      } else if (chunk) {
        storeUnavailable = false;
        ledger?.({ acked: chunk.info.chunkKey });
      }
      if ((message.result as { stop?: unknown } | undefined)?.stop === true) stopProfiling();
    }
  };

  const onData = (data: Buffer): void => {
    received = received.length === 0 ? data : Buffer.concat([received, data]);
    for (;;) {
      const headerEnd = received.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: *(\d+)/i.exec(received.subarray(0, headerEnd).toString('latin1'))?.[1]);
      if (!Number.isFinite(length) || received.length < headerEnd + 4 + length) return;
      const body = received.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      received = received.subarray(headerEnd + 4 + length);
      try {
        onMessage(JSON.parse(body) as Parameters<typeof onMessage>[0]);
      } catch {
        // A reply the probe cannot read changes nothing for the program.
      }
    }
  };

  const connectToAgent = (): void => {
    if (connecting || socket) return;
    connecting = true;
    const attempt = connect(agentSocket);
    attempt.unref();
    attempt.on('connect', () => {
      connecting = false;
      socket = attempt;
      send({ jsonrpc: '2.0', id: 0, method: 'icicle/handshake', params: { protocolVersion: AGENT_PROTOCOL_VERSION, client: PROBE_CLIENT, clientVersion: String(process.env.ICICLE_VERSION ?? 'dev') } });
    });
    attempt.on('data', onData);
    attempt.on('error', () => undefined);
    attempt.on('close', () => {
      connecting = false;
      // Chunks the agent did not acknowledge go back to the queue: the agent stores a chunk once, by its content.
      const unacknowledged = [...inFlight.values()];
      inFlight.clear();
      queue.unshift(...unacknowledged);
      for (const chunk of unacknowledged) queuedBytes += chunkBytes(chunk);
      if (socket === attempt) socket = undefined;
      ready = false;
      received = Buffer.alloc(0);
    });
  };

  /** The user stopped profiling this session: the profiler stops and nothing more is recorded or sent. */
  let stopped = false;
  const stopProfiling = (): void => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    for (const chunk of queue) ledger?.({ dropped: chunk.info.chunkKey });
    queue.length = 0;
    queuedBytes = 0;
    try {
      profiler.stop();
      allocations?.stop();
      spans.stop();
      session.disconnect();
    } catch {
      // Already stopped.
    }
    socket?.end();
  };

  const timer = setInterval(() => {
    try {
      // While paused there is no chunk to take; chunks the agent has not had yet are still sent.
      const chunk = paused ? undefined : takeChunk();
      if (chunk) enqueue(chunk);
      else if (queue.length > 0) flush();
    } catch (error) {
      note(`a chunk was lost: ${error instanceof Error ? error.message : String(error)}`);
    }
  }, chunkMillis);
  timer.unref();
  connectToAgent();

  /** Takes the last chunk and writes what was not sent to the spool, synchronously: the process is ending. */
  const saveUnsent = (): void => {
    if (stopped) return;
    clearInterval(timer);
    try {
      const last = paused ? undefined : takeChunk('last');
      if (last) queue.push(last);
      session.disconnect();
    } catch {
      // The program is ending either way.
    }
    const unsent = [...inFlight.values(), ...queue];
    if (unsent.length === 0) return;
    if (!spoolDir) {
      note(`${unsent.length} chunk(s) could not reach the agent and were dropped`);
      for (const chunk of unsent) ledger?.({ dropped: chunk.info.chunkKey });
      return;
    }
    spool(unsent, dropped);
  };

  /** Writes chunks to the spool directory, synchronously: at exit, or when the debugger asks while it has the program paused. */
  let spooledFiles = 0;
  const spool = (chunks: Chunk[], droppedBefore: number): void => {
    if (!spoolDir) return;
    try {
      mkdirSync(spoolDir, { recursive: true, mode: 0o700 });
      chunks.forEach((chunk, i) => {
        const name = `${process.pid}-${workerThreads.threadId}-${Date.now()}-${spooledFiles++}`;
        const temporary = join(spoolDir, `${name}.tmp`);
        writeFileSync(temporary, paramsJson(chunk, i === 0 ? droppedBefore : 0), { mode: 0o600 });
        renameSync(temporary, join(spoolDir, `${name}${SPOOL_SUFFIX}`));
        ledger?.({ spooled: chunk.info.chunkKey });
      });
    } catch (error) {
      note(`${chunks.length} chunk(s) could not be saved for the agent: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  /**
   * The control a debugger calls (PROBE_CONTROL_KEY in probeProtocol.ts). A chunk handed over is sent at once: a
   * socket write is attempted synchronously, so it usually leaves even while a breakpoint holds the event loop;
   * the spooled copy covers the rest (the agent stores a chunk once, by its key).
   */
  let paused = false;
  const handOver = (chunk: Chunk | undefined, options: ProbeControlOptions): void => {
    if (!chunk) return;
    if (options.spool) spool([chunk], 0);
    enqueue(chunk);
  };
  const control = (command: unknown, options: unknown): ProbeControlState => {
    const wanted: ProbeControlOptions = typeof options === 'object' && options !== null ? (options as ProbeControlOptions) : {};
    try {
      if (stopped) return 'stopped';
      if (command === 'pause' && !paused) {
        paused = true;
        handOver(takeChunk('pause'), wanted);
      } else if (command === 'resume' && paused) {
        profiler.resume();
        allocations?.start();
        chunkStartMs = Date.now();
        paused = false;
      } else if (command === 'take' && !paused) {
        handOver(takeChunk(), wanted);
      }
    } catch (error) {
      note(`the debugger's request could not be done: ${error instanceof Error ? error.message : String(error)}`);
    }
    return stopped ? 'stopped' : paused ? 'paused' : 'profiling';
  };
  Object.defineProperty(globalThis, Symbol.for(PROBE_CONTROL_KEY), { value: control, enumerable: false, configurable: true, writable: false });
  process.on('exit', saveUnsent);

  // Signals reach the main thread only.
  if (env[PROBE_ENV.spoolOnSignal] === '1' && workerThreads.isMainThread) {
    // SIGTERM's default action ends the process without 'exit': the samples since the last chunk would be lost.
    // The probe acts only when the program has no handler of its own (which then decides), and ends the program
    // with the signal itself, as the default action would have.
    const onTerminate = (): void => {
      if (process.listenerCount('SIGTERM') > 1) return;
      saveUnsent();
      stopped = true;
      process.off('SIGTERM', onTerminate);
      process.kill(process.pid, 'SIGTERM');
    };
    process.on('SIGTERM', onTerminate);
  }
}

/** The span labels of a chunk's samples, by their times in the profile as V8 took it. */
function spanLabelsOf(profile: V8ProfileChunk, spans: SpanLabels): SampleLabelSets | undefined {
  const times = sampleTimesOf(profile as Parameters<typeof sampleTimesOf>[0]);
  return times && spans.take(times);
}

/** The labels of the samples the probe kept (its own samples removed, ownSamples.ts), in the kept profile's order. */
function keptLabels(labels: SampleLabelSets, taken: V8ProfileChunk, kept: V8ProfileChunk): SampleLabelSets | undefined {
  if (kept === taken) return labels;
  // A sample is dropped when its node is: neither kept nor a pass-through frame (whose samples its parent took).
  const keptNodes = new Set((kept as { nodes?: { id: number }[] }).nodes?.map(node => node.id));
  const nodes = (taken as { nodes?: { id: number; callFrame?: { url?: string } }[] }).nodes ?? [];
  const dropped = new Set(nodes.filter(node => !keptNodes.has(node.id) && !PASS_THROUGH_SCRIPTS.has(node.callFrame?.url ?? '')).map(node => node.id));
  const ofSample = labels.ofSample.filter((_, i) => !dropped.has(taken.samples![i] as number));
  return ofSample.length === kept.samples?.length ? { sets: labels.sets, ofSample } : undefined;
}

/** Tests only (PROBE_ENV.ledger): appends one JSON line per event to the file; nothing when the variable is unset. */
function ledgerWriter(file: string | undefined): ((event: Record<string, unknown>) => void) | undefined {
  if (!file) return undefined;
  return event => {
    try {
      appendFileSync(file, `${JSON.stringify({ pid: process.pid, ...event })}\n`);
    } catch {
      // A test's ledger never harms the program.
    }
  };
}

/** The labels the launcher chose (session, launch configuration, branch...), as JSON in the environment. */
function launcherLabels(): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(env[PROBE_ENV.labels] ?? '{}');
    const labels: Record<string, string> = {};
    if (typeof parsed === 'object' && parsed !== null) {
      for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') labels[key] = value;
    }
    return labels;
  } catch {
    return {};
  }
}

/** What the probe knows of its own process: a child process has its own pid and command. */
function processLabels(): Record<string, string> {
  const script = process.argv[1] ? basename(process.argv[1]) : '';
  const command = [basename(process.argv0 || 'node'), script, ...process.argv.slice(2)].filter(Boolean).join(' ');
  return { pid: String(process.pid), runtime: 'node', runtime_version: process.version, command: command.slice(0, 200) };
}

/**
 * A worker thread's chunks carry its `thread`: its name (Node 24 and later, when the program gave one) and its
 * thread id, unique in the process. The main thread's carry none.
 */
function threadLabels(): Record<string, string> {
  if (workerThreads.isMainThread) return {};
  const name = (workerThreads as { threadName?: unknown }).threadName;
  const named = typeof name === 'string' && name !== '' && name !== 'WorkerThread' ? name : 'worker';
  return { thread: `${named} ${workerThreads.threadId}`.slice(0, 200) };
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** One line on stderr, which the user sees in their terminal or debug console; never a stack trace. */
function note(message: string): void {
  try {
    process.stderr.write(`[icicle] ${message}\n`);
  } catch {
    // Nowhere to say it.
  }
}
