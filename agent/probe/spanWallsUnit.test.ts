import * as assert from 'node:assert/strict';
import { SPAN_LABEL_KEYS, type SpanWallTime } from '../../common/protocol/probeProtocol';
import { Context, ContextManager, OTEL_API_KEY, SdkLikeSpan, SPAN_KEY } from '../../test/support/otelContext';
import { SpanLabels } from './spanLabels';

/**
 * The wall time of the spans the probe saw, in this process: a context manager registered as @opentelemetry/api
 * registers one, and spans shaped like the SDK's (their times from the clock the SDK reads). Each duration is checked
 * against the monotonic clock read around the span's start and end by the test itself. The real SDK on a real server
 * is in spanLabels.test.ts.
 */

const { traceId, spanId, spanName, httpRoute } = SPAN_LABEL_KEYS;
const nowNs = (): bigint => process.hrtime.bigint();
const tick = (): Promise<void> => new Promise(resolve => setImmediate(resolve));
const wait = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms));

/** A span started between two readings of the monotonic clock, and a way to end it between two more. */
function timedSpan(make: () => SdkLikeSpan): { span: SdkLikeSpan; end(): void; bounds(): { minNs: number; maxNs: number } } {
  const before = nowNs();
  const span = make();
  const after = nowNs();
  let endBefore = 0n;
  let endAfter = 0n;
  return {
    span,
    end() {
      endBefore = nowNs();
      span.end();
      endAfter = nowNs();
    },
    // The SDK's clock (timeOrigin + performance.now) rounds to a microsecond or so: a little slack either side.
    bounds: () => ({ minNs: Number(endBefore - after) - 5_000, maxNs: Number(endAfter - before) + 5_000 }),
  };
}

describe('span wall times from the program’s OpenTelemetry spans', () => {
  const globals = globalThis as Record<symbol, unknown>;
  let manager: ContextManager;
  let labels: SpanLabels;

  const watch = (maxWaiting?: number): void => {
    manager = new ContextManager();
    globals[OTEL_API_KEY] = { version: '1.9.0', context: manager };
    labels = new SpanLabels(true, maxWaiting);
    assert.equal(labels.watchIfTraced(), true);
  };
  /** Runs a callback in the span's context and lets one continuation of it run: the probe sees the span then. */
  const runIn = (span: SdkLikeSpan): Promise<void> =>
    manager.with(new Context().setValue(SPAN_KEY, span), async () => {
      await tick();
    });
  /** A chunk: its samples' labels taken (none here), then the walls of the spans that ended. */
  const chunk = (): SpanWallTime[] | undefined => {
    labels.take([]);
    return labels.takeWalls()?.spans;
  };

  afterEach(() => {
    labels?.stop();
    delete globals[OTEL_API_KEY];
  });

  it('sends an ended local root span once, with its labels and its duration, and keeps a running one for a later chunk', async () => {
    watch();
    const root = timedSpan(() => new SdkLikeSpan('a'.repeat(32), '1'.repeat(16), 'GET', { 'http.route': '/users/:id' }));
    const child = new SdkLikeSpan('a'.repeat(32), '2'.repeat(16), 'db', {}, '1'.repeat(16));
    const running = timedSpan(() => new SdkLikeSpan('b'.repeat(32), '3'.repeat(16), 'POST', { 'url.path': '/orders' }, undefined, 1, true));
    await runIn(root.span);
    await runIn(child);
    await runIn(running.span);
    await wait(30);
    child.end();
    root.end();

    const first = chunk();
    assert.ok(first);
    assert.equal(first.length, 1, 'only the ended root: the child lies within it, the other root still runs');
    const [sent] = first;
    assert.deepEqual(sent!.labels, { [traceId]: 'a'.repeat(32), [spanId]: '1'.repeat(16), [spanName]: 'GET', [httpRoute]: '/users/:id' });
    const { minNs, maxNs } = root.bounds();
    assert.ok(sent!.wallNs >= minNs && sent!.wallNs <= maxNs, `wall ${sent!.wallNs} ns within [${minNs}, ${maxNs}] ns by the test's own clock`);
    assert.ok(sent!.wallNs >= 30e6 - 1e6, 'the span lasted at least the 30 ms it waited');
    const startMs = root.span.startTime[0] * 1000 + root.span.startTime[1] / 1e6;
    assert.ok(Math.abs(sent!.startMs - startMs) < 0.001, 'starts when the span did, on the epoch clock');
    assert.equal(labels.takeWalls(), undefined, 'nothing new since');

    // The ended root seen again (a late callback in its context) is not sent again; the other ends and is sent.
    await runIn(root.span);
    await wait(5);
    running.end();
    const second = chunk();
    assert.ok(second);
    assert.deepEqual(
      second.map(s => s.labels[spanId]),
      ['3'.repeat(16)],
      'the root that ended before is not sent twice',
    );
    const bounds = running.bounds();
    assert.ok(second[0]!.wallNs >= bounds.minNs && second[0]!.wallNs <= bounds.maxNs, 'a span without `duration`: its end minus its start');
    assert.equal(second[0]!.labels[httpRoute], '/orders');
    assert.equal(chunk(), undefined);
  });

  it('follows at most its cap of running spans, counts the ones past it as dropped once, and sends the rest', async () => {
    watch(2);
    const spans = ['c', 'd', 'e'].map((t, i) => new SdkLikeSpan(t.repeat(32), String(i + 4).repeat(16), 'GET', { 'http.route': `/r${i}` }));
    for (const span of spans) await runIn(span);
    const running = labels.takeWalls();
    labels.take([]);
    assert.deepEqual(running, undefined, 'nothing has ended, nothing taken yet');
    const dropped = labels.takeWalls();
    assert.deepEqual(dropped, { spans: [], dropped: 1 }, 'two followed, the third dropped');
    // The dropped span seen again is not counted again; a span without the SDK's `ended` is never followed.
    await runIn(spans[2]!);
    const foreign = { spanContext: () => ({ traceId: 'f'.repeat(32), spanId: '9'.repeat(16) }), name: 'x', kind: 1 };
    await manager.with(new Context().setValue(SPAN_KEY, foreign), async () => tick());
    for (const span of spans) span.end();
    const ended = chunk();
    assert.deepEqual(ended?.map(s => s.labels[httpRoute]).sort(), ['/r0', '/r1']);
    assert.equal(labels.takeWalls(), undefined);
  });

  it('follows nothing once stopped', async () => {
    watch();
    labels.stop();
    const span = new SdkLikeSpan('a'.repeat(32), '1'.repeat(16), 'GET', {});
    await runIn(span);
    span.end();
    assert.equal(chunk(), undefined);
  });
});
