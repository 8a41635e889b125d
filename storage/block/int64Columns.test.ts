import * as fc from 'fast-check';
import * as assert from 'node:assert/strict';
import { float64ToInt64, int64ToFloat64 } from './int64Columns';

describe('Int64 columns without BigInt', () => {
  it('round-trips every safe integer, negative ones included, exactly as BigInt would', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), { maxLength: 50 }), values => {
        const int64 = float64ToInt64(Float64Array.from(values), values.length);
        assert.deepEqual([...int64], values.map(v => BigInt(v)));
        assert.deepEqual([...int64ToFloat64(int64, values.length)], values);
      }),
    );
  });

  it('handles the edges: zero, ±1, ±2^32, ±(2^53 − 1)', () => {
    const edges = [0, 1, -1, 2 ** 32, -(2 ** 32), 2 ** 32 - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    const int64 = float64ToInt64(Float64Array.from(edges), edges.length);
    assert.deepEqual([...int64], edges.map(v => BigInt(v)));
    assert.deepEqual([...int64ToFloat64(int64, edges.length)], edges);
  });
});
