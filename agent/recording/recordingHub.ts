import type { IngestProfileParams, IngestProfileResult } from '../../common/protocol/probeProtocol';
import type { Store } from '../../storage/store';
import { ingestChunk } from './ingestChunk';

type StoredListener = (sessionId: string | undefined, rows: number) => void;

/** Sessions remembered as stopped; beyond this the oldest are forgotten (their programs have long ended). */
const MAX_STOPPED_SESSIONS = 10_000;

/**
 * Where recorded chunks enter the agent, from the socket or the spool: it stores them, tells listeners (the
 * extension's status bar) how many samples each session gained, and remembers which sessions the user stopped, so
 * that the reply to their next chunk tells their probes to stop.
 */
export class RecordingHub {
  private readonly stopped = new Set<string>();
  private readonly listeners = new Set<StoredListener>();

  constructor(private readonly store: Store) {}

  async ingest(params: IngestProfileParams): Promise<IngestProfileResult> {
    const result = await ingestChunk(this.store, params);
    const sessionId = params.labels['session_id'];
    if (!result.alreadyStored && result.rows > 0) this.listeners.forEach(listener => listener(sessionId, result.rows));
    return { ...result, stop: sessionId !== undefined && this.stopped.has(sessionId) };
  }

  stop(sessionId: string): void {
    this.stopped.add(sessionId);
    if (this.stopped.size > MAX_STOPPED_SESSIONS) this.stopped.delete(this.stopped.values().next().value!);
  }

  /** Calls `listener` after each stored chunk; returns the function that unsubscribes it. */
  onStored(listener: StoredListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
