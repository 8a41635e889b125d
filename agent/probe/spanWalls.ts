import type { SpanWallTime, SpanWallTimes } from '../../common/protocol/probeProtocol';
import { labelsOf, type SpanLike } from './spanReading';

/**
 * How long each local root span the probe saw lasted, wall clock: sent beside the CPU its samples took, so that a
 * request's time splits into running and waiting. The probe sees a span when one of its callbacks runs
 * (spanLabels.ts); it follows the trace's local root (the server span of a request) until the SDK says it `ended`,
 * and sends it in the first chunk taken after that, once: a span seen again after it ended (a late callback in its
 * context) is remembered in a WeakSet and not sent twice. Only local roots are sent: a trace's child spans lie within
 * its root, so summing wall time over a trace (or a route) would count their time again.
 *
 * Spans that never end (a leak in the program) would be held for ever: at most MAX_WAITING are followed, and the ones
 * seen past that are counted as dropped, not kept.
 */
export const MAX_WAITING_SPANS = 10_000;

export class SpanWalls {
  /** Local roots seen and not yet ended, in the order they were seen. */
  private readonly waiting = new Set<SpanLike>();
  /** Spans sent, or dropped: never followed again. Weak: a span ended and sent is the program's to forget. */
  private done = new WeakSet<SpanLike>();
  private dropped = 0;

  constructor(private readonly maxWaiting = MAX_WAITING_SPANS) {}

  /** Follows these local roots until they end (those already followed or done are ignored). */
  follow(roots: Iterable<SpanLike>): void {
    for (const root of roots) {
      if (this.waiting.has(root) || this.done.has(root)) continue;
      // A span without the SDK's `ended` never says when it ends (a non-recording span): nothing to wait for.
      if (typeof root.ended !== 'boolean') continue;
      if (this.waiting.size >= this.maxWaiting) {
        this.dropped++;
        this.done.add(root);
        continue;
      }
      this.waiting.add(root);
    }
  }

  /**
   * The spans that ended since the last chunk with their wall time, or undefined when none did and none was dropped.
   * The spans still running are kept for the next chunk.
   */
  take(): SpanWallTimes | undefined {
    const spans: SpanWallTime[] = [];
    for (const span of this.waiting) {
      let ended: unknown;
      try {
        ended = span.ended;
      } catch {
        ended = true;
      }
      if (ended === false) continue;
      // Deleting the entry being visited is safe in a Set's iteration.
      this.waiting.delete(span);
      this.done.add(span);
      const wall = wallTimeOf(span);
      if (wall) spans.push(wall);
    }
    const dropped = this.dropped;
    this.dropped = 0;
    return spans.length > 0 || dropped > 0 ? { spans, dropped } : undefined;
  }

  /** Profiling stopped for good: nothing is followed any more. */
  clear(): void {
    this.waiting.clear();
    this.done = new WeakSet();
    this.dropped = 0;
  }

  /** How many spans are followed now (for tests). */
  get waitingCount(): number {
    return this.waiting.size;
  }
}

/**
 * An ended span's labels, start and wall time, read from the SDK's fields: `duration` (HrTime), else `endTime`
 * minus `startTime`. Undefined when the span's times or ids cannot be read.
 */
function wallTimeOf(span: SpanLike): SpanWallTime | undefined {
  try {
    const labels = labelsOf(span, new Map());
    const start = hrTime(span.startTime);
    if (!labels || start === undefined) return undefined;
    let wall = hrTime(span.duration);
    if (wall === undefined) {
      const end = hrTime(span.endTime);
      // Seconds and nanoseconds apart: an epoch time in nanoseconds is past a double's exact integers.
      if (end !== undefined) wall = [end[0] - start[0], end[1] - start[1]];
    }
    const wallNs = wall && wall[0] * 1e9 + wall[1];
    if (wallNs === undefined || wallNs < 0) return undefined;
    return { labels, startMs: start[0] * 1000 + start[1] / 1e6, wallNs: Math.round(wallNs) };
  } catch {
    return undefined;
  }
}

/** An HrTime, [seconds, nanoseconds]; undefined when it is not one (the SDK's [-1, -1] before `end`). */
function hrTime(time: unknown): [number, number] | undefined {
  if (!Array.isArray(time) || time.length !== 2) return undefined;
  const [seconds, nanos] = time as unknown[];
  if (typeof seconds !== 'number' || typeof nanos !== 'number' || !Number.isFinite(seconds) || !Number.isFinite(nanos) || seconds < 0 || nanos < 0) return undefined;
  return [seconds, nanos];
}
