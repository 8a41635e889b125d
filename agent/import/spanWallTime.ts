import { SPAN_WALL_TIME_PROFILE_TYPE } from '../../common/profileTypes';
import { SPAN_LABEL_KEYS, type SpanWallTimes } from '../../common/protocol/probeProtocol';
import { SPAN_FRAME_MODULE } from '../frameKind';
import { labelKey, ProfileBuilder, type ImportedProfile } from './importedProfile';

/**
 * The spans a probe's chunk says ended (SpanWallTimes) as a profile of their wall time (SPAN_WALL_TIME_PROFILE_TYPE):
 * one sample per span, at its start, worth its duration in nanoseconds, labelled as its CPU samples are (trace_id,
 * span_id, span_name, http_route), so that grouping both types by one of those labels puts a request's wall time
 * beside its CPU. Its stack is one pseudo-frame naming the span, `(span GET /users/:id)`, in the module
 * SPAN_FRAME_MODULE, which no function of a program has: the store never merges it with a real frame. Stored in the
 * chunk's transaction, under its key, so a span is stored once however often its chunk is sent.
 */
export function spanWallsToImported(walls: SpanWallTimes): ImportedProfile | undefined {
  if (walls.spans.length === 0) return undefined;
  const builder = new ProfileBuilder('cpuprofile', [{ profileType: SPAN_WALL_TIME_PROFILE_TYPE, unit: 'nanoseconds' }]);
  for (const span of walls.spans) {
    const frame = builder.frame({ name: spanFrameName(span.labels), file: '', line: 0, column: 0, module: SPAN_FRAME_MODULE, address: 0 });
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(span.labels)) labels[labelKey(key)] = value;
    builder.sample(builder.stack([frame]), [span.wallNs], span.startMs, labels);
  }
  const startMs = Math.min(...walls.spans.map(span => span.startMs));
  return builder.build({ clock: 'epoch', startMs });
}

/** `(span NAME ROUTE)`: the root span's name, and its route when the name does not say it (the HTTP server span's `GET`). */
export function spanFrameName(labels: Readonly<Record<string, string>>): string {
  const spanName = labels[SPAN_LABEL_KEYS.spanName] ?? '';
  const route = labels[SPAN_LABEL_KEYS.httpRoute];
  const named = route !== undefined && !spanName.includes(route) ? `${spanName} ${route}`.trim() : spanName;
  return `(span ${named || 'unnamed'})`;
}
