import type { BlockStats, ColumnStats } from '../schema';
import { numberLiteral, stringTest, type Predicate } from './expression';

/**
 * Whether any row of a block with these statistics could satisfy the predicate. It must be conservative: a
 * false answer skips the block, so false is returned only when the statistics prove that no row matches.
 * Anything the statistics cannot decide (a regex without a distinct list, an unfamiliar value type) answers
 * true.
 *
 * String min/max are compared with JavaScript's `<` (UTF-16 code units), and the store must compute them the
 * same way. Because UTF-8 byte order differs from it for characters from U+E000 up, range pruning is not
 * attempted when a bound or the literal contains a code unit at or above U+D800; distinct lists, which need no
 * order, are still used.
 */
export function mayMatch(predicate: Predicate, stats: BlockStats): boolean {
  switch (predicate.kind) {
    case 'and':
      return predicate.operands.every(p => mayMatch(p, stats));
    case 'or':
      return predicate.operands.some(p => mayMatch(p, stats));
  }
  if (stats.rows === 0) return false;
  const column: ColumnStats | undefined = stats.columns[predicate.column.name];
  const nullCount = column === undefined ? stats.rows : column.nullCount;
  const allNull = nullCount >= stats.rows;
  const numeric = typeof column?.min === 'number' || typeof column?.max === 'number';

  if (!numeric) {
    // A string column, or a column that is all null: nulls read as '' (expression.ts), so they match when
    // the test accepts the empty string.
    const test = stringTest(predicate);
    if (nullCount > 0 && test('')) return true;
    if (allNull || column === undefined) return false;
    if (column.distinct !== undefined) return column.distinct.some(test);
    return stringRangeMayMatch(predicate, column);
  }

  // Number columns: nulls never match a numeric test.
  if (allNull || column === undefined) return false;
  const min = column.min;
  const max = column.max;
  if (typeof min !== 'number' || typeof max !== 'number') return true;
  switch (predicate.kind) {
    case 'regex':
      return true;
    case 'in':
      return predicate.values.some(l => {
        const x = numberLiteral(predicate.column.name, l);
        return x >= min && x <= max;
      });
    case 'compare': {
      const x = numberLiteral(predicate.column.name, predicate.value);
      switch (predicate.op) {
        case '=':
          return x >= min && x <= max;
        case '!=':
          return !(min === x && max === x);
        case '<':
          return min < x;
        case '<=':
          return min <= x;
        case '>':
          return max > x;
        case '>=':
          return max >= x;
      }
    }
  }
}

function stringRangeMayMatch(predicate: Exclude<Predicate, { kind: 'and' | 'or' }>, column: ColumnStats): boolean {
  const min = column.min;
  const max = column.max;
  if (typeof min !== 'string' || typeof max !== 'string' || !orderSafe(min) || !orderSafe(max)) return true;
  const inRange = (x: string): boolean => orderSafe(x) ? x >= min && x <= max : true;
  switch (predicate.kind) {
    case 'regex':
      // A regex could be narrowed by its literal prefix; not worth the risk of getting it wrong yet.
      return true;
    case 'in':
      return predicate.values.some(l => inRange(String(l.value)));
    case 'compare': {
      const x = String(predicate.value.value);
      if (!orderSafe(x)) return true;
      switch (predicate.op) {
        case '=':
          return inRange(x);
        case '!=':
          return !(min === x && max === x);
        case '<':
          return min < x;
        case '<=':
          return min <= x;
        case '>':
          return max > x;
        case '>=':
          return max >= x;
      }
    }
  }
}

/** True when the string has no code unit at or above U+D800, where UTF-16 and code-point order disagree. */
function orderSafe(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0xd800) return false;
  return true;
}
