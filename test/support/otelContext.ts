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
