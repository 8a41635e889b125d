import { createHook, type AsyncHook } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { SampleLabelSets, SpanWallTimes } from '../../common/protocol/probeProtocol';
import { labelsOf, localRoots, type SpanLike } from './spanReading';
import { SpanWalls } from './spanWalls';

/**
 * Which OpenTelemetry span each CPU sample belonged to, without native code and without loading any package.
 *
 * V8's samples carry times (a profile's startTime plus its timeDeltas, microseconds of the monotonic clock that
 * `process.hrtime` reads too). One thread runs one callback at a time, so the span active at an instant is the span
 * of the callback running then: async_hooks' `before` and `after` tell when each callback starts and ends, and at
 * each `before` the program's own OpenTelemetry context manager says which span is active. The probe keeps only the
 * moments the active span changes (a time and a span); a sample takes the span of the last change before it, so
 * interleaved requests are told apart whatever their order. Samples outside any span get no labels.
 *
 * The program's @opentelemetry/api is found where it registers itself, on `globalThis` under
 * `Symbol.for('opentelemetry.js.api.1')`; the span is read from the active context under the API's span key. Nothing
 * is hooked until that global exists (checked at each chunk), so a program without OpenTelemetry runs as before.
 */

/** Where @opentelemetry/api 1.x registers its globals (its `GLOBAL_OPENTELEMETRY_API_KEY`). */
const OTEL_API_KEY = Symbol.for('opentelemetry.js.api.1');
/** The context key under which @opentelemetry/api keeps the active span (`createContextKey('OpenTelemetry Context Key SPAN')`). */
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');
/** The script name of the probe's wrapper of `with`, under which the program runs (ownSamples.ts keeps those samples). */
export const PASS_THROUGH_URL = 'icicle-probe-span-context.js';
export const PASS_THROUGH_SCRIPTS: ReadonlySet<string> = new Set([PASS_THROUGH_URL]);

/** The wrapper of a context manager's `with`, as text: see SpanLabels.wrapWith. */
const WITH_WRAPPER_SOURCE = `return function icicleWithSpan(context) {
  enter(context);
  try {
    return original.apply(this, arguments);
  } finally {
    leave();
  }
};
//# sourceURL=${PASS_THROUGH_URL}`;

/** Marks the probe's wrapper of a context manager's `with`, so that it is never wrapped twice. */
const WRAPPED = Symbol.for('icicle.probe.spanLabels.with');
/** The most span changes kept between two chunks (about 16 MB): a chunk of a busy server has tens of thousands. */
const MAX_CHANGES = 1 << 20;
/** The change list's first capacity; it doubles when a chunk needs more, up to MAX_CHANGES. */
const FIRST_CAPACITY = 1 << 10;
interface ContextLike {
  getValue(key: symbol): unknown;
}

interface ContextManagerLike {
  active(): ContextLike | undefined;
  with(context: ContextLike, fn: (...args: unknown[]) => unknown, thisArg?: unknown, ...args: unknown[]): unknown;
}

function contextManager(): ContextManagerLike | undefined {
  const api = (globalThis as Record<symbol, { context?: unknown } | undefined>)[OTEL_API_KEY];
  const manager = api?.context as ContextManagerLike | undefined;
  return manager && typeof manager.active === 'function' ? manager : undefined;
}

export class SpanLabels {
  private hook: AsyncHook | undefined;
  /**
   * The moments the active span changed (performance.now(), milliseconds) and the span from then on: the first
   * `count` entries. Written in place, never pushed: changes come at up to two a callback, and pushing onto an array
   * that `slice` made, as this list was kept before, cost 100–180 ns a change against under 20 written in place
   * (docs/handoff/spansOverhead.md).
   */
  private times = new Float64Array(FIRST_CAPACITY);
  private spans = emptySpans(FIRST_CAPACITY);
  private count = 0;
  /** The span active now, as the program sees it. */
  private current: SpanLike | undefined;
  /** The span of the last change recorded: the one samples get from then on (see `leaveCallback`). */
  private recorded: SpanLike | undefined;
  /** The spans active outside the callbacks running now (callbacks nest: an emit inside a callback). */
  private readonly outer: (SpanLike | undefined)[] = [];
  /** performance.now() in milliseconds, plus this, is process.hrtime in microseconds: one clock, read cheaply. */
  private readonly offsetMicros = clockOffsetMicros();
  private manager: ContextManagerLike | undefined;
  /** The local roots seen, followed until they end, for their wall time (spanWalls.ts). */
  private readonly walls: SpanWalls;

