import { SourceMapResolver, type SourceMapResolverOptions } from './sourceMapResolver';

/** A recording silent this long has ended, or will reload its maps when it speaks again: its resolver is dropped. */
export const IDLE_RECORDING_MS = 60_000;
/** Recordings whose resolvers are kept at once; beyond this the least recently used is dropped. */
export const MAX_RECORDINGS = 16;

/**
 * One source-map resolver per recording, kept across its chunks: a program's scripts and maps are read at its first
 * chunk and again only when a file changes (the resolver checks each script's files' size and modification time at
 * every chunk), rather than for every 5-second chunk. A recording is known by its session (`session_id`, given by
 * every launcher), else by its probe's run (the chunk key's prefix), else its process. A resolver holds its maps
 * decoded, so one idle for IDLE_RECORDING_MS is dropped, and at most MAX_RECORDINGS are kept.
 */
export class RecordingSourceMaps {
  private readonly resolvers = new Map<string, { resolver: SourceMapResolver; usedMs: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SourceMapResolverOptions = {}) {}

  /** The resolver of the recording these labels and chunk key belong to. */
  resolverFor(labels: Readonly<Record<string, string>>, chunkKey: string | undefined, nowMs = Date.now()): SourceMapResolver {
    this.dropIdle(nowMs);
    const recording = recordingOf(labels, chunkKey);
    let entry = this.resolvers.get(recording);
    // Re-inserted on each use: the map's order is then least recently used first.
    if (entry !== undefined) this.resolvers.delete(recording);
    entry ??= { resolver: new SourceMapResolver({ ...this.options, revalidate: true }), usedMs: nowMs };
    entry.usedMs = nowMs;
    this.resolvers.set(recording, entry);
    while (this.resolvers.size > MAX_RECORDINGS) this.resolvers.delete(this.resolvers.keys().next().value!);
    this.scheduleSweep();
    return entry.resolver;
  }

  /** Recordings with a resolver now. */
  get size(): number {
    return this.resolvers.size;
  }

  /** Drops every resolver (the agent is shutting down). */
  clear(): void {
    this.resolvers.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private dropIdle(nowMs: number): void {
    for (const [recording, entry] of this.resolvers) if (nowMs - entry.usedMs >= IDLE_RECORDING_MS) this.resolvers.delete(recording);
  }

  /** Drops idle resolvers once no chunk came for a while, without keeping the agent alive for it. */
  private scheduleSweep(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dropIdle(Date.now());
      if (this.resolvers.size > 0) this.scheduleSweep();
    }, IDLE_RECORDING_MS);
    this.timer.unref();
  }
}

function recordingOf(labels: Readonly<Record<string, string>>, chunkKey: string | undefined): string {
  const session = labels['session_id'];
  if (session !== undefined) return `session:${session}`;
  const run = chunkKey?.slice(0, chunkKey.lastIndexOf(':'));
  if (run) return `run:${run}`;
  return `pid:${labels['pid'] ?? ''}`;
}
