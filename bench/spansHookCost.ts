import { SpanLabels } from '../agent/probe/spanLabels';
import { Context, ContextManager, OTEL_API_KEY, SPAN_KEY } from '../test/support/otelContext';
import { median } from './storage/benchTiming';

/**
 * What span labelling costs per callback, in one process and so immune to the machine's load: 32 concurrent tasks,
 * each in its own span under an AsyncLocalStorage context manager registered as @opentelemetry/api registers one,
 * each 5 `await`s and 5 `setImmediate`s; batches alternate with SpanLabels watching and not. Prints the median time
 * per task of each side. `node --import tsx bench/spansHookCost.ts` (see HANDOFF-spans.md).
 */

const manager = new ContextManager();
(globalThis as Record<symbol, unknown>)[OTEL_API_KEY] = { version: '1.9.0', context: manager };
const spans = Array.from({ length: 32 }, (_, i) => ({ spanContext: () => ({ traceId: String(i).padStart(32, '0'), spanId: String(i).padStart(16, '0') }) }));

async function task(i: number): Promise<number> {
  let x = 0;
  for (let k = 0; k < 5; k++) {
    await null;
    await new Promise(resolve => setImmediate(resolve));
    x += k;
  }
  return x + i;
}

/** Nanoseconds per task over 20 rounds of the 32 tasks. */
async function batch(): Promise<number> {
  const started = process.hrtime.bigint();
  for (let round = 0; round < 20; round++) await Promise.all(spans.map((span, i) => manager.with(new Context().setValue(SPAN_KEY, span), () => task(i))));
  return Number(process.hrtime.bigint() - started) / (20 * spans.length);
}

async function main(): Promise<void> {
  const labels = new SpanLabels();
  const on: number[] = [];
  const off: number[] = [];
  for (let i = 0; i < 30; i++) {
    off.push(await batch());
    labels.watchIfTraced();
    on.push(await batch());
    labels.take([]);
    labels.stop();
  }
  console.log(`per task (5 awaits, 5 setImmediate): ${median(off).toFixed(0)} ns off, ${median(on).toFixed(0)} ns on, +${(median(on) - median(off)).toFixed(0)} ns`);
}

void main();
