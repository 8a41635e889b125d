import { describeError, UserFacingError } from '../../common/errors';
import { userLabelKeyProblem } from '../../common/labelKeys';
import { describeFileError } from '../fileErrors';

/** A mistake in how the command was called: reported with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parses `k=v` (the short form of a selector matcher) or passes a selector through unchanged. */
export function whereToSelector(where: readonly string[]): string {
  const parts = where.map(w => {
    const trimmed = w.trim();
    if (trimmed.startsWith('{')) return trimmed.slice(1, trimmed.lastIndexOf('}'));
    const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*)$/s.exec(trimmed);
    if (!match) throw new UsageError(`--where ${JSON.stringify(w)} is neither k=v nor a selector like {k="v"}`);
    const value = match[3]!;
    const quoted = value.startsWith('"') ? value : JSON.stringify(value);
    return `${match[1]}${match[2]}${quoted}`;
  });
  return `{${parts.filter(p => p.trim() !== '').join(', ')}}`;
}

/** `k=v` labels given to import and record; keys the store keeps for itself (`__...`) are refused. */
export function parseLabels(labels: readonly string[], command: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const label of labels) {
    const at = label.indexOf('=');
    if (at <= 0) throw new UsageError(`--label ${JSON.stringify(label)} must be key=value`, command);
    const key = label.slice(0, at);
    const problem = userLabelKeyProblem(key);
    if (problem !== undefined) throw new UsageError(`--label ${JSON.stringify(label)}: ${problem}`, command);
    out[key] = label.slice(at + 1);
  }
  return out;
}

/** A command's failure whose message is the sentence to show as it stands; its cause is kept for ICICLE_DEBUG. */
export class CommandError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CommandError';
  }
}

/**
 * An error as the command line reports it: a sentence, never errno text. A file system error says what is wrong with
 * which path (or, for a write to an open file such as the store's log, with `store` when given).
 */
export function describeCliError(error: unknown, store?: string): string {
  if (error instanceof UserFacingError || error instanceof CommandError) return error.message;
  return describeFileError(error, store === undefined ? undefined : `the store in ${store}`) ?? describeError(error);
}
