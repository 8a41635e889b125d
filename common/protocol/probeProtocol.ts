/**
 * What the Node.js probe (agent/probe/nodeProbe.ts) and the agent say to each other. The probe runs inside the
 * user's program, so this module has no imports at all: the probe's bundle carries only these names and types,
 * and agentProtocol.ts adds the schemas the agent validates them with.
 */

/** The client kind the probe gives in its handshake. */
export const PROBE_CLIENT = 'probe';

/** The method by which a probe hands over one chunk of its V8 CPU profile (IngestProfileParams). Probe → agent, a request. */
export const INGEST_PROFILE_METHOD = 'icicle/ingestProfile';

/**
 * A V8 CPU profile as the inspector gives it (`Profiler.Profile`: nodes, startTime, endTime, samples, timeDeltas),
 * a JSON value in the message, never a string inside it. The agent's V8 reader checks the rest.
 */
export interface V8CpuProfile {
  nodes: unknown[];
  [key: string]: unknown;
}

/**
 * V8's sampling heap profile as the inspector gives it (`HeapProfiler.SamplingHeapProfile`: a `head` node with
 * `callFrame`, `selfSize` in bytes and `children`), a JSON value in the message. The agent's heap profile reader
 * checks the rest.
 */
export interface V8HeapProfile {
  head: unknown;
  [key: string]: unknown;
}

/**
 * A recorded profile, tagged with its format, so that the agent reads it with that format's reader and never guesses
 * from its content: the probe's chunks are V8's profiles; a perf window (Linux perf on a native process) is the text
 * of `perf script`. A probe chunk recorded with allocation sampling (PROBE_ENV.allocations) carries the bytes
 * allocated during the chunk beside its CPU profile: one chunk, one key, one store transaction for both types.
 */
export type RecordedPayload =
  | { format: 'v8'; profile: V8CpuProfile; heapProfile?: V8HeapProfile; sampleLabels?: SampleLabelSets; spanWalls?: SpanWallTimes }
  | { format: 'perf'; text: string };

/**
 * The labels of a chunk's CPU samples, compactly: the distinct label sets, and per sample of the profile (in the
 * order of its `samples`) the index of its set, or -1 for a sample without labels. A request's samples share a
 * set, so a chunk of thousands of samples carries a few dozen sets.
 */
export interface SampleLabelSets {
  sets: Record<string, string>[];
  ofSample: number[];
}

/**
 * How long the OpenTelemetry spans that ended since the last chunk lasted, wall clock, beside the CPU their samples
 * took (agent/probe/spanWalls.ts): only local root spans (a request's server span), so that a trace's wall time is
 * counted once. Each span is sent in one chunk only, the first taken after it ended.
 */
export interface SpanWallTimes {
  spans: SpanWallTime[];
  /** Spans seen but not followed to their end since the last chunk, because too many were waiting to end. */
  dropped: number;
}

export interface SpanWallTime {
  /** The span's labels, as its CPU samples carry them (SPAN_LABEL_KEYS; span_id is the span's own). */
  labels: Record<string, string>;
  /** When the span started, milliseconds since the epoch (OpenTelemetry's clock). */
  startMs: number;
  /** How long it lasted, from start to end, in nanoseconds. */
  wallNs: number;
}

/**
 * The labels the probe gives a CPU sample taken while an OpenTelemetry span was active (agent/probe/spanLabels.ts):
 * declared once here, where the probe, the agent and the editor find them.
 * - trace_id, span_id: the active span's ids (hex, as OpenTelemetry writes them);
 * - span_name: the name of the trace's local root span (the server span of an HTTP request);
 * - http_route: that root span's `http.route` attribute, else its URL path without the query string.
 */
export const SPAN_LABEL_KEYS = { traceId: 'trace_id', spanId: 'span_id', spanName: 'span_name', httpRoute: 'http_route' } as const;

/** What is recorded with every profile, whatever its format. */
export interface RecordedProfileInfo {
  /** Wall-clock time of the profile's first sample, in milliseconds since the epoch. */
  startMs: number;
  /** Labels for every sample: the launcher's (session, branch...) plus the recorder's (pid, runtime). */
  labels: Record<string, string>;
  /** Chunks the probe dropped before this one because the agent was away and its buffer was full. */
  droppedChunks: number;
  /**
   * The chunk's idempotency key, `<probe run id>:<chunk number>`: the same whether the chunk is sent, sent again or
   * spooled, so the store keeps it once (absent from perf windows, which are keyed by their content).
   */
  chunkKey?: string;
}

/** One recorded profile handed to the agent: a probe's chunk (sent or spooled) or a perf window. */
export type IngestProfileParams = RecordedPayload & RecordedProfileInfo;

export interface IngestProfileResult {
  rows: number;
  profileId: string;
  /** The same chunk had been stored already (a retry, or a spooled copy). */
  alreadyStored: boolean;
  /** The user stopped profiling this session: the probe stops its profiler and sends nothing more. */
  stop: boolean;
}

