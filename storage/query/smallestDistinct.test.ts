import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeUtf8 } from './utf8Order';
import { SmallestDistinct } from './smallestDistinct';

describe('SmallestDistinct', () => {
  it('keeps the smallest distinct values offered, whatever their order and repeats', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 4 }), { maxLength: 200 }), fc.integer({ min: 1, max: 30 }), (values, capacity) => {
        const kept = new SmallestDistinct(capacity);
        for (const value of values) kept.offer(value);
        const expected = [...new Set(values)].sort().slice(0, capacity);
        assert.deepEqual(kept.sorted(), expected);
        assert.equal(kept.full, expected.length === capacity);
        assert.equal(kept.bar, kept.full ? expected[capacity - 1] : undefined);
        const bar = kept.barUtf8;
        assert.equal(bar === undefined ? undefined : decodeUtf8(bar, 0, bar.length), kept.bar);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a capacity that is not a positive integer', () => {
    assert.throws(() => new SmallestDistinct(0), /positive integer/);
    assert.throws(() => new SmallestDistinct(1.5), /positive integer/);
  });
});
