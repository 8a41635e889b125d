import type { RecordBatch, Vector } from 'apache-arrow';
import { columnData, dictionaryKey, dictionaryStrings, type NumberColumn } from './columnData';
import {
  numberLiteral,
  stringTest,
  type ComparePredicate,
  type InPredicate,
  type Predicate,
  type RegexPredicate,
} from './expression';

/**
 * Vectorised predicate evaluation over one record batch, producing a selection vector.
 *
 * A selection is a Uint32Array of ascending row indices, or null for "every row". Index lists beat bitmaps
 * here because the common filters are selective (one branch, one profile type, a time window): the filter
 * loop writes only the matching rows, and every later operator (AND's next operand, the aggregate) loops over
 * just those. AND narrows the candidate list operand by operand, so an expensive second test only sees the
 * rows the first one kept.
 *
 * String tests never run per row. For each distinct dictionary they are compiled into a Uint8Array mask over
 * dictionary indices (cached in a WeakMap keyed by the dictionary), so a regex runs once per distinct label
 * value and the row loop is `mask[indices[i]]`.
 */
export type RowSelection = Uint32Array | null;

export interface CompiledPredicate {
  /** The rows of `batch` among `candidates` (null: all rows) for which the predicate holds, ascending. */
  select(batch: RecordBatch, candidates: RowSelection): RowSelection;
}

export function compilePredicate(predicate: Predicate): CompiledPredicate {
  switch (predicate.kind) {
    case 'and':
      return new AndPredicate(predicate.operands.map(compilePredicate));
    case 'or':
      return new OrPredicate(predicate.operands.map(compilePredicate));
    default:
      return new LeafPredicate(predicate);
  }
}

/** Number of rows a selection names in a batch of `numRows` rows. */
export function selectionLength(selection: RowSelection, numRows: number): number {
  return selection === null ? numRows : selection.length;
}

const EMPTY = new Uint32Array(0);

class AndPredicate implements CompiledPredicate {
  constructor(private readonly operands: CompiledPredicate[]) {}

  select(batch: RecordBatch, candidates: RowSelection): RowSelection {
    let rows = candidates;
    for (const operand of this.operands) {
      rows = operand.select(batch, rows);
      if (rows !== null && rows.length === 0) break;
    }
    return rows;
  }
}

class OrPredicate implements CompiledPredicate {
  constructor(private readonly operands: CompiledPredicate[]) {}

  select(batch: RecordBatch, candidates: RowSelection): RowSelection {
    // Mark each operand's rows in a byte map, then read the marks back in candidate order: a sorted union
    // without sorting.
    const n = batch.numRows;
    const marks = new Uint8Array(n);
    for (const operand of this.operands) {
      const rows = operand.select(batch, candidates);
      if (rows === null) return candidates;
      for (let i = 0; i < rows.length; i++) marks[rows[i]!] = 1;
    }
    const count = selectionLength(candidates, n);
    const out = new Uint32Array(count);
    let k = 0;
    if (candidates === null) {
      for (let i = 0; i < n; i++) if (marks[i] === 1) out[k++] = i;
    } else {
      for (let j = 0; j < candidates.length; j++) {
        const i = candidates[j]!;
        if (marks[i] === 1) out[k++] = i;
      }
    }
    return out.subarray(0, k);
  }
}

interface CachedMask {
  mask: Uint8Array;
  length: number;
  /** Whether every entry is 1 / 0, so that a batch can be kept or dropped whole. */
  all: boolean;
  none: boolean;
  /** The only matching index when exactly one value matches (`label = "x"`), else -1: compared directly. */
  single: number;
}

type Leaf = ComparePredicate | RegexPredicate | InPredicate;

class LeafPredicate implements CompiledPredicate {
  private readonly column: string;
  /** What a null (absent label) reads as: the test applied to the empty string (see expression.ts). */
  private readonly nullResult: boolean;
  private readonly test: (value: string) => boolean;
  private readonly masks = new WeakMap<object, CachedMask>();

  constructor(private readonly predicate: Leaf) {
    this.column = predicate.column.name;
    this.test = stringTest(predicate);
    this.nullResult = this.test('');
  }

  select(batch: RecordBatch, candidates: RowSelection): RowSelection {
    const column = columnData(batch, this.column);
    switch (column.kind) {
      case 'absent':
        return this.nullResult ? candidates : EMPTY;
      case 'dictionary': {
        const cached = this.maskFor(column.dictionary);
        const { indices, validity, offset } = column;
        const nullResult = this.nullResult ? 1 : 0;
        if (cached.all && (validity === null || nullResult === 1)) return candidates;
        if (cached.none && (validity === null || nullResult === 0)) return EMPTY;
        if (cached.single >= 0 && validity === null && candidates === null) {
          return selectIndex(cached.single, indices, batch.numRows, this.scratch(batch.numRows));
        }
        return selectByMask(cached.mask, indices, validity, offset, nullResult, batch.numRows, candidates, this.scratch(batch.numRows));
      }
      case 'number':
        return selectNumbers(this.predicate, column, batch.numRows, candidates, this.scratch(batch.numRows));
    }
  }

  /**
   * A buffer for the matching rows, reused across batches: the result is copied out at its exact length, so a
   * selective filter allocates a small array per batch instead of a zeroed one as long as the batch.
   */
  private scratchRows = new Uint32Array(0);

  private scratch(n: number): Uint32Array {
    if (this.scratchRows.length < n) this.scratchRows = new Uint32Array(n);
    return this.scratchRows;
  }

