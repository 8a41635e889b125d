import { z } from 'zod';
import { packedCallTreeSchema, profileSummarySchema, type PackedCallTree, type ProfileSummary } from './callTree';
import { timeOrderedSamplesSchema, type TimeOrderedSamples } from './timeOrder';

/**
 * What a profile view asks the agent for, and what it gets back besides the call tree: the view's selection
 * (label selector, profile type, time range), the types and time span the selection offers, and a timeline.
 * Shared by the agent protocol (extension → agent) and the webview protocol (webview → extension → webview),
 * so the webview's request reaches the agent as it was validated at each boundary.
 */

export const timeRangeSchema = z
  .object({ startMs: z.number().finite(), endMs: z.number().finite() })
  .refine(range => range.endMs > range.startMs, { message: 'a time range must end after it starts' });
export type TimeRange = z.infer<typeof timeRangeSchema>;

/** A frame on the path from the root to the zoomed frame: enough to find the same frame in a re-queried tree. */
export const framePathStepSchema = z.object({ name: z.string().max(100_000), url: z.string().max(100_000) });
export type FramePathStep = z.infer<typeof framePathStepSchema>;

export const viewQuerySchema = z.object({
  /** A label selector, `{key="value", ...}` or `key=value, ...`; empty selects the whole store. */
  selector: z.string().max(10_000),
  /** The profile type to show; absent: CPU time when the selection has it, else its first type. */
  profileType: z.string().min(1).max(500).optional(),
  /** Half-open; absent: all the selection's samples. */
  timeRange: timeRangeSchema.optional(),
  /**
   * The zoomed frame. Pruning (common/pruneCallTree.ts) then keeps that frame's subtree in detail relative to
   * the frame's own total, so zooming into a frame shows what an overview had merged into `…`.
   */
  focus: z.array(framePathStepSchema).max(10_000).optional(),
  /**
   * Also the selection's samples in time order (the flame chart, common/timeOrder.ts), over its whole span whatever
   * the time range: the chart shows the range by zooming to it. Asked only while the chart is shown.
   */
  timeOrder: z.boolean().optional(),
  /**
   * With `timeOrder`: only the samples after this timestamp (the page holds those up to it, TimeOrderedSamples'
   * `throughMs`), a tail it appends. While a run records, each refresh then sends seconds of samples, not the run.
   */
  timeOrderAfterMs: z.number().finite().optional(),
  /**
   * The samples from this read-only dataset (a folder of the `icicle.sources` setting, as the agent was given it)
   * instead of the workspace's store; absent: the store.
   */
  source: z.string().min(1).max(4096).optional(),
});
export type ViewQuery = z.infer<typeof viewQuerySchema>;

/**
 * What a flame graph panel needs to be opened again after a window reload: what it was opened for and what it
 * showed. The webview keeps it in its saved state (VS Code hands that state to the extension's panel serializer);
 * the extension validates it there like any message, since it comes back from the page.
 */
export const restoreSchema = z.object({
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('file'), uri: z.string().max(8192) }),
    z.object({ kind: z.literal('selection'), selector: z.string().max(10_000), title: z.string().max(1000), source: z.string().min(1).max(4096).optional() }),
  ]),
  query: viewQuerySchema.optional(),
});
export type Restore = z.infer<typeof restoreSchema>;

/** A profile type the selection holds, as a picker lists it. */
export interface ProfileTypeChoice {
  id: string;
  label: string;
  unit: 'micros' | 'bytes' | 'count';
}

/** The selection's value over time, in the display unit, for the timeline above a view. */
export interface Timeline {
  bucketMs: number;
  /** Start of each bucket with samples, ascending. */
  bucketStartMs: number[];
  values: number[];
  /** First and last sample of the selection without its time range: the timeline's extent. */
  span: { startMs: number; endMs: number };
}

/** The answer to a view query: what to draw and what the view's controls offer. */
export interface ViewResult {
  summary: ProfileSummary;
  tree: PackedCallTree;
  /** The selection as shown: the selector in canonical text, the type chosen, the time range applied. */
  query: {
    selector: string;
    profileType: string | undefined;
    timeRange: TimeRange | undefined;
    focus: FramePathStep[] | undefined;
    /** The dataset folder the samples were read from; absent: the store. */
    source?: string;
  };
  /** The unit of the tree's values (selfValue, totalValue). */
  unit: ProfileTypeChoice['unit'];
  profileTypes: ProfileTypeChoice[];
  /** Absent when the selection has no samples. */
  timeline: Timeline | undefined;
  /** The samples in time order, when the query asked for them (`timeOrder`). */
  timeOrder?: TimeOrderedSamples;
}

const choiceSchema = z.object({ id: z.string().max(500), label: z.string().max(600), unit: z.enum(['micros', 'bytes', 'count']) });

/** Checks a ViewResult's parts other than the tree and summary, which have their own checks. */
export const viewResultMetaSchema = z.object({
  query: z.object({
    selector: z.string().max(10_000),
    profileType: z.string().max(500).optional(),
    timeRange: timeRangeSchema.optional(),
    focus: z.array(framePathStepSchema).max(10_000).optional(),
    source: z.string().min(1).max(4096).optional(),
  }),
  unit: z.enum(['micros', 'bytes', 'count']),
  profileTypes: z.array(choiceSchema).max(1000),
  timeline: z
    .object({
      bucketMs: z.number().positive(),
      bucketStartMs: z.array(z.number().finite()).max(100_000),
      values: z.array(z.number().finite()).max(100_000),
      span: z.object({ startMs: z.number().finite(), endMs: z.number().finite() }),
    })
    .refine(t => t.bucketStartMs.length === t.values.length, { message: 'a timeline has one value per bucket' })
    .optional(),
  timeOrder: timeOrderedSamplesSchema.optional(),
});

/** Checks a whole ViewResult where it arrives from the agent (the tree with its own fast check). */
export const viewResultSchema = viewResultMetaSchema.extend({ summary: profileSummarySchema, tree: packedCallTreeSchema });

/** A bucket width that gives about `target` buckets over the span: 1, 2 or 5 times a power of ten, at least 10 ms. */
export function timelineBucketMs(spanMs: number, target = 200): number {
  const raw = Math.max(10, spanMs / target);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 2, 5, 10]) if (step * power >= raw) return step * power;
  return 10 * power;
}
