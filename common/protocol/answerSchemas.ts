import { z } from 'zod';

/**
 * Building blocks for the schemas that check answers where they arrive (an agent's answer in the extension or the
 * language server, the language server's in the extension). Each protocol declares its answers' types as interfaces
 * and, beside each, a schema that `satisfies AnswerSchema<Result>`, so a field added to one and not the other is a
 * compile error.
 */

/**
 * T as it arrives through JSON: a key whose value may be undefined may be missing altogether (JSON.stringify drops
 * it), which is how zod's output types spell such keys too.
 */
export type AsSent<T> = T extends readonly (infer U)[]
  ? AsSent<U>[]
  : T extends object
    ? { [K in keyof T as undefined extends T[K] ? never : K]: AsSent<T[K]> } & { [K in keyof T as undefined extends T[K] ? K : never]?: AsSent<T[K]> }
    : T;

/** A schema whose output is the answer type T (as sent): what an answer's validator must satisfy. */
export type AnswerSchema<T> = z.ZodType<AsSent<T>, z.ZodTypeDef, unknown>;

/**
 * An array of finite numbers, checked in one loop: packed answers (source costs, a comparison's base values) hold
 * hundreds of thousands of them, which a per-element schema would check a hundred times slower.
 */
export const finiteNumbers = z.custom<number[]>(isFiniteNumbers, { message: 'expected an array of numbers' });

function isFiniteNumbers(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (!Number.isFinite(value[i])) return false;
  return true;
}

/** An array of strings, checked in one loop, for the same reason (a source file's function names, by the thousand). */
export const strings = z.custom<string[]>(value => Array.isArray(value) && value.every(s => typeof s === 'string'), {
  message: 'expected an array of strings',
});

/** The answer of a request that answers nothing (JSON-RPC sends null). */
export const noAnswer = z.unknown().transform((): void => undefined);

/** The first problem zod found, in words: `at runs.0.samples: Expected number, received string`. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const message = issue?.message ?? 'malformed';
  return issue?.path.length ? `at ${issue.path.join('.')}: ${message}` : message;
}
