import { createHook } from 'node:async_hooks';
import { SpanLabels } from '../agent/probe/spanLabels';
import { Context, ContextManager, OTEL_API_KEY, SPAN_KEY } from '../test/support/otelContext';
import { median } from './storage/benchTiming';

/**
 * What span labelling costs per callback, in one process: 32 concurrent tasks, each in its own span under an
 * AsyncLocalStorage context manager registered as @opentelemetry/api registers one, each 5 `await`s and 5
 * `setImmediate`s (about 26 callbacks and promise reactions). Batches alternate: off, then SpanLabels watching; off,
 * then empty async_hooks `before`/`after` (the floor: Node's dispatch of any such hook). Each batch is timed in CPU
 * time, which other processes on the cores barely move, and each side's cost is the median of its differences to the
 * off batch just before it. `node --import tsx bench/spansHookCost.ts [pairs]` (docs/handoff/spansOverhead.md has figures).
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

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** CPU nanoseconds per task over 20 rounds of the 32 tasks. */
async function batch(): Promise<number> {
  const started = cpuMicros();
  for (let round = 0; round < 20; round++) await Promise.all(spans.map((span, i) => manager.with(new Context().setValue(SPAN_KEY, span), () => task(i))));
  return ((cpuMicros() - started) * 1000) / (20 * spans.length);
}

/** Turns one side on, and returns what turns it off again. */
const sides: Record<string, () => () => void> = {
  'span labels': () => {
    const labels = new SpanLabels();
    labels.watchIfTraced();
    return () => {
      labels.take([]);
      labels.stop();
    };
  },
  'empty before/after hooks': () => {
    const hook = createHook({ before() {}, after() {} }).enable();
    return () => hook.disable();
  },
};

async function main(): Promise<void> {
  const pairs = Number(process.argv[2] ?? 60);
  const off: number[] = [];
  const added: Record<string, number[]> = Object.fromEntries(Object.keys(sides).map(side => [side, []]));
  for (let i = 0; i < 5; i++) await batch();
  for (let i = 0; i < pairs; i++) {
    for (const [side, turnOn] of Object.entries(sides)) {
      const without = await batch();
      off.push(without);
      const turnOff = turnOn();
      added[side]!.push((await batch()) - without);
      turnOff();
    }
  }
  console.log(`per task (5 awaits, 5 setImmediate), CPU time, ${pairs} pairs: ${median(off).toFixed(0)} ns with nothing`);
  for (const side of Object.keys(sides)) console.log(`  ${side}: +${median(added[side]!).toFixed(0)} ns (median of the paired differences)`);
}

void main();