  /** `enabled` false: nothing is watched and no sample is labelled (PROBE_ENV.spans). */
  constructor(
    private readonly enabled = true,
    maxWaitingSpans?: number,
  ) {
    this.walls = new SpanWalls(maxWaitingSpans);
  }

  /**
   * Starts watching once the program has loaded @opentelemetry/api (and again if it registers another context
   * manager); returns whether it watches. Two kinds of moment change the active span: a callback begins or ends
   * (async_hooks' `before` and `after`: a request's continuations after an `await`), and code calls the context
   * manager's `with` inside a callback (the HTTP instrumentation runs the `request` event in its server span so): the
   * manager's `with` is wrapped, on the registered instance only, to say so.
   */
  watchIfTraced(): boolean {
    if (!this.enabled) return true;
    const manager = contextManager();
    if (!manager) return this.hook !== undefined;
    if (manager !== this.manager) {
      this.manager = manager;
      this.wrapWith(manager);
    }
    if (!this.hook) {
      this.hook = createHook({ before: () => this.enter(), after: () => this.leaveCallback() });
      this.hook.enable();
    }
    return true;
  }

  /**
   * The program's code runs beneath the wrapper, so the wrapper is compiled from text under its own script name
   * (PASS_THROUGH_URL): its frame is taken out of the chunk and the program's samples beneath it are kept, where the
   * probe's own frames would drop them (ownSamples.ts). Where code cannot be made from text, nothing is wrapped, and
   * the code a `with` runs synchronously goes without its span.
   */
  private wrapWith(manager: ContextManagerLike): void {
    const original = manager.with;
    if (typeof original !== 'function' || (original as { [WRAPPED]?: boolean })[WRAPPED]) return;
    try {
      const make = new Function('original', 'enter', 'leave', WITH_WRAPPER_SOURCE) as (original: unknown, enter: (context: unknown) => void, leave: () => void) => ContextManagerLike['with'];
      const wrapped = make(
        original,
        context => this.enterContext(context),
        () => this.switchTo(this.outer.pop()),
      );
      Object.defineProperty(wrapped, WRAPPED, { value: true });
      manager.with = wrapped;
    } catch {
      // Code generation from strings is disallowed: callbacks are still watched.
    }
  }

  /** A `with` begins: the span of the context it runs in is active until it returns. */
  private enterContext(context: unknown): void {
    let span: SpanLike | undefined;
    try {
      span = this.hook ? ((context as ContextLike | undefined)?.getValue(SPAN_KEY) as SpanLike | undefined) : this.current;
    } catch {
      span = undefined;
    }
    this.outer.push(this.current);
    this.switchTo(span);
  }

  stop(): void {
    this.hook?.disable();
    this.hook = undefined;
    this.times = new Float64Array(FIRST_CAPACITY);
    this.spans = emptySpans(FIRST_CAPACITY);
    this.count = 0;
    this.outer.length = 0;
    this.current = undefined;
    this.recorded = undefined;
    this.walls.clear();
  }

  private enter(): void {
    // A callback that threw ended without its `after`: a stack this deep is such leftovers, not nesting.
    if (this.outer.length > 1000) this.outer.length = 0;
    this.outer.push(this.current);
    let span: SpanLike | undefined;
    try {
      span = this.manager!.active()?.getValue(SPAN_KEY) as SpanLike | undefined;
    } catch {
      span = undefined;
    }
    this.switchTo(span);
  }

  /**
   * A callback ends. When it was the outermost, only the event loop's own work runs until the next callback begins:
   * no change is recorded then, and that work is counted to the span before it (as are `(idle)` samples, which are
   * not CPU time). So consecutive callbacks of one span (a request's promise reactions, one after another in the
   * microtask queue) record no change at all, where each cost two clock reads before (docs/handoff/spansOverhead.md).
   */
  private leaveCallback(): void {
    const span = this.outer.pop();
    if (this.outer.length === 0) this.current = span;
    else this.switchTo(span);
  }

  private switchTo(span: SpanLike | undefined): void {
    this.current = span;
    if (span === this.recorded) return;
    // Stopped: the wrapper of `with` stays on the manager, but nothing is recorded.
    if (!this.hook) return;
    this.recorded = span;
    let at = this.count;
    if (at === this.times.length) at = this.makeRoom();
    // The clock is read only here, once the span is known to have changed: a read costs about 50 ns on this machine.
    this.times[at] = performance.now();
    this.spans[at] = span;
    this.count = at + 1;
  }

