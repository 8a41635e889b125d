import * as assert from 'node:assert/strict';
import { random } from '../../test/support/random';
import { SORT_STEP, sortInSteps } from './sortInSteps';

describe('sortInSteps', () => {
  const drain = (steps: Generator<void, Int32Array>): { sorted: Int32Array; steps: number } => {
    let count = 0;
    for (;;) {
      const step = steps.next();
      if (step.done) return { sorted: step.value, steps: count };
      count++;
    }
  };

  for (const n of [0, 1, 7, SORT_STEP - 1, SORT_STEP, SORT_STEP + 1, 3 * SORT_STEP + 17, 10 * SORT_STEP]) {
    it(`sorts ${n} elements as Array.sort does, stably, in steps of bounded work`, () => {
      const next = random(n + 1);
      // Few distinct keys, so that stability shows: elements are indices, compared by their key.
      const keys = Array.from({ length: n }, () => Math.floor(next() * 50));
      const compare = (a: number, b: number) => keys[a]! - keys[b]!;
      const expected = Array.from({ length: n }, (_, i) => i).sort(compare);
      const { sorted, steps } = drain(sortInSteps(Int32Array.from({ length: n }, (_, i) => i), compare));
      assert.deepEqual(Array.from(sorted), expected);
      // Sorting runs and log2(runs) merge passes: every step's work is bounded, so their number grows with n.
      if (n > SORT_STEP) assert.ok(steps >= Math.ceil(n / SORT_STEP), `${steps} steps for ${n}`);
    });
  }
});
