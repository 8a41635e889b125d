/**
 * Label selectors in the text form Prometheus and Parca use: `{branch="main", runtime=~"node.*", pid!="3"}`.
 *
 * The text comes from users (a query box, a saved view, a command argument), so the parser reports every
 * problem as a sentence naming the 1-based character position, and regular expressions are compiled here,
 * once, so that an invalid one is refused before any query runs. Matchers only ever test label values;
 * they never select columns or run code.
 */

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  key: string;
  op: MatchOp;
  value: string;
}

/** A selector that could not be parsed; `position` is the 0-based offset of the offending character. */
export class SelectorSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`${reason} at position ${position + 1}`);
    this.name = 'SelectorSyntaxError';
  }
}

/** The same key rule as storage/schema.ts's LABEL_KEY_PATTERN (common/ cannot import storage/). */
const KEY_START = /[A-Za-z_]/;
const KEY_PART = /[A-Za-z0-9_]/;

/**
 * Compiles a label regex the way Prometheus applies it: anchored at both ends (the whole value must match),
 * with `.` matching newlines too. JavaScript's syntax (with the `u` flag) stands in for RE2's; the two agree
 * on the common subset users write. Throws a plain Error with the engine's explanation when it is invalid.
 */
export function compileLabelRegex(pattern: string): RegExp {
  const source = `^(?:${pattern})$`;
  try {
    return new RegExp(source, 'su');
  } catch (error) {
    // V8 quotes the whole compiled source; the user wrote only the pattern, so keep just the reason.
    const message = (error as Error).message;
    const prefix = `Invalid regular expression: /${source}/su: `;
    const reason = message.startsWith(prefix) ? message.slice(prefix.length) : message;
    throw new Error(`invalid regular expression ${JSON.stringify(pattern)}: ${reason}`, { cause: error });
  }
}

/**
 * Parses a selector. Braces are optional, an empty selector (`{}` or ``) selects everything, and a trailing
 * comma is allowed. Values are double-quoted with the escapes `\"`, `\\`, `\n`, `\t`; single quotes and
 * backquotes are not accepted, to keep one way of writing each value.
 */
export function parseSelector(text: string): LabelMatcher[] {
  const parser = new SelectorParser(text);
  return parser.parse();
}

/** Writes matchers back as selector text that `parseSelector` reads to the same matchers. */
export function formatSelector(matchers: readonly LabelMatcher[]): string {
  return `{${matchers.map(m => `${m.key}${m.op}${quoteLabelValue(m.value)}`).join(', ')}}`;
}

/** Quotes a value with exactly the escapes the parser understands. */
export function quoteLabelValue(value: string): string {
  let out = '"';
  for (const ch of value) {
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\t':
        out += '\\t';
        break;
      default:
        out += ch;
    }
  }
  return out + '"';
}

class SelectorParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parse(): LabelMatcher[] {
    const matchers: LabelMatcher[] = [];
    this.skipSpace();
    const braced = this.peek() === '{';
    if (braced) this.pos++;
    for (;;) {
      this.skipSpace();
      if (this.atEnd()) {
        if (braced) this.fail('expected "}" to close the selector');
        break;
      }
      if (braced && this.peek() === '}') {
        this.pos++;
        break;
      }
      matchers.push(this.matcher());
      this.skipSpace();
      if (this.peek() === ',') {
        this.pos++;
        continue;
      }
      if (braced && this.peek() === '}') {
        this.pos++;
        break;
      }
      if (this.atEnd()) {
        if (braced) this.fail('expected "}" to close the selector');
        break;
      }
      this.fail(braced ? 'expected "," or "}" after a matcher' : 'expected "," after a matcher');
    }
    this.skipSpace();
    if (!this.atEnd()) this.fail('unexpected text after the selector');
    return matchers;
  }

  private matcher(): LabelMatcher {
    const key = this.key();
    this.skipSpace();
    const op = this.op();
    this.skipSpace();
    const valueStart = this.pos;
    const value = this.quoted();
    if (op === '=~' || op === '!~') {
      try {
        compileLabelRegex(value);
      } catch (error) {
        throw new SelectorSyntaxError((error as Error).message, valueStart);
      }
    }
    return { key, op, value };
  }

  private key(): string {
    const start = this.pos;
    if (!KEY_START.test(this.peek())) {
      this.fail(this.atEnd() ? 'expected a label name' : `expected a label name, found ${describe(this.peek())}`);
    }
    this.pos++;
    while (!this.atEnd() && KEY_PART.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private op(): MatchOp {
    const two = this.text.slice(this.pos, this.pos + 2);
    if (two === '=~' || two === '!~' || two === '!=') {
      this.pos += 2;
      return two;
    }
    if (this.peek() === '=') {
      this.pos++;
      return '=';
    }
    return this.fail(`expected one of = != =~ !~${this.atEnd() ? '' : `, found ${describe(this.peek())}`}`);
  }

  private quoted(): string {
    if (this.peek() !== '"') this.fail('expected a double-quoted value');
    const open = this.pos;
    this.pos++;
    let out = '';
    for (;;) {
      if (this.atEnd()) throw new SelectorSyntaxError('unterminated string (opened here)', open);
      const ch = this.text[this.pos]!;
      if (ch === '"') {
        this.pos++;
        return out;
      }
      if (ch === '\\') {
        const next = this.text[this.pos + 1];
        switch (next) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          default:
            this.fail(next === undefined ? 'unterminated escape' : `unknown escape \\${next}`);
        }
        this.pos += 2;
        continue;
      }
      if (ch === '\n') this.fail('line break inside a string (write \\n)');
      out += ch;
      this.pos++;
    }
  }

  private skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.peek())) this.pos++;
  }

  private peek(): string {
    return this.text[this.pos] ?? '';
  }

  private atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  private fail(reason: string): never {
    throw new SelectorSyntaxError(reason, this.pos);
  }
}

function describe(ch: string): string {
  return JSON.stringify(ch);
}
