import { z } from 'zod';
import { packedCallTreeSchema, profileSummarySchema } from '../callTree';
import { labelBreakdownQuerySchema, labelBreakdownResultSchema } from '../labelBreakdown';
import { restoreSchema, viewQuerySchema, viewResultMetaSchema } from '../viewQuery';

/**
 * Messages between the extension host and the flame graph webview: one union per direction, each validated
 * on arrival (a webview is a browser page; the extension does not trust what it posts, and the webview does
 * not assume the extension's messages are well formed either).
 */

export const viewSettingsSchema = z.object({
  /** 'icicle' puts roots at the top, 'flame' at the bottom. */
  orientation: z.enum(['icicle', 'flame']),
  /** Frames narrower than this are not drawn. */
  minFramePixels: z.number().min(0).max(10),
  /** The dataset folders of `icicle.sources`, which the selection bar offers as sources beside the store. */
  sources: z.array(z.string().min(1).max(4096)).max(100).optional(),
});
export type ViewSettings = z.infer<typeof viewSettingsSchema>;

/** Extension → webview. */
export const toWebviewMessageSchema = z.discriminatedUnion('type', [
  /** A profile is being read; show its name and a progress state. */
  z.object({ type: z.literal('loading'), title: z.string() }),
  /** The profile to draw, with the selection it shows and what the view's controls offer (common/viewQuery.ts). */
  z
    .object({
      type: z.literal('profile'),
      title: z.string(),
      summary: profileSummarySchema,
      tree: packedCallTreeSchema,
      settings: viewSettingsSchema,
      /** Kept in the webview's state, for reopening the panel after a window reload. */
      restore: restoreSchema.optional(),
      /** A function to find at once ("Show in flame graph" from the source): it is searched for and stands out. */
      search: z.string().max(10_000).optional(),
      /**
       * The same query answered again because samples landed (a run still recording), not because the page asked:
       * the page keeps what the user set up (the zoomed frame as it is now, the chosen function) and draws it in place.
       */
      refresh: z.literal(true).optional(),
    })
    .merge(viewResultMetaSchema),
  /** The answer to a `complete` request. */
  z.object({
    type: z.literal('completions'),
    requestId: z.number().int(),
    items: z.array(z.string().max(10_000)).max(10_000),
    truncated: z.boolean(),
  }),
  /** The answer to a `breakdown` request: the selection by a label, or why it could not be had (a sentence). */
  z.object({
    type: z.literal('breakdown'),
    requestId: z.number().int(),
    result: labelBreakdownResultSchema.optional(),
    error: z.string().max(10_000).optional(),
  }),
  /** The settings changed while the view is open. */
  z.object({ type: z.literal('settings'), settings: viewSettingsSchema }),
  /** The profile could not be shown; the message is for the user. */
  z.object({ type: z.literal('error'), title: z.string(), message: z.string() }),
]);
export type ToWebviewMessage = z.infer<typeof toWebviewMessageSchema>;

/** Webview → extension. */
export const fromWebviewMessageSchema = z.discriminatedUnion('type', [
  /** The page has loaded its script and listens for messages. */
  z.object({ type: z.literal('ready'), protocolVersion: z.number().int() }),
  /**
   * The user asked to see a frame's source. Carries the frame's URL and position as the profile states them
   * (1-based; 0 when unknown); the extension decides whether and how it can be opened.
   */
  z.object({
    type: z.literal('openSource'),
    url: z.string().max(8192),
    line: z.number().int().min(0),
    column: z.number().int().min(0),
  }),
  /** Show another selection, profile type, time range or zoomed frame: the extension asks the agent and answers with `profile`. */
  z.object({ type: z.literal('query'), query: viewQuerySchema }),
  /** The label keys, or one key's values, to complete a selector with; answered by `completions`. */
  z.object({
    type: z.literal('complete'),
    requestId: z.number().int(),
    /** Absent: the label keys; present: that key's values. */
    key: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).max(100).optional(),
    /** With a key: only the values starting with this (what was typed, when the key has too many to list). */
    prefix: z.string().max(10_000).optional(),
  }),
  /** The view's selection by a label (the By Label tab); answered by `breakdown`. */
  z.object({ type: z.literal('breakdown'), requestId: z.number().int(), query: labelBreakdownQuerySchema }),
  /** Put text (the selection as a selector) on the clipboard. */
  z.object({ type: z.literal('copyText'), text: z.string().max(10_000) }),
  /**
   * The flame chart was shown or hidden, or holds samples up to another time: a refresh (samples landed) asks for the
   * samples in time order only while it is shown, since they cost the most of any answer, and only those after.
   */
  z.object({
    type: z.literal('chartShown'),
    shown: z.boolean(),
    /** The last timestamp of the run's samples the chart holds: a refresh asks only for those after it. */
    samplesThroughMs: z.number().finite().optional(),
  }),
]);
export type FromWebviewMessage = z.infer<typeof fromWebviewMessageSchema>;
