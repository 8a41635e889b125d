import { and, compare, isIn, or, regex, type CompareOp, type Predicate } from './expression';
import { PlanBuilder, count, groupKey, max, min, sum, type AggregateSpec, type GroupKey, type LogicalPlan } from './logicalPlan';

/**
 * A text form of logical plans, for tests and debugging: stages joined by `|`, in the same words explain()
 * prints, so a plan can be written the way it is read.
 *
 *   scan * | filter labels.branch = "main" and timestamp >= 1000 | aggregate by [stack_id] sum(value) as value, count() as samples | limit 10
 *
 * Stages: `scan *` or `scan [c, ...]`; `filter <predicate>`; `project [c, ...]`; `aggregate [by [k, ...]] f(c) [as n], ...`
 * where a key is a column or `bucket(column, width)` and f is sum, count, min or max; `distinct [c, ...]`;
 * `limit n`. Predicates: `column op literal` with op one of = != =~ !~ < <= > >=, `column in (literal, ...)`,
 * `and`, `or` and parentheses (AND binds tighter). Strings are double-quoted with the escapes \" \\ \n \t; numbers
 * are plain. Keywords are case-insensitive.
 */
export function parsePlan(text: string): LogicalPlan {
  return new PlanParser(text).plan();
}

/** Parses a predicate alone, in the syntax of the filter stage. */
export function parsePredicate(text: string): Predicate {
  const parser = new PlanParser(text);
  const predicate = parser.predicateOnly();
  return predicate;
}

type Token =
  | { kind: 'name'; text: string; pos: number }
  | { kind: 'string'; text: string; pos: number }
  | { kind: 'number'; value: number; text: string; pos: number }
  | { kind: 'symbol'; text: string; pos: number }
  | { kind: 'end'; text: ''; pos: number };

