import { z } from 'zod';
import { isInternalLabel } from './labelKeys';
import { SPAN_LABEL_KEYS } from './protocol/probeProtocol';
import { timeRangeSchema, type TimeRange } from './viewQuery';

/**
 * A view's selection broken down by one label ("CPU by http_route", "by trace_id"): what the flame graph's By Label
 * tab asks for, through the extension, of the agent. Shared by the agent protocol and the webview protocol, like
 * viewQuery.ts, so the page's request reaches the agent as it was checked at each boundary.
 */

/** At most this many values cross a boundary; the rest are summed (a label with a value per request has millions). */
export const MAX_BREAKDOWN_VALUES = 1000;

/** A label a breakdown groups by, as a client may name it: a selector's label name, never one of the store's own. */
export const breakdownKeySchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
  .max(100)
  .refine(key => !isInternalLabel(key), { message: 'labels starting with "__" are the store\'s own' });

export const labelBreakdownQuerySchema = z.object({
  /** The view's selection, type and time range, as in ViewQuery. */
  selector: z.string().max(10_000),
  profileType: z.string().min(1).max(500).optional(),
  timeRange: timeRangeSchema.optional(),
  /** The label to group by; absent (or not among the selection's labels): a default one (`defaultBreakdownKey`). */
  key: breakdownKeySchema.optional(),
  /** How many values to list, largest first; the rest are summed as others. */
  limit: z.number().int().min(1).max(MAX_BREAKDOWN_VALUES),
  /** The view's dataset folder, as in ViewQuery; absent: the store. */
  source: z.string().min(1).max(4096).optional(),
});
export type LabelBreakdownQuery = z.infer<typeof labelBreakdownQuerySchema>;

/** One value of the label: its samples' summed value (in `unit`) and count. `value` null: the samples without it. */
export interface LabelShareRow {
  value: string | null;
  total: number;
  samples: number;
  /** With `LabelBreakdownResult.wall`: the wall time of this value's spans, in µs (absent: none of them ended). */
  wall?: number;
}

/**
 * The wall time of the selection's spans (SPAN_WALL_TIME_PROFILE_TYPE) beside a CPU breakdown by one of the span
 * labels (WALL_BESIDE_KEYS): what part of a request, a route or a span name was running and what part waiting.
 */
export interface SpanWallColumn {
  profileType: string;
  /** µs: every selected span's wall time, and the wall time of the values summed as others. */
  total: number;
  others: number;
}

export interface LabelBreakdownResult {
  /** The label grouped by; undefined when the selection's samples carry no label. */
  key: string | undefined;
  /** Every label key the selection's samples carry, sorted, for the picker. */
  keys: string[];
  /** The selection as answered (the selector in canonical text, the type chosen, the range applied). */
  selector: string;
  profileType: string | undefined;
  timeRange: TimeRange | undefined;
  unit: 'micros' | 'bytes' | 'count';
  /** Largest total first. */
  shares: LabelShareRow[];
  /** The values beyond the limit, summed. */
  others: { values: number; total: number; samples: number };
  /** The whole selection: shares and others add up to it. */
  total: number;
  samples: number;
  /** Present when the breakdown is of CPU time by a span label and the selection has span wall times. */
  wall?: SpanWallColumn;
}

const amount = z.number().finite();
const count = z.number().int().nonnegative();

export const labelBreakdownResultSchema = z.object({
  key: z.string().max(100).optional(),
  keys: z.array(z.string().max(100)).max(100_000),
  selector: z.string().max(10_000),
  profileType: z.string().max(500).optional(),
  timeRange: timeRangeSchema.optional(),
  unit: z.enum(['micros', 'bytes', 'count']),
  shares: z.array(z.object({ value: z.string().max(100_000).nullable(), total: amount, samples: count, wall: amount.optional() })).max(MAX_BREAKDOWN_VALUES),
  others: z.object({ values: count, total: amount, samples: count }),
  total: amount,
  samples: count,
  wall: z.object({ profileType: z.string().max(500), total: amount, others: amount }).optional(),
});

/** The labels a CPU breakdown shows the spans' wall time beside: a span's own labels, as its wall time row has them. */
export const WALL_BESIDE_KEYS: readonly string[] = Object.values(SPAN_LABEL_KEYS);

/**
 * The share of a wall time that was not CPU time: waiting (for I/O, a timer, a lock, or the CPU while other requests
 * ran). Undefined without a wall time; 0 when the CPU is as long or longer (samples just past a span's end).
 */
export function waitingShare(cpu: number, wall: number | undefined): number | undefined {
  if (wall === undefined || !(wall > 0)) return undefined;
  return Math.max(0, wall - cpu) / wall;
}

/** Labels worth grouping by first, in this order: a request's route, then its span, then the thread. */
const PREFERRED_KEYS: readonly string[] = [SPAN_LABEL_KEYS.httpRoute, SPAN_LABEL_KEYS.spanName, 'thread'];

/** The label a breakdown groups by when none was asked for (or the one asked for is not among `keys`). */
export function defaultBreakdownKey(keys: readonly string[], asked: string | undefined): string | undefined {
  if (asked !== undefined && keys.includes(asked)) return asked;
  return PREFERRED_KEYS.find(key => keys.includes(key)) ?? keys[0];
}