  private maskFor(dictionary: Vector): CachedMask {
    const key = dictionaryKey(dictionary);
    let cached = this.masks.get(key);
    const length = dictionary.length;
    if (cached === undefined || cached.length < length) {
      // A grown dictionary keeps its old entries, so only the new values are tested.
      const strings = dictionaryStrings(dictionary);
      const mask = new Uint8Array(length);
      let start = 0;
      let ones = 0;
      if (cached !== undefined) {
        mask.set(cached.mask);
        start = cached.length;
        for (let j = 0; j < start; j++) ones += mask[j]!;
      }
      for (let j = start; j < length; j++) {
        if (this.test(strings[j]!)) {
          mask[j] = 1;
          ones++;
        }
      }
      cached = { mask, length, all: ones === length, none: ones === 0, single: ones === 1 ? mask.indexOf(1) : -1 };
      this.masks.set(key, cached);
    }
    return cached;
  }
}

function selectByMask(
  mask: Uint8Array,
  indices: Int32Array,
  validity: Uint8Array | null,
  offset: number,
  nullResult: number,
  n: number,
  candidates: RowSelection,
  out: Uint32Array,
): Uint32Array {
  let k = 0;
  if (validity === null) {
    if (candidates === null) {
      for (let i = 0; i < n; i++) if (mask[indices[i]!] === 1) out[k++] = i;
    } else {
      for (let j = 0; j < candidates.length; j++) {
        const i = candidates[j]!;
        if (mask[indices[i]!] === 1) out[k++] = i;
      }
    }
  } else if (candidates === null) {
    for (let i = 0; i < n; i++) {
      const bit = offset + i;
      const valid = (validity[bit >> 3]! >> (bit & 7)) & 1;
      if ((valid === 1 ? mask[indices[i]!]! : nullResult) === 1) out[k++] = i;
    }
  } else {
    for (let j = 0; j < candidates.length; j++) {
      const i = candidates[j]!;
      const bit = offset + i;
      const valid = (validity[bit >> 3]! >> (bit & 7)) & 1;
      if ((valid === 1 ? mask[indices[i]!]! : nullResult) === 1) out[k++] = i;
    }
  }
  return out.slice(0, k);
}

/** `label = "x"` when x is one dictionary entry: comparing the index beats a mask lookup (no dependent load). */
function selectIndex(target: number, indices: Int32Array, n: number, out: Uint32Array): Uint32Array {
  let k = 0;
  for (let i = 0; i < n; i++) if (indices[i] === target) out[k++] = i;
  return out.slice(0, k);
}

/**
 * Numeric tests, one loop per operator so that the comparison is inlined rather than called per row.
 * A null number fails every test (numeric columns are never labels, so the Prometheus rule does not apply).
 */
function selectNumbers(predicate: Leaf, column: NumberColumn, n: number, candidates: RowSelection, out: Uint32Array): Uint32Array {
  if (predicate.kind === 'regex') {
    throw new Error(`cannot match a regular expression against number column ${predicate.column.name}`);
  }
  const { values, validity, offset } = column;
  let k = 0;
  const count = candidates === null ? n : candidates.length;
  const row = (j: number): number => (candidates === null ? j : candidates[j]!);
  const valid = (i: number): boolean => {
    if (validity === null) return true;
    const bit = offset + i;
    return ((validity[bit >> 3]! >> (bit & 7)) & 1) === 1;
  };
  if (predicate.kind === 'in') {
    const set = new Set(predicate.values.map(l => numberLiteral(predicate.column.name, l)));
    for (let j = 0; j < count; j++) {
      const i = row(j);
      if (set.has(values[i]!) && valid(i)) out[k++] = i;
    }
    return out.slice(0, k);
  }
  const x = numberLiteral(predicate.column.name, predicate.value);
  if (candidates === null && validity === null) {
    // The hot case (time ranges over never-null timestamps): plain loops over the typed array.
    switch (predicate.op) {
      case '=':
        for (let i = 0; i < n; i++) if (values[i] === x) out[k++] = i;
        break;
      case '!=':
        for (let i = 0; i < n; i++) if (values[i] !== x) out[k++] = i;
        break;
      case '<':
        for (let i = 0; i < n; i++) if (values[i]! < x) out[k++] = i;
        break;
      case '<=':
        for (let i = 0; i < n; i++) if (values[i]! <= x) out[k++] = i;
        break;
      case '>':
        for (let i = 0; i < n; i++) if (values[i]! > x) out[k++] = i;
        break;
      case '>=':
        for (let i = 0; i < n; i++) if (values[i]! >= x) out[k++] = i;
        break;
    }
    return out.slice(0, k);
  }
  switch (predicate.op) {
    case '=':
      for (let j = 0; j < count; j++) {
        const i = row(j);
        if (values[i] === x && valid(i)) out[k++] = i;
      }
      break;
    case '!=':
      for (let j = 0; j < count; j++) {
        const i = row(j);
        if (values[i] !== x && valid(i)) out[k++] = i;
      }
      break;
    case '<':
      for (let j = 0; j < count; j++) {
        const i = row(j);
        if (values[i]! < x && valid(i)) out[k++] = i;
      }
      break;
    case '<=':
      for (let j = 0; j < count; j++) {
        const i = row(j);
        if (values[i]! <= x && valid(i)) out[k++] = i;
      }
      break;
    case '>':
      for (let j = 0; j < count; j++) {
        const i = row(j);
        if (values[i]! > x && valid(i)) out[k++] = i;
      }
      break;
    case '>=':
      for (let j = 0; j < count; j++) {
        const i = row(j);
        if (values[i]! >= x && valid(i)) out[k++] = i;
      }
      break;
  }
  return out.slice(0, k);
}
