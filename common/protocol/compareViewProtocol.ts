import { z } from 'zod';
import { packedCallTreeSchema } from '../callTree';

/**
 * Messages between the extension and the compare panel's webview (webview/compare/): one union per direction,
 * validated on arrival like the flame graph's.
 */

export const sideSchema = z.object({ mean: z.number(), sd: z.number(), runs: z.number().int() });
export const changeRowSchema = z.object({
  name: z.string().max(100_000),
  file: z.string().max(100_000),
  /** Where the function is defined: two of one name in one file are two rows (common/functionIdentity.ts). */
  line: z.number().int().nonnegative().optional(),
  column: z.number().int().nonnegative().optional(),
  a: sideSchema,
  b: sideSchema,
  delta: z.number(),
  deltaPercent: z.number().nullable(),
  p: z.number().optional(),
  verdict: z.enum(['regression', 'improvement', 'unchanged', 'unknown']),
});
export type ChangeRow = z.infer<typeof changeRowSchema>;

/** Extension → compare webview. */
export const toCompareViewSchema = z.discriminatedUnion('type', [
  /** Nothing compared yet: the page offers to start. */
  z.object({ type: z.literal('empty') }),
  /** A comparison is running: what it is doing. */
  z.object({ type: z.literal('progress'), message: z.string().max(1000), done: z.number().int(), total: z.number().int() }),
  z.object({
    type: z.literal('comparison'),
    base: z.string().max(10_000),
    head: z.string().max(10_000),
    /** The type compared, and the types both sides hold: the page offers them when there are several. */
    profileType: z.string().max(500).optional(),
    profileTypes: z.array(z.string().max(500)).max(100).optional(),
    unit: z.enum(['micros', 'bytes', 'count']),
    a: sideSchema,
    b: sideSchema,
    method: z.string().max(1000),
    changes: z.array(changeRowSchema).max(100_000),
    /** The differential call tree: the head's tree (means per run) and the base's self per node on the same paths. */
    diff: z
      .object({ tree: packedCallTreeSchema, baseSelf: z.array(z.number().finite()) })
      .refine(d => d.baseSelf.length === d.tree.parent.length, { message: 'one base value per node' })
      .optional(),
  }),
  z.object({ type: z.literal('error'), message: z.string().max(10_000) }),
]);
export type ToCompareView = z.infer<typeof toCompareViewSchema>;

/** Compare webview → extension. */
export const fromCompareViewSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /** Run "Compare Branches…". */
  z.object({ type: z.literal('compareBranches') }),
  /** Run "Compare Selections…": two label selectors typed by the user. */
  z.object({ type: z.literal('compareSelections') }),
  /** Compare the same two sides again in another profile type (allocated bytes instead of CPU time). */
  z.object({ type: z.literal('chooseType'), profileType: z.string().min(1).max(500) }),
  /** Open a function's source on the current branch. */
  z.object({ type: z.literal('openFunction'), name: z.string().max(100_000), file: z.string().max(8192) }),
]);
export type FromCompareView = z.infer<typeof fromCompareViewSchema>;
