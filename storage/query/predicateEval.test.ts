import * as assert from 'node:assert/strict';
import { Utf8, makeData, vectorFromArray, type Data } from 'apache-arrow';
import { stringColumnType } from '../schema';
import { dictionaryColumn, makeBatch, numberColumn } from './arrowBuild';
import { eq, gte, neq, regex } from './expression';
import { compilePredicate } from './predicateEval';

const rowsOf = (selection: Uint32Array | null, n: number): number[] =>
  selection === null ? Array.from({ length: n }, (_, i) => i) : Array.from(selection);

describe('predicate evaluation', () => {
  it('runs a regex once per distinct dictionary value, however many rows and batches share the dictionary', () => {
    const predicate = regex('labels.a', '=~', 'x.*');
    let calls = 0;
    const test = predicate.regex.test.bind(predicate.regex);
    predicate.regex.test = (s: string): boolean => {
      calls++;
      return test(s);
    };
    const compiled = compilePredicate(predicate);
    const dictionary = vectorFromArray(['x1', 'y', 'x2'], new Utf8());
    const column = (indices: number[]): Data =>
      makeData({ type: stringColumnType(), length: indices.length, nullCount: 0, data: Int32Array.from(indices), dictionary });
    const b1 = makeBatch(['labels.a'], [column([0, 1, 2, 1, 0])], 5);
    const b2 = makeBatch(['labels.a'], [column([1, 1, 2])], 3);
    assert.deepEqual(rowsOf(compiled.select(b1, null), 5), [0, 2, 4]);
    assert.deepEqual(rowsOf(compiled.select(b2, null), 3), [2]);
    // One call per dictionary entry, plus one for the empty string (what an absent label reads as).
    assert.equal(calls, 4);
  });

  it('extends a cached mask when the same dictionary grows', () => {
    const compiled = compilePredicate(eq('labels.a', 'new'));
    const small = vectorFromArray(['old'], new Utf8());
    const batch = (dictionary: typeof small, indices: number[]) =>
      makeBatch(['labels.a'], [makeData({ type: stringColumnType(), length: indices.length, nullCount: 0, data: Int32Array.from(indices), dictionary })], indices.length);
    assert.deepEqual(rowsOf(compiled.select(batch(small, [0, 0]), null), 2), []);
    const grown = vectorFromArray(['old', 'new'], new Utf8());
    assert.deepEqual(rowsOf(compiled.select(batch(grown, [0, 1, 1]), null), 3), [1, 2]);
  });

  it('reads sliced columns (offset validity bitmaps) and nulls correctly', () => {
    // Rows: x, null, y, x, null, x ; sliced to rows 1..4 → null, y, x, null.
    const nulls = Uint8Array.from([0, 1, 0, 0, 1, 0]);
    const full = dictionaryColumn(['x', 'y'], Int32Array.from([0, 0, 1, 0, 0, 0]), nulls);
    const sliced = full.slice(1, 4);
    const values = numberColumn(Float64Array.from([10, 20, 30, 40, 50, 60])).slice(1, 4);
    const batch = makeBatch(['labels.a', 'value'], [sliced, values], 4);
    assert.deepEqual(rowsOf(compilePredicate(eq('labels.a', 'x')).select(batch, null), 4), [2]);
    assert.deepEqual(rowsOf(compilePredicate(neq('labels.a', 'x')).select(batch, null), 4), [0, 1, 3]);
    assert.deepEqual(rowsOf(compilePredicate(eq('labels.a', '')).select(batch, null), 4), [0, 3]);
    assert.deepEqual(rowsOf(compilePredicate(gte('value', 40)).select(batch, null), 4), [2, 3]);
    assert.deepEqual(rowsOf(compilePredicate(gte('value', 30)).select(batch, Uint32Array.from([0, 3])), 4), [3]);
  });

  it('treats a column missing from a batch as all null', () => {
    const batch = makeBatch(['value'], [numberColumn(Float64Array.from([1, 2]))], 2);
    assert.deepEqual(rowsOf(compilePredicate(eq('labels.gone', 'x')).select(batch, null), 2), []);
    assert.deepEqual(rowsOf(compilePredicate(neq('labels.gone', 'x')).select(batch, null), 2), [0, 1]);
  });

  it('refuses to compare a number column with a string', () => {
    const batch = makeBatch(['value'], [numberColumn(Float64Array.from([1]))], 1);
    assert.throws(() => compilePredicate(eq('value', 'one')).select(batch, null), /cannot compare number column value with string "one"/);
  });
});
