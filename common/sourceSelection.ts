import { z } from 'zod';
import { quoteLabelValue } from './selector';

/**
 * Which samples the costs in the source come from (the language server's hovers, code lenses and line heat). The
 * status bar picker sets it; the agent resolves it against the store at each refresh, so "latest run" follows new
 * runs as they land.
 */
/**
 * The profile type to show (`memory:alloc_space:bytes:space:bytes`: the bytes each function allocates), when the
 * samples hold several; absent, or one the samples do not hold, shows CPU time (else their first type), and the
 * description says when a chosen type was missing.
 */
const profileType = z.string().min(1).max(500).optional();
/**
 * The samples of this read-only dataset (a folder of `icicle.sources`, as the agent was given it) instead of the
 * workspace's store: CI's runs of main in the source, say. Absent: the store.
 */
const source = z.string().min(1).max(4096).optional();

export const sourceSelectionSchema = z.discriminatedUnion('kind', [
  /**
   * The newest run (a recorded session, else an opened profile file) among the selector's samples; with
   * `fallbackToAny`, the newest of all when the selector has none (a branch not profiled yet).
   */
  z.object({ kind: z.literal('latestRun'), selector: z.string().max(10_000), fallbackToAny: z.boolean().optional(), profileType, source }),
  /** Every sample the selector picks. */
  z.object({ kind: z.literal('allRuns'), selector: z.string().max(10_000), profileType, source }),
  /** The selector's samples of the last N minutes, counted back from each refresh. */
  z.object({ kind: z.literal('recent'), selector: z.string().max(10_000), minutes: z.number().positive().max(525_600), profileType, source }),
  /**
   * The samples of the profile the user is looking at (an opened file's `{profile_id="…"}`, a recorded run's
   * `{session_id="…"}`), named as its flame graph names it.
   */
  z.object({ kind: z.literal('profile'), selector: z.string().max(10_000), name: z.string().max(500), profileType, source }),
]);
export type SourceSelection = z.infer<typeof sourceSelectionSchema>;

/** The default: the latest run of the current branch (or of anything, outside a git repository). */
export function defaultSourceSelection(branch: string | undefined): SourceSelection {
  return branch === undefined ? { kind: 'latestRun', selector: '{}' } : { kind: 'latestRun', selector: `{branch=${quoteLabelValue(branch)}}`, fallbackToAny: true };
}

