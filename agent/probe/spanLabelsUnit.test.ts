import * as assert from 'node:assert/strict';
import { SPAN_LABEL_KEYS } from '../../common/protocol/probeProtocol';
import { Context, ContextManager, OTEL_API_KEY as API_KEY, SPAN_KEY } from '../../test/support/otelContext';
import { SpanLabels, sampleTimesOf } from './spanLabels';

/**
 * SpanLabels in this process, against a context manager registered as @opentelemetry/api 1.x registers one (on
 * `globalThis` under its symbol, spans under its context key), without the package: which span each moment had.
 * The real SDK and a real server are in spanLabels.test.ts.
 */

function span(traceId: string, spanId: string, name: string, attributes: Record<string, unknown>, parentSpanId?: string) {
  return { spanContext: () => ({ traceId, spanId }), name, kind: parentSpanId ? 0 : 1, attributes, parentSpanId };
}

/** Busy for a few milliseconds, returning the monotonic microseconds at its middle: a moment inside it. */
function busyMoment(): number {
  const end = performance.now() + 4;
  while (performance.now() < end - 2);
  const middle = Number(process.hrtime.bigint() / 1000n);
  while (performance.now() < end);
  return middle;
}

describe('span labels from the program’s OpenTelemetry context', () => {
  const globals = globalThis as Record<symbol, unknown>;
  afterEach(() => delete globals[API_KEY]);

  it('labels moments inside a span’s `with` and its continuations, and nothing outside', async () => {
    const labels = new SpanLabels();
    assert.equal(labels.watchIfTraced(), false, 'nothing is watched before the program loads the API');
    const manager = new ContextManager();
    globals[API_KEY] = { version: '1.9.0', context: manager };
    assert.equal(labels.watchIfTraced(), true);
    try {
      const root = span('a'.repeat(32), '1'.repeat(16), 'GET', { 'http.target': '/users/7?x=1' });
      const child = span('a'.repeat(32), '2'.repeat(16), 'db', {}, '1'.repeat(16));
      const other = span('b'.repeat(32), '3'.repeat(16), 'POST', { 'http.route': '/orders/:id' });
      const moments: number[] = [];
      const outside = busyMoment();
      const first = manager.with(new Context().setValue(SPAN_KEY, root), async () => {
        moments.push(busyMoment());
        await new Promise(resolve => setImmediate(resolve));
        // A continuation: async_hooks' `before` finds the span again.
        moments.push(busyMoment());
        manager.with(manager.active().setValue(SPAN_KEY, child), () => moments.push(busyMoment()));
      });
      const second = manager.with(new Context().setValue(SPAN_KEY, other), async () => {
        await new Promise(resolve => setImmediate(resolve));
        moments.push(busyMoment());
      });
      await Promise.all([first, second]);
      await new Promise(resolve => setImmediate(resolve));
      const after = busyMoment();
      const taken = labels.take([outside, ...moments, after]);
      assert.ok(taken);
      const of = (i: number): Record<string, string> | undefined => (taken.ofSample[i]! >= 0 ? taken.sets[taken.ofSample[i]!] : undefined);
      const { traceId, spanId, spanName, httpRoute } = SPAN_LABEL_KEYS;
      assert.equal(of(0), undefined, 'before any span');
      assert.deepEqual(of(1), { [traceId]: 'a'.repeat(32), [spanId]: '1'.repeat(16), [spanName]: 'GET', [httpRoute]: '/users/7' });
      // The order of the continuations is the event loop's: find each by its span id.
      const rest = [2, 3, 4].map(of);
      assert.ok(rest.some(l => l?.[spanId] === '1'.repeat(16)), 'the root span again after the await');
      assert.deepEqual(
        rest.find(l => l?.[spanId] === '2'.repeat(16)),
        { [traceId]: 'a'.repeat(32), [spanId]: '2'.repeat(16), [spanName]: 'GET', [httpRoute]: '/users/7' },
        'a child span is named by its local root',
      );
      assert.deepEqual(rest.find(l => l?.[traceId] === 'b'.repeat(32)), { [traceId]: 'b'.repeat(32), [spanId]: '3'.repeat(16), [spanName]: 'POST', [httpRoute]: '/orders/:id' });
      assert.equal(of(5), undefined, 'after the spans');
    } finally {
      labels.stop();
    }
  });

  it('records nothing once stopped, though its wrapper of `with` stays on the manager', () => {
    const manager = new ContextManager();
    globals[API_KEY] = { version: '1.9.0', context: manager };
    const labels = new SpanLabels();
    assert.equal(labels.watchIfTraced(), true);
    labels.stop();
    const root = span('c'.repeat(32), '4'.repeat(16), 'GET', {});
    const moment = manager.with(new Context().setValue(SPAN_KEY, root), () => busyMoment());
    assert.equal(labels.take([moment]), undefined);
  });

  it('ends a span where its `with` returns, though the callback around it goes on; a callback ends it likewise', async () => {
    const manager = new ContextManager();
    globals[API_KEY] = { version: '1.9.0', context: manager };
    const labels = new SpanLabels();
    assert.equal(labels.watchIfTraced(), true);
    try {
      const traced = span('f'.repeat(32), '8'.repeat(16), 'GET', {});
      const moments = await new Promise<number[]>(resolve =>
        setImmediate(() => {
          const inside = manager.with(new Context().setValue(SPAN_KEY, traced), () => busyMoment());
          // Untraced work in the same callback, after the traced `with`: not the span's.
          const afterWith = busyMoment();
          manager.with(new Context().setValue(SPAN_KEY, traced), () => setImmediate(() => resolve([inside, afterWith, busyMoment()])));
        }),
      );
      // A callback outside any span, after the traced callback above ended.
      const untraced = await new Promise<number>(resolve => setImmediate(() => resolve(busyMoment())));
      const taken = labels.take([...moments, untraced]);
      assert.ok(taken);
      assert.deepEqual(
        taken.ofSample.map(set => (set >= 0 ? taken.sets[set]![SPAN_LABEL_KEYS.spanId] : undefined)),
        ['8'.repeat(16), undefined, '8'.repeat(16), undefined],
      );
    } finally {
      labels.stop();
    }
  });

  it('keeps its changes in order as the list grows, across chunks, and forgets the oldest half past its bound', () => {
    const manager = new ContextManager();
    globals[API_KEY] = { version: '1.9.0', context: manager };
    const labels = new SpanLabels();
    assert.equal(labels.watchIfTraced(), true);
    try {
      const spans = [5, 6, 7].map(id => span(String(id).repeat(32), String(id).repeat(16), 'GET', {}));
      const contexts = spans.map(s => new Context().setValue(SPAN_KEY, s));
      const spanIdAt = (taken: ReturnType<SpanLabels['take']>, i: number) => (taken && taken.ofSample[i]! >= 0 ? taken.sets[taken.ofSample[i]!]![SPAN_LABEL_KEYS.spanId] : undefined);
      // Each `with` is two changes (into its span and out): n of them take the three spans in turn, a moment taken
      // inside every `every`-th.
      const run = (n: number, every: number): { moments: number[]; expected: string[] } => {
        const moments: number[] = [];
        const expected: string[] = [];
        for (let i = 0; i < n; i++) {
          manager.with(contexts[i % 3]!, () => {
            if (i % every !== 0) return;
            moments.push(busyMoment());
            expected.push(String(5 + (i % 3)).repeat(16));
          });
        }
        return { moments, expected };
      };
      // 3,000 changes, past the list's first capacity twice over, then a second chunk.
      for (const every of [299, 301]) {
        const chunk = run(1500, every);
        const taken = labels.take(chunk.moments);
        assert.deepEqual(chunk.moments.map((_, i) => spanIdAt(taken, i)), chunk.expected);
      }
      // Past the bound (2^20 changes) with no chunk taken: the oldest half is forgotten, the newest kept.
      const early = run(2, 2);
      const late = run(600_000, 150_001);
      const taken = labels.take([...early.moments, ...late.moments]);
      assert.equal(spanIdAt(taken, 0), undefined, 'the forgotten half');
      assert.deepEqual(late.moments.slice(2).map((_, i) => spanIdAt(taken, i + 3)), late.expected.slice(2));
    } finally {
      labels.stop();
    }
  });

  it('reads sample times from a V8 profile: its start plus the running sum of its deltas', () => {
    assert.deepEqual(sampleTimesOf({ startTime: 100, timeDeltas: [5, 10, 1], samples: [1, 2, 3] }), [105, 115, 116]);
    assert.equal(sampleTimesOf({ startTime: 100, timeDeltas: [5], samples: [1, 2] }), undefined);
  });
});
