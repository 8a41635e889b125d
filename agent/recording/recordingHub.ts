import { storageProblem } from '../../common/errors';
import type { IngestProfileParams, IngestProfileResult } from '../../common/protocol/probeProtocol';
import type { Store } from '../../storage/store';
import { RecordingSourceMaps } from '../import/sourceMaps/recordingSourceMaps';
import { labelKey } from '../import/importedProfile';
import { storeRecordedProfile, type RecordedProfile } from './storeRecordedProfile';

import type { SamplesStoredNotification } from '../../common/protocol/agentProtocol';

type StoredListener = (stored: SamplesStoredNotification.Params) => void;
type EndedListener = (sessionId: string) => void;
type ProblemListener = (problem: string | undefined) => void;

/** A recording the agent runs itself (perf on a process), which stopping a session must stop. */
export interface Collector {
  stop(): Promise<void>;
  done(): Promise<void>;
}

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
  private readonly endedListeners = new Set<EndedListener>();
  private readonly collectors = new Map<string, Collector>();
  private readonly problemListeners = new Set<ProblemListener>();
  /** Why the store refuses recorded profiles now (a full disk), until one is stored again. */
  private storeProblem: string | undefined;
  /** Each recording's source maps, read once across its chunks. */
  private readonly sourceMaps = new RecordingSourceMaps();

  constructor(private readonly store: Store) {}

  /** Stores a probe's chunk or a perf window; the answer tells the probe whether to stop. */
  ingest(params: IngestProfileParams): Promise<IngestProfileResult> {
    return this.ingestRecorded(params);
  }

  /** Stores a recorded profile, also one whose format only its content tells (a scraped endpoint's). */
  async ingestRecorded(recorded: RecordedProfile): Promise<IngestProfileResult> {
    let result: Awaited<ReturnType<typeof storeRecordedProfile>>;
    try {
      result = await storeRecordedProfile(this.store, recorded, this.sourceMaps.resolverFor(recorded.labels, recorded.chunkKey));
    } catch (error) {
      const problem = storageProblem(error);
      if (problem !== undefined) this.setStoreProblem(problem);
      throw error;
    }
    this.setStoreProblem(undefined);
    const sessionId = recorded.labels['session_id'];
    if (!result.alreadyStored && result.rows > 0) this.announceStored({ sessionId, rows: result.rows, labels: storedLabels(recorded.labels, result.profileId) });
    return { ...result, stop: sessionId !== undefined && this.stopped.has(sessionId) };
  }

  stop(sessionId: string): void {
    this.stopped.add(sessionId);
    if (this.stopped.size > MAX_STOPPED_SESSIONS) this.stopped.delete(this.stopped.values().next().value!);
    void this.collectors.get(sessionId)?.stop();
  }

  /** Runs a collector for a session: stopping the session stops it, and listeners hear when it has ended. */
  addCollector(sessionId: string, collector: Collector): void {
    this.collectors.set(sessionId, collector);
    void collector.done().then(() => {
      this.collectors.delete(sessionId);
      this.endedListeners.forEach(listener => listener(sessionId));
    });
  }

  /** Stops every collector (the agent is shutting down), keeping what each recorded. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.collectors.values()].map(c => c.stop()));
    this.sourceMaps.clear();
  }

  onEnded(listener: EndedListener): () => void {
    this.endedListeners.add(listener);
    return () => this.endedListeners.delete(listener);
  }

  private setStoreProblem(problem: string | undefined): void {
    if (problem === this.storeProblem) return;
    this.storeProblem = problem;
    this.problemListeners.forEach(listener => listener(problem));
  }

  /** Calls `listener` with the store's problem now (if any) and on each change; returns the unsubscriber. */
  onStoreProblem(listener: ProblemListener): () => void {
    this.problemListeners.add(listener);
    // After the current turn, so that a client subscribed during its handshake has the handshake's answer first.
    setImmediate(() => {
      if (this.problemListeners.has(listener) && this.storeProblem !== undefined) listener(this.storeProblem);
    });
    return () => this.problemListeners.delete(listener);
  }

  /**
   * Tells the listeners that samples landed: a recorded chunk (from `ingestRecorded`), or a profile file the editor
   * opened, which the language server's costs may be following.
   */
  announceStored(stored: SamplesStoredNotification.Params): void {
    this.listeners.forEach(listener => listener(stored));
  }

  /** Calls `listener` after each stored chunk or opened profile; returns the function that unsubscribes it. */
  onStored(listener: StoredListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The labels every row of a recorded profile carries, as importToStore writes them (keys made valid, its profile_id). */
function storedLabels(given: Record<string, string>, profileId: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(given)) labels[labelKey(key)] = value;
  labels['profile_id'] = profileId;
  return labels;
}