/**
 * The JSON-RPC error code with which the agent refuses a chunk it could not store for now (the disk is full, the
 * store cannot be written): the probe keeps such a chunk and sends it again later, within its buffer.
 */
export const STORE_UNAVAILABLE_CODE = -32013;

/**
 * The environment a launcher (the extension's debug integration, `icicle record`) gives a profiled process.
 * NODE_OPTIONS carries `--require <probe>`; the rest tells the probe where to send and how to sample.
 */
export const PROBE_ENV = {
  socket: 'ICICLE_AGENT_SOCKET',
  spool: 'ICICLE_SPOOL_DIR',
  labels: 'ICICLE_LABELS',
  intervalMicros: 'ICICLE_SAMPLING_INTERVAL_US',
  chunkMillis: 'ICICLE_CHUNK_MS',
  bufferMegabytes: 'ICICLE_PROBE_BUFFER_MB',
  /** "1": the probe also samples heap allocations (V8's sampling heap profiler) and sends them with each chunk. */
  allocations: 'ICICLE_PROBE_ALLOCATIONS',
  /** The mean bytes between two sampled allocations; 512 KiB by default, as `node --heap-prof`'s. */
  allocationIntervalBytes: 'ICICLE_ALLOCATION_INTERVAL_BYTES',
  /**
   * "1": on SIGTERM, when the program has no handler of its own, the probe spools what it recorded and then ends
   * the program with the signal. Only for launchers that kill on a second SIGTERM (`icicle record`): a program
   * that never yields to its event loop cannot run the probe's handler and would otherwise not end.
   */
  spoolOnSignal: 'ICICLE_SPOOL_ON_SIGTERM',
  /**
   * Tests only: a file to which the probe appends one JSON line per chunk it makes (`{"chunk","samples"}`) and per
   * chunk's fate (`{"acked"}`, `{"spooled"}`, `{"dropped"}`), so a test compares what was stored with what the probe
   * measured.
   */
  ledger: 'ICICLE_PROBE_LEDGER',
  /**
   * "1": the probe is loaded into a program already running (the extension's "Start Profiling" on a debug session
   * started without it), whose optimized code V8's new profiler could not attribute: the probe has V8 drop it first.
   */
  loadedLate: 'ICICLE_PROBE_LOADED_LATE',
  /**
   * "0": the probe does not label samples with the program's OpenTelemetry spans (SPAN_LABEL_KEYS), even when the
   * program is traced; for measuring what the labelling costs (bench/spansOverhead.ts, in `npm run bench --
   * overhead`), and a way out.
   */
  spans: 'ICICLE_PROBE_SPANS',
  /** Tests only: how often the probe's keep-alive profile is replaced when no debugger may see it (60 s). */
  keepAliveMillis: 'ICICLE_KEEP_ALIVE_MS',
} as const;

/**
 * A spooled chunk's file name ends so: the agent imports such files and deletes them once stored. A file holds one
 * IngestProfileParams as JSON; files written by probes before the format tag hold `{profile: "<V8 profile as JSON
 * text>", startMs, labels, droppedChunks, chunkKey?}` (LegacySpooledChunk), which the agent still reads.
 */
export const SPOOL_SUFFIX = '.icicle-chunk.json';

/** A chunk as probes spooled it before chunks were tagged with their format: the V8 profile as JSON text. */
export interface LegacySpooledChunk extends RecordedProfileInfo {
  profile: string;
}

/**
 * The probe's control, for a debugger: a function the probe puts on `globalThis` under `Symbol.for(PROBE_CONTROL_KEY)`
 * (not enumerable), which the extension calls by evaluating an expression in the program through the debug adapter
 * (extension/recording/probeControl.ts). The debugger reaches the program at once, while it runs and while it is
 * paused at a breakpoint, where the probe's socket and timers cannot be heard. It never throws; it returns the
 * probe's state after the command.
 * - `pause`: the current chunk ends and is handed over (sent, and with `spool` also written to the spool directory
 *   synchronously, for when the program is paused and its event loop cannot finish sending); no sample is taken
 *   into a chunk until `resume` (V8's profiler stays alive under the keep-alive profile, for correct attribution).
 * - `resume`: a new chunk begins. `take`: the current chunk is handed over now and the next begins. `state`: nothing.
 */
export const PROBE_CONTROL_KEY = 'icicle.probe';

export type ProbeControlCommand = 'pause' | 'resume' | 'take' | 'state';

/** The probe's state, as its control answers: profiling, paused, or stopped for good (by the agent's `stop`). */
export type ProbeControlState = 'profiling' | 'paused' | 'stopped';

export interface ProbeControlOptions {
  /** Also write the chunk handed over to the spool directory, synchronously. */
  spool?: boolean;
}
