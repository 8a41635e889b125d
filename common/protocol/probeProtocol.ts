/**
 * What the Node.js probe (agent/probe/nodeProbe.ts) and the agent say to each other. The probe runs inside the
 * user's program, so this module has no imports at all: the probe's bundle carries only these names and types,
 * and agentProtocol.ts adds the schemas the agent validates them with.
 */

/** The client kind the probe gives in its handshake. */
export const PROBE_CLIENT = 'probe';

/** The method by which a probe hands over one chunk of a V8 CPU profile. Probe → agent, a request. */
export const INGEST_PROFILE_METHOD = 'icicle/ingestProfile';

export interface IngestProfileParams {
  /** The chunk as V8 wrote it: `.cpuprofile` JSON text. */
  profile: string;
  /** Wall-clock time of the chunk's first sample, in milliseconds since the epoch. */
  startMs: number;
  /** Labels for every sample of the chunk: the launcher's (session, branch...) plus the probe's (pid, runtime). */
  labels: Record<string, string>;
  /** Chunks the probe dropped before this one because the agent was away and its buffer was full. */
  droppedChunks: number;
  /**
   * The chunk's idempotency key, `<probe run id>:<chunk number>`: the same whether the chunk is sent, sent again or
   * spooled, so the store keeps it once (absent from older probes, whose chunks are keyed by their content).
   */
  chunkKey?: string;
}

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
} as const;

/** A spooled chunk's file name ends so: the agent imports such files and deletes them once stored. */
export const SPOOL_SUFFIX = '.icicle-chunk.json';
