import { quoteLabelValue } from '../common/selector';

/**
 * Where the cursor is in a label selector being typed, and what completing there means: a label key at the start
 * of a matcher, or a value after `key=` (or `!=`, `=~`, `!~`). Works on unfinished text (`{branch="ma`), which is
 * what a user has while typing, so it does not use the selector parser, which only accepts finished selectors.
 */
export type CompletionContext =
  | { kind: 'key'; prefix: string; from: number; to: number }
  | { kind: 'value'; key: string; prefix: string; from: number; to: number }
  | { kind: 'none' };

const KEY_SO_FAR = /^\s*([A-Za-z_][A-Za-z0-9_]*)?$/;
const VALUE_SO_FAR = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*)?$/;

export function completionContext(text: string, cursor: number): CompletionContext {
  // The matcher the cursor is in starts after the last `{` or `,` outside quotes.
  let start = 0;
  let quoted = false;
  for (let i = 0; i < cursor; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '{' || ch === ',') start = i + 1;
  }
  const before = text.slice(start, cursor);
  const key = KEY_SO_FAR.exec(before);
  if (key) {
    const prefix = key[1] ?? '';
    // The rest of the key after the cursor is replaced too, so completing in the middle of a key does not split it.
    const rest = /^[A-Za-z0-9_]*/.exec(text.slice(cursor))![0];
    return { kind: 'key', prefix, from: cursor - prefix.length, to: cursor + rest.length };
  }
  const value = VALUE_SO_FAR.exec(before);
  if (value) {
    const typed = value[3] ?? '';
    const from = cursor - typed.length;
    // A value already closed by a quote is replaced whole: from its opening quote through its closing one.
    let to = cursor;
    if (typed.startsWith('"')) {
      for (let i = cursor; i < text.length; i++) {
        if (text[i] === '\\') i++;
        else if (text[i] === '"') {
          to = i + 1;
          break;
        }
      }
    }
    return { kind: 'value', key: value[1]!, prefix: unescapeTyped(typed.slice(1)), from, to };
  }
  return { kind: 'none' };
}

/** The typed part of a quoted value, its escapes read; a dangling backslash is dropped. */
function unescapeTyped(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = text[++i];
    if (next === 'n') out += '\n';
    else if (next === 't') out += '\t';
    else if (next !== undefined) out += next;
  }
  return out;
}

/** The text with a completion applied and where the cursor goes: after `key="` for a key, after the value's quote for a value. */
export function applyCompletion(text: string, context: Exclude<CompletionContext, { kind: 'none' }>, item: string): { text: string; cursor: number } {
  let inserted: string;
  if (context.kind === 'key') {
    // A key already followed by an operator keeps it; otherwise `="` starts its value.
    const after = text.slice(context.to);
    inserted = /^\s*(=~|!~|!=|=)/.test(after) ? item : `${item}="`;
  } else {
    inserted = quoteLabelValue(item);
  }
  const next = text.slice(0, context.from) + inserted + text.slice(context.to);
  return { text: next, cursor: context.from + inserted.length };
}

/** The items that complete the prefix: those starting with it first, then those containing it, case-insensitively. */
export function filterCompletions(items: readonly string[], prefix: string, limit = 100): string[] {
  const lower = prefix.toLowerCase();
  const starts: string[] = [];
  const contains: string[] = [];
  for (const item of items) {
    const candidate = item.toLowerCase();
    if (candidate.startsWith(lower)) starts.push(item);
    else if (lower !== '' && candidate.includes(lower)) contains.push(item);
  }
  return [...starts, ...contains].slice(0, limit);
}
