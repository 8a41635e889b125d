import { SPAN_LABEL_KEYS } from '../../common/protocol/probeProtocol';

/**
 * What the probe reads of an OpenTelemetry span, without loading any package: the SDK's Span (sdk-trace-base, now
 * sdk-trace) has these; anything else is read defensively. Shared by the samples' labels (spanLabels.ts) and the
 * spans' wall times (spanWalls.ts), so that a span's wall time carries exactly the labels its samples carry.
 */
export interface SpanLike {
  spanContext?: () => { traceId?: unknown; spanId?: unknown };
  name?: unknown;
  kind?: unknown;
  attributes?: Record<string, unknown>;
  parentSpanId?: unknown;
  parentSpanContext?: { isRemote?: unknown };
  /** The SDK's: whether `end()` was called, and the span's times as HrTime, [seconds, nanoseconds]. */
  ended?: unknown;
  startTime?: unknown;
  endTime?: unknown;
  duration?: unknown;
}

/** SpanKind.SERVER in @opentelemetry/api. */
const SERVER_KIND = 1;

/**
 * Per trace id, its local root among the first `count` spans of a change list: a span without a parent here (none,
 * remote, or a server span).
 */
export function localRoots(spans: readonly (SpanLike | undefined)[], count = spans.length): Map<string, SpanLike> {
  const roots = new Map<string, SpanLike>();
  // Each span once: a busy chunk changes span thousands of times among a few dozen spans.
  const seen = new Set<SpanLike>();
  for (let i = 0; i < count; i++) {
    const span = spans[i];
    if (!span || seen.has(span)) continue;
    seen.add(span);
    const traceId = ids(span)?.traceId;
    if (traceId === undefined || roots.has(traceId)) continue;
    const parentRemote = span.parentSpanContext?.isRemote === true;
    const noParent = span.parentSpanContext === undefined && (span.parentSpanId === undefined || span.parentSpanId === '');
    if (noParent || parentRemote || span.kind === SERVER_KIND) roots.set(traceId, span);
  }
  return roots;
}

export function ids(span: SpanLike): { traceId: string; spanId: string } | undefined {
  try {
    const context = span.spanContext?.();
    if (typeof context?.traceId === 'string' && typeof context.spanId === 'string') return { traceId: context.traceId, spanId: context.spanId };
  } catch {
    // Not a span after all.
  }
  return undefined;
}

/**
 * A span's labels (SPAN_LABEL_KEYS), read when the chunk is taken (a server span learns its route late): its own ids,
 * and the name and route of its trace's local root (`roots`; the span itself when its root was not seen).
 */
export function labelsOf(span: SpanLike, roots: ReadonlyMap<string, SpanLike>): Record<string, string> | undefined {
  const own = ids(span);
  if (!own) return undefined;
  const root = roots.get(own.traceId) ?? span;
  const labels: Record<string, string> = { [SPAN_LABEL_KEYS.traceId]: own.traceId, [SPAN_LABEL_KEYS.spanId]: own.spanId };
  if (typeof root.name === 'string' && root.name !== '') labels[SPAN_LABEL_KEYS.spanName] = root.name.slice(0, 200);
  const route = routeOf(root.attributes);
  if (route !== undefined) labels[SPAN_LABEL_KEYS.httpRoute] = route.slice(0, 200);
  return labels;
}

/** The span's `http.route`, else its URL's path without the query (semantic conventions old and new). */
function routeOf(attributes: Record<string, unknown> | undefined): string | undefined {
  if (!attributes) return undefined;
  const route = attributes['http.route'];
  if (typeof route === 'string' && route !== '') return route;
  for (const key of ['url.path', 'http.target']) {
    const value = attributes[key];
    if (typeof value === 'string' && value !== '') return value.split('?')[0];
  }
  return undefined;
}