const SYMBOLS = ['=~', '!~', '!=', '<=', '>=', '=', '<', '>', '(', ')', '[', ']', ',', '|', '*'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '"') {
      const start = i;
      let out = '';
      i++;
      for (;;) {
        if (i >= text.length) throw syntax('unterminated string', start);
        const c = text[i]!;
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\') {
          const next = text[i + 1];
          const escapes: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t' };
          if (next === undefined || escapes[next] === undefined) throw syntax(`unknown escape \\${next ?? ''}`, i);
          out += escapes[next];
          i += 2;
          continue;
        }
        out += c;
        i++;
      }
      tokens.push({ kind: 'string', text: out, pos: start });
      continue;
    }
    const number = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (number && (ch !== '-' || /\d|\./.test(text[i + 1] ?? ''))) {
      tokens.push({ kind: 'number', value: Number(number[0]), text: number[0], pos: i });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i));
    if (name) {
      tokens.push({ kind: 'name', text: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    const symbol = SYMBOLS.find(s => text.startsWith(s, i));
    if (symbol === undefined) throw syntax(`unexpected character ${JSON.stringify(ch)}`, i);
    tokens.push({ kind: 'symbol', text: symbol, pos: i });
    i += symbol.length;
  }
  tokens.push({ kind: 'end', text: '', pos: text.length });
  return tokens;
}

function syntax(reason: string, pos: number): Error {
  return new Error(`${reason} at position ${pos + 1}`);
}

class PlanParser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(text: string) {
    this.tokens = tokenize(text);
  }

  plan(): LogicalPlan {
    this.keyword('scan');
    let builder = PlanBuilder.scan(this.accept('*') ? '*' : this.columnList());
    while (this.accept('|')) {
      const stage = this.name().toLowerCase();
      switch (stage) {
        case 'filter':
          builder = builder.filter(this.predicate());
          break;
        case 'project':
          builder = builder.project(...this.columnList());
          break;
        case 'distinct':
          builder = builder.distinct(...this.columnList());
          break;
        case 'limit':
          builder = builder.limit(this.number());
          break;
        case 'aggregate':
          builder = this.aggregate(builder);
          break;
        default:
          throw syntax(`unknown stage ${JSON.stringify(stage)}`, this.previous().pos);
      }
    }
    this.expectEnd();
    return builder.build();
  }

  predicateOnly(): Predicate {
    const p = this.predicate();
    this.expectEnd();
    return p;
  }

  private aggregate(builder: PlanBuilder): PlanBuilder {
    const keys: GroupKey[] = [];
    if (this.peekKeyword('by')) {
      this.index++;
      this.expect('[');
      if (!this.accept(']')) {
        do keys.push(this.groupKey());
        while (this.accept(','));
        this.expect(']');
      }
    }
    const aggregates: AggregateSpec[] = [];
    if (this.peek().kind === 'name') {
      do aggregates.push(this.aggregateCall());
      while (this.accept(','));
    }
    return builder.aggregate(keys, aggregates);
  }

  private groupKey(): GroupKey {
    const name = this.name();
    if (name.toLowerCase() === 'bucket' && this.accept('(')) {
      const column = this.name();
      this.expect(',');
      const width = this.number();
      this.expect(')');
      return groupKey(column, width, this.alias() ?? 'bucket');
    }
    return groupKey(name, undefined, this.alias() ?? name);
  }

  private aggregateCall(): AggregateSpec {
    const token = this.peek();
    const fn = this.name().toLowerCase();
    this.expect('(');
    const column = this.peek().kind === 'name' ? this.name() : undefined;
    this.expect(')');
    const as = this.alias();
    switch (fn) {
      case 'count':
        return count(as ?? (column === undefined ? 'count' : column), column);
      case 'sum':
      case 'min':
      case 'max': {
        if (column === undefined) throw syntax(`${fn}() needs a column`, token.pos);
        const make = fn === 'sum' ? sum : fn === 'min' ? min : max;
        return make(column, as ?? column);
      }
      default:
        throw syntax(`unknown aggregate ${JSON.stringify(fn)}`, token.pos);
    }
  }

  private alias(): string | undefined {
    if (!this.peekKeyword('as')) return undefined;
    this.index++;
    return this.name();
  }

  private predicate(): Predicate {
    const operands = [this.conjunction()];
    while (this.peekKeyword('or')) {
      this.index++;
      operands.push(this.conjunction());
    }
    return operands.length === 1 ? operands[0]! : or(...operands);
  }

  private conjunction(): Predicate {
    const operands = [this.factor()];
    while (this.peekKeyword('and')) {
      this.index++;
      operands.push(this.factor());
    }
    return operands.length === 1 ? operands[0]! : and(...operands);
  }

  private factor(): Predicate {
    if (this.accept('(')) {
      const p = this.predicate();
      this.expect(')');
      return p;
    }
    const column = this.name();
    if (this.peekKeyword('in')) {
      this.index++;
      this.expect('(');
      const values: (string | number)[] = [];
      if (!this.accept(')')) {
        do values.push(this.literal());
        while (this.accept(','));
        this.expect(')');
      }
      return isIn(column, values);
    }
    const op = this.peek();
    if (op.kind !== 'symbol' || !['=', '!=', '=~', '!~', '<', '<=', '>', '>='].includes(op.text)) {
      throw syntax(`expected a comparison after ${column}`, op.pos);
    }
    this.index++;
    const valuePos = this.peek().pos;
    const value = this.literal();
    if (op.text === '=~' || op.text === '!~') {
      if (typeof value !== 'string') throw syntax('a regular expression must be a string', valuePos);
      try {
        return regex(column, op.text, value);
      } catch (error) {
        throw syntax((error as Error).message, valuePos);
      }
    }
    return compare(column, op.text as CompareOp, value);
  }

  private literal(): string | number {
    const token = this.peek();
    if (token.kind === 'string') {
      this.index++;
      return token.text;
    }
    if (token.kind === 'number') {
      this.index++;
      return token.value;
    }
    throw syntax('expected a string or a number', token.pos);
  }

  private columnList(): string[] {
    this.expect('[');
    const columns: string[] = [];
    if (this.accept(']')) return columns;
    do columns.push(this.name());
    while (this.accept(','));
    this.expect(']');
    return columns;
  }

  private name(): string {
    const token = this.peek();
    if (token.kind !== 'name') throw syntax(`expected a name${token.kind === 'end' ? '' : `, found ${JSON.stringify(token.text)}`}`, token.pos);
    this.index++;
    return token.text;
  }

  private number(): number {
    const token = this.peek();
    if (token.kind !== 'number') throw syntax('expected a number', token.pos);
    this.index++;
    return token.value;
  }

  private keyword(word: string): void {
    if (!this.peekKeyword(word)) throw syntax(`expected ${word}`, this.peek().pos);
    this.index++;
  }

  private peekKeyword(word: string): boolean {
    const token = this.peek();
    return token.kind === 'name' && token.text.toLowerCase() === word;
  }

  private accept(symbol: string): boolean {
    const token = this.peek();
    if (token.kind === 'symbol' && token.text === symbol) {
      this.index++;
      return true;
    }
    return false;
  }

  private expect(symbol: string): void {
    if (!this.accept(symbol)) {
      const token = this.peek();
      throw syntax(`expected "${symbol}"${token.kind === 'end' ? '' : `, found ${JSON.stringify(token.text)}`}`, token.pos);
    }
  }

  private expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') throw syntax(`unexpected ${JSON.stringify(token.text)}`, token.pos);
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private previous(): Token {
    return this.tokens[this.index - 1]!;
  }
}
