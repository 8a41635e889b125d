import * as assert from 'node:assert/strict';
import { random } from '../../test/support/random';
import { LabelInterner } from './labelInterner';

describe('a label interner', () => {
  it('gives each distinct value one id, in first-seen order, across its table growing, as a Map would', () => {
    const next = random(21);
    const interner = new LabelInterner();
    const expected = new Map<string, number>();
    // Trace-id-like values and short ones, each asked for several times, plus values that differ in one unit only.
    const values = Array.from({ length: 60_000 }, (_, i) => (i % 3 === 0 ? `v${i % 500}` : Math.floor(next() * 2 ** 48).toString(16).padStart(32, '0')));
    values.push('', 'a', 'b', 'ab', 'ba', '\ud800', '東京', 'naïve', 'naive');
    for (let round = 0; round < 3; round++) {
      for (const value of values) {
        if (!expected.has(value)) expected.set(value, expected.size);
        assert.equal(interner.id(value), expected.get(value), JSON.stringify(value));
      }
    }
    assert.deepEqual(interner.values, [...expected.keys()]);
    assert.ok(interner.stamps.length >= expected.size && interner.locals.length >= expected.size);
  });
});
