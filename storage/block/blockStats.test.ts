import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { dictionaryColumn } from '../query/arrowBuild';
import { DISTINCT_LIMIT, type ColumnStats } from '../schema';
import { statsOfColumn } from './blockStats';

/** Values on both sides of the place where UTF-8 byte order and JavaScript's `<` disagree, and plain ones. */
const VALUES = ['a', 'ab', 'b', '', 'é', '\ue000', '\uffff', '😀', '😀a', 'z', 'Z'];

/** The statistics as their definition says: the used entries decoded and sorted with `<`. */
function obviousStats(dictionary: string[], indices: Int32Array, nulls: Uint8Array): ColumnStats {
  const used = new Set<number>();
  let nullCount = 0;
  indices.forEach((code, i) => (nulls[i] === 1 ? nullCount++ : used.add(code)));
  const values = [...used].map(code => dictionary[code]!).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (values.length === 0) return { nullCount };
  return { min: values[0]!, max: values[values.length - 1]!, nullCount, ...(values.length <= DISTINCT_LIMIT ? { distinct: values } : {}) };
}

describe('block statistics of a string column', () => {
  it('are the min, max and distinct values of the used entries in `<` order, nulls counted apart', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 3 })), { minLength: 1, maxLength: 80 }),
        fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 120 }),
        (dictionary, rows) => {
          // Some entries are used by no row, and some rows are null: neither may count.
          const indices = Int32Array.from(rows, ([code]) => code % dictionary.length);
          const nulls = Uint8Array.from(rows, ([, isNull]) => (isNull ? 1 : 0));
          assert.deepEqual(statsOfColumn(dictionaryColumn(dictionary, indices, nulls)), obviousStats(dictionary, indices, nulls));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