  /**
   * Room for one more change: the list doubles, or, when it is at MAX_CHANGES (no chunk taken for long: profiling
   * paused), its oldest half is forgotten. Returns where the next change goes.
   */
  private makeRoom(): number {
    const { times, spans, count } = this;
    if (count < MAX_CHANGES) {
      this.times = new Float64Array(count * 2);
      this.times.set(times);
      this.spans = emptySpans(count * 2);
      for (let i = 0; i < count; i++) this.spans[i] = spans[i];
    } else {
      times.copyWithin(0, count / 2);
      spans.copyWithin(0, count / 2);
      spans.fill(undefined, count / 2);
      this.count = count / 2;
    }
    return this.count;
  }

  /**
   * The labels of a chunk's samples, given the sample times of its profile (before any sample is removed), or
   * undefined when no sample fell in a span. The changes before the chunk's last sample are forgotten, but the last
   * of them, which still holds at the next chunk's start.
   */
  take(sampleTimes: readonly number[]): SampleLabelSets | undefined {
    const { times, spans, count } = this;
    const offsetMicros = this.offsetMicros;
    const setOf = new Map<SpanLike, number>();
    const sets: Record<string, string>[] = [];
    const roots = localRoots(spans, count);
    this.walls.follow(roots.values());
    const ofSample = new Array<number>(sampleTimes.length).fill(-1);
    let change = -1;
    let labelled = false;
    for (let s = 0; s < sampleTimes.length; s++) {
      const at = sampleTimes[s]!;
      while (change + 1 < count && offsetMicros + times[change + 1]! * 1000 <= at) change++;
      const span = change >= 0 ? spans[change] : undefined;
      if (!span) continue;
      let set = setOf.get(span);
      if (set === undefined) {
        const labels = labelsOf(span, roots);
        set = labels ? sets.push(labels) - 1 : -1;
        setOf.set(span, set);
      }
      ofSample[s] = set;
      labelled ||= set >= 0;
    }
    // What holds now is the last change; the rest is history, and its spans are let go.
    if (count > 0) {
      times[0] = times[count - 1]!;
      spans[0] = spans[count - 1];
      spans.fill(undefined, 1, count);
      this.count = 1;
    }
    // A burst grew the list: once chunks need a quarter of it, half of it is given back.
    if (times.length > FIRST_CAPACITY && count < times.length / 4) {
      this.times = times.slice(0, times.length / 2);
      this.spans = spans.slice(0, spans.length / 2);
    }
    return labelled ? { sets, ofSample } : undefined;
  }

  /**
   * The wall time of the local root spans seen (in this chunk's samples or before) that have ended since the last
   * call; those still running wait for a later chunk. Called once a chunk is sure to be sent, after `take`.
   */
  takeWalls(): SpanWallTimes | undefined {
    return this.walls.take();
  }
}

/** A change list's spans: filled, so that the array stays packed and its writes stay fast. */
function emptySpans(length: number): (SpanLike | undefined)[] {
  return new Array<SpanLike | undefined>(length).fill(undefined);
}

/**
 * process.hrtime's microseconds minus performance.now()'s: both read the monotonic clock, from different origins. The
 * first performance.now() of a process takes milliseconds (it loads its binding): a reading taken beside it would be
 * off by that much (measured: 2 ms, which moved samples across span changes). So the clock is read after a warm-up,
 * hrtime between two performance.now() readings, and the tightest of a few such brackets kept.
 */
export function clockOffsetMicros(): number {
  performance.now();
  let best = { width: Infinity, offset: 0 };
  for (let i = 0; i < 5; i++) {
    const before = performance.now() * 1000;
    const hr = Number(process.hrtime.bigint()) / 1000;
    const after = performance.now() * 1000;
    if (after - before < best.width) best = { width: after - before, offset: hr - (before + after) / 2 };
  }
  return best.offset;
}

/** A V8 profile's sample times in microseconds: its start plus the running sum of its deltas. */
export function sampleTimesOf(profile: { startTime?: unknown; timeDeltas?: unknown; samples?: unknown[] }): number[] | undefined {
  const { startTime, timeDeltas, samples } = profile;
  if (typeof startTime !== 'number' || !Array.isArray(timeDeltas) || !Array.isArray(samples) || timeDeltas.length !== samples.length) return undefined;
  const times = new Array<number>(timeDeltas.length);
  let at = startTime;
  for (let i = 0; i < timeDeltas.length; i++) times[i] = at += timeDeltas[i] as number;
  return times;
}
