import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * OpenTelemetry's context as @opentelemetry/api 1.x keeps it, without the package: the API registers itself on
 * `globalThis` under OTEL_API_KEY (`.context` is the context manager), and a context holds the active span under
 * SPAN_KEY. What the probe's span labels read (agent/probe/spanLabels.ts), for tests and benchmarks in one process.
 */
export const OTEL_API_KEY = Symbol.for('opentelemetry.js.api.1');
export const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

export class Context {
  constructor(private readonly values = new Map<symbol, unknown>()) {}
  getValue(key: symbol): unknown {
    return this.values.get(key);
  }
  setValue(key: symbol, value: unknown): Context {
    return new Context(new Map(this.values).set(key, value));
  }
}

/** As @opentelemetry/context-async-hooks' AsyncLocalStorageContextManager does it. */
export class ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.storage.getStore() ?? new Context();
  }
  with<R>(context: Context, fn: (...args: unknown[]) => R, thisArg?: unknown, ...args: unknown[]): R {
    return this.storage.run(context, () => fn.call(thisArg, ...args));
  }
}

/** An HrTime as the SDK makes it from `performance.timeOrigin + performance.now()`: [seconds, nanoseconds] since the epoch. */
function hrTimeNow(): [number, number] {
  const ms = performance.timeOrigin + performance.now();
  const seconds = Math.trunc(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

/**
 * A span shaped like @opentelemetry/sdk-trace's Span (2.x, 1.x alike) in what the probe reads: its context, name, kind,
 * attributes, parent, and the times `end()` fixes (`startTime`, `endTime`, `duration` as HrTime, `ended`), computed as
 * the SDK computes them. `withoutDuration`: a span that has only its start and end times.
 */
export class SdkLikeSpan {
  readonly startTime = hrTimeNow();
  endTime: [number, number] = [0, 0];
  private _duration: [number, number] = [-1, -1];
  private _ended = false;
  readonly parentSpanContext: { traceId: string; spanId: string; isRemote: boolean } | undefined;

  constructor(
    private readonly traceId: string,
    private readonly spanId: string,
    readonly name: string,
    readonly attributes: Record<string, unknown>,
    parentSpanId?: string,
    readonly kind = parentSpanId ? 0 : 1,
    private readonly withoutDuration = false,
  ) {
    this.parentSpanContext = parentSpanId ? { traceId, spanId: parentSpanId, isRemote: false } : undefined;
  }

  spanContext(): { traceId: string; spanId: string; traceFlags: number } {
    return { traceId: this.traceId, spanId: this.spanId, traceFlags: 1 };
  }

  end(): void {
    if (this._ended) return;
    this.endTime = hrTimeNow();
    let seconds = this.endTime[0] - this.startTime[0];
    let nanos = this.endTime[1] - this.startTime[1];
    if (nanos < 0) {
      seconds -= 1;
      nanos += 1e9;
    }
    this._duration = [seconds, nanos];
    this._ended = true;
  }

  get duration(): [number, number] | undefined {
    return this.withoutDuration ? undefined : this._duration;
  }

  get ended(): boolean {
    return this._ended;
  }
}
