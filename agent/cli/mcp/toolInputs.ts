import { z } from 'zod';
import { UsageError } from '../cliErrors';
import { parseWhere } from '../queryContext';

/** Where every tool reads: the store, opened read-only for each call (so each answer sees the newest writes). */
export interface ToolContext {
  store: string;
}

export const selectorField = z
  .string()
  .max(4096)
  .optional()
  .describe('Which samples: a selector like {branch="main", http_route="/users"} (=, !=, =~ regex, !~) or one k=v; all samples when left out.');
export const typeField = z.string().max(256).optional().describe('A profile type id from list_runs (default: CPU time when the store has it).');

/** Percent of a whole, rounded as `icicle top` rounds it. */
export function percentOf(whole: number): (value: number) => number {
  return value => (whole === 0 ? 0 : Math.round((value / whole) * 10_000) / 100);
}

/** The selector as `--where` takes it; a mistake in it is said to be the selector's. */
export function where(selector: string | undefined, name = 'selector'): string[] {
  if (selector === undefined || selector.trim() === '') return [];
  try {
    parseWhere([selector]);
  } catch (error) {
    throw new UsageError(`the ${name} ${JSON.stringify(selector)} is not a selector like {branch="main"} or k=v: ${error instanceof Error ? error.message : String(error)}`);
  }
  return [selector];
}
