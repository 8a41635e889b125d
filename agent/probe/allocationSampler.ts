import type { Session } from 'node:inspector';
import type { V8HeapProfile } from '../../common/protocol/probeProtocol';
import { post } from './chunkedProfiler';

/** One node of V8's sampling heap profile, as much of it as the probe touches. */
interface HeapNode {
  callFrame?: { url?: string };
  selfSize?: number;
  children?: HeapNode[];
}

/**
 * V8's sampling heap profiler (the inspector's `HeapProfiler.startSampling`), read in chunks beside the CPU profiler:
 * every chunk holds the bytes allocated while it ran, whether or not they were collected since.
 *
 * How V8 behaves (Node 20, measured in this probe's tests and docs/handoff/allocations.md):
 * - By default the profile holds only allocations still alive: V8 forgets a sample when the garbage collector frees
 *   its object, so a function that allocates much and keeps nothing would show nothing. The two flags
 *   `includeObjectsCollectedByMajorGC` and `includeObjectsCollectedByMinorGC` keep every sample: allocated bytes,
 *   not retained ones, which is what `alloc_space` means.
 * - With those flags `getSamplingProfile` returns every sample since the start, so a long run would grow a
 *   profile without bound (and each chunk would have to pick its new samples by their ordinals). Stopping and
 *   starting the sampler instead ends one profile and begins an empty one: each chunk counts only its own
 *   allocations, and the probe holds at most one chunk's samples. Unlike the CPU profiler's restart (which loses
 *   inlining information, chunkedProfiler.ts), the heap sampler's stacks are walked at each sampled allocation, so a
 *   restart loses nothing but the allocations of the instant between the two calls.
 * - Node sizes (`selfSize`) are already scaled by V8 to estimate all bytes allocated there, not only the sampled
 *   objects' own sizes, so the importer sums them as they are.
 *
 * Only the main thread's isolate is sampled, like the CPU profile; the probe's own allocations (serialising chunks)
 * are dropped like its CPU samples (ownSamples.ts).
 */
export class AllocationSampler {
  private running = false;

  constructor(
    private readonly session: Session,
    private readonly intervalBytes: number,
  ) {
    post(session, 'HeapProfiler.enable');
    this.start();
  }

  /** Ends the current chunk's sampling and returns its profile; unless `last`, the next chunk has already begun. */
  take(ownScripts: ReadonlySet<string>, last = false): V8HeapProfile | undefined {
    if (!this.running) return undefined;
    const profile = (post(this.session, 'HeapProfiler.stopSampling') as { profile?: V8HeapProfile } | undefined)?.profile;
    this.running = false;
    if (!last) this.start();
    return profile && withoutOwnAllocations(profile, ownScripts);
  }

  /** Ends sampling without keeping the current chunk. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    post(this.session, 'HeapProfiler.stopSampling');
  }

  /** Begins sampling again after a last `take` (the probe paused, then resumed). */
  start(): void {
    if (this.running) return;
    post(this.session, 'HeapProfiler.startSampling', { samplingInterval: this.intervalBytes, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    this.running = true;
  }
}

/**
 * The profile without the subtrees of the probe's own scripts, and without `samples` (the importer reads the
 * tree's sizes; the per-sample list would only double the chunk). Undefined when nothing was allocated.
 */
export function withoutOwnAllocations(profile: V8HeapProfile, ownScripts: ReadonlySet<string>): V8HeapProfile | undefined {
  let bytes = 0;
  const prune = (node: HeapNode): HeapNode => {
    bytes += node.selfSize ?? 0;
    const children = (node.children ?? []).filter(child => !ownScripts.has(child.callFrame?.url ?? '')).map(prune);
    return { ...node, children };
  };
  const head = prune(profile.head as HeapNode);
  if (bytes === 0) return undefined;
  return { head };
}
