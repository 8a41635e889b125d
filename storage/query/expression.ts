import { compileLabelRegex } from '../../common/selector';

/**
 * Expressions and predicates of the query engine.
 *
 * Predicates are deliberately narrow: a column compared with a literal, combined with AND / OR. That is all
 * the product queries need, and it is exactly the shape that can be evaluated over raw typed arrays (no
 * per-row interpretation) and checked against block statistics for pruning.
 *
 * Null semantics follow Prometheus and Parca rather than SQL, because that is what users of label selectors
 * expect: an absent label (a missing `labels.*` column, or a null in it) reads as the empty string. So
 * `label = "x"` is false for it, `label != "x"` is true, and `label = ""` selects exactly the rows without the
 * label. Numeric columns (timestamp, value, ...) are never null in the store; a null there fails every test.
 */

export interface ColumnRef {
  readonly kind: 'column';
  readonly name: string;
}

export interface Literal {
  readonly kind: 'literal';
  readonly value: string | number;
}

export type Expr = ColumnRef | Literal;

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type RegexOp = '=~' | '!~';

export interface ComparePredicate {
  readonly kind: 'compare';
  readonly op: CompareOp;
  readonly column: ColumnRef;
  readonly value: Literal;
}

/** An anchored regex match: the whole value must match, as in Prometheus. */
export interface RegexPredicate {
  readonly kind: 'regex';
  readonly op: RegexOp;
  readonly column: ColumnRef;
  readonly pattern: string;
  /** Compiled once when the predicate is built, so that an invalid pattern fails before any scan. */
  readonly regex: RegExp;
}

export interface InPredicate {
  readonly kind: 'in';
  readonly column: ColumnRef;
  readonly values: readonly Literal[];
}

export interface LogicalPredicate {
  readonly kind: 'and' | 'or';
  readonly operands: readonly Predicate[];
}

export type Predicate = ComparePredicate | RegexPredicate | InPredicate | LogicalPredicate;

export function col(name: string): ColumnRef {
  return Object.freeze({ kind: 'column', name });
}

export function lit(value: string | number): Literal {
  return Object.freeze({ kind: 'literal', value });
}

export function compare(column: string, op: CompareOp, value: string | number): ComparePredicate {
  return Object.freeze({ kind: 'compare', op, column: col(column), value: lit(value) });
}

export const eq = (column: string, value: string | number): ComparePredicate => compare(column, '=', value);
export const neq = (column: string, value: string | number): ComparePredicate => compare(column, '!=', value);
export const lt = (column: string, value: number): ComparePredicate => compare(column, '<', value);
export const lte = (column: string, value: number): ComparePredicate => compare(column, '<=', value);
export const gt = (column: string, value: number): ComparePredicate => compare(column, '>', value);
export const gte = (column: string, value: number): ComparePredicate => compare(column, '>=', value);

export function regex(column: string, op: RegexOp, pattern: string): RegexPredicate {
  return Object.freeze({ kind: 'regex', op, column: col(column), pattern, regex: compileLabelRegex(pattern) });
}

export function isIn(column: string, values: readonly (string | number)[]): InPredicate {
  return Object.freeze({ kind: 'in', column: col(column), values: Object.freeze(values.map(lit)) });
}

/** AND of the operands, flattening nested ANDs; a single operand is returned as is. */
export function and(...operands: Predicate[]): Predicate {
  return logical('and', operands);
}

export function or(...operands: Predicate[]): Predicate {
  return logical('or', operands);
}

function logical(kind: 'and' | 'or', operands: Predicate[]): Predicate {
  if (operands.length === 0) throw new Error(`${kind.toUpperCase()} needs at least one operand`);
  const flat: Predicate[] = [];
  for (const p of operands) {
    if (p.kind === kind) flat.push(...p.operands);
    else flat.push(p);
  }
  if (flat.length === 1) return flat[0]!;
  return Object.freeze({ kind, operands: Object.freeze(flat) });
}

/** Every column a predicate reads, without duplicates, in first-use order. */
export function predicateColumns(predicate: Predicate, into: Set<string> = new Set()): Set<string> {
  if (isLogical(predicate)) {
    for (const p of predicate.operands) predicateColumns(p, into);
  } else {
    into.add(predicate.column.name);
  }
  return into;
}

export type LeafPredicate = ComparePredicate | RegexPredicate | InPredicate;

export function isLogical(predicate: Predicate): predicate is LogicalPredicate {
  return predicate.kind === 'and' || predicate.kind === 'or';
}

/**
 * The test a leaf predicate applies to one string value (null already read as ''). Used per distinct
 * dictionary value, by pruning, and by the row-by-row reference in tests; never per row on the hot path.
 */
export function stringTest(predicate: ComparePredicate | RegexPredicate | InPredicate): (value: string) => boolean {
  switch (predicate.kind) {
    case 'regex': {
      const re = predicate.regex;
      return predicate.op === '=~' ? v => re.test(v) : v => !re.test(v);
    }
    case 'in': {
      const set = new Set(predicate.values.map(l => String(l.value)));
      return v => set.has(v);
    }
    case 'compare': {
      const x = String(predicate.value.value);
      switch (predicate.op) {
        case '=':
          return v => v === x;
        case '!=':
          return v => v !== x;
        case '<':
          return v => v < x;
        case '<=':
          return v => v <= x;
        case '>':
          return v => v > x;
        case '>=':
          return v => v >= x;
      }
    }
  }
}

/** The test a leaf predicate applies to one number; a string literal compared with a number column is an error. */
export function numberTest(predicate: ComparePredicate | RegexPredicate | InPredicate): (value: number) => boolean {
  switch (predicate.kind) {
    case 'regex':
      throw new Error(`cannot match a regular expression against number column ${predicate.column.name}`);
    case 'in': {
      const set = new Set(predicate.values.map(l => numberLiteral(predicate.column.name, l)));
      return v => set.has(v);
    }
    case 'compare': {
      const x = numberLiteral(predicate.column.name, predicate.value);
      switch (predicate.op) {
        case '=':
          return v => v === x;
        case '!=':
          return v => v !== x;
        case '<':
          return v => v < x;
        case '<=':
          return v => v <= x;
        case '>':
          return v => v > x;
        case '>=':
          return v => v >= x;
      }
    }
  }
}

export function numberLiteral(column: string, literal: Literal): number {
  if (typeof literal.value !== 'number') {
    throw new Error(`cannot compare number column ${column} with string ${JSON.stringify(literal.value)}`);
  }
  return literal.value;
}

/** Deterministic text of a predicate, used by explain(): strings are JSON-quoted so hostile values stay on one line. */
export function formatPredicate(predicate: Predicate, parentKind?: 'and' | 'or'): string {
  switch (predicate.kind) {
    case 'and':
    case 'or': {
      const text = predicate.operands.map(p => formatPredicate(p, predicate.kind)).join(` ${predicate.kind.toUpperCase()} `);
      return parentKind !== undefined && parentKind !== predicate.kind ? `(${text})` : text;
    }
    case 'compare':
      return `${predicate.column.name} ${predicate.op} ${formatLiteral(predicate.value)}`;
    case 'regex':
      return `${predicate.column.name} ${predicate.op} ${JSON.stringify(predicate.pattern)}`;
    case 'in':
      return `${predicate.column.name} IN (${predicate.values.map(formatLiteral).join(', ')})`;
  }
}

export function formatLiteral(literal: Literal): string {
  return typeof literal.value === 'number' ? String(literal.value) : JSON.stringify(literal.value);
}
