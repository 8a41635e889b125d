import * as assert from 'node:assert/strict';
import type { RunCosts } from '../../storage/query';
import { random } from '../../test/support/random';
import { compareRuns, welchP } from './compareRuns';

/** Runs whose functions cost `base` each, times a noise factor, plus overrides per function. */
function runs(count: number, seed: number, costs: Record<string, number>, noise = 0.04): RunCosts[] {
  const next = random(seed);
  return Array.from({ length: count }, (_, r) => {
    const functions = Object.entries(costs).map(([name, cost]) => {
      const value = cost * (1 + (next() * 2 - 1) * noise);
      return { functionName: name, file: `/app/${name}.js`, line: 1, column: 1, self: value, total: 2 * value, selfSamples: 1, totalSamples: 1 };
    });
    // A run's value is the sum of its samples: of every function's self cost.
    return { run: `run${r}`, total: functions.reduce((s, f) => s + f.self, 0), functions };
  });
}

describe('comparing runs of two branches', () => {
  const unchanged = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`steady${i}`, 50 + i * 10]));

  it('puts a function twice as slow first as a significant regression and leaves the unchanged ones alone', () => {
    const base = runs(3, 1, { ...unchanged, slow: 400, tiny: 1 });
    const head = runs(3, 2, { ...unchanged, slow: 800, tiny: 1.3, added: 120 });
    const result = compareRuns(base, head);
    const first = result.changes[0]!;
    assert.equal(first.name, 'slow');
    assert.equal(first.verdict, 'regression');
    assert.ok(first.deltaPercent > 80 && first.deltaPercent < 120, `slow changed by ${first.deltaPercent}%`);
    assert.ok(first.p! < 0.01);
    const steady = result.changes.filter(c => c.name.startsWith('steady'));
    assert.equal(steady.length, 30);
    assert.deepEqual([...new Set(steady.map(c => c.verdict))], ['unchanged'], 'noise of ±4% is not a change');
    assert.equal(result.changes.find(c => c.name === 'tiny')!.verdict, 'unchanged', '+30% of a sliver of the total is below the floor');
    const added = result.changes.find(c => c.name === 'added')!;
    assert.equal(added.verdict, 'regression');
    assert.equal(added.deltaPercent, Infinity);
    assert.equal(added.a.mean, 0);
    assert.match(result.method, /Welch’s t-test per function on its self cost/);
    assert.equal(compareRuns(base, head, { measure: 'total' }).changes[0]!.delta, 2 * first.delta, 'total compares the total column');
  });

  it('says nothing is known with a single run on a side, and sees no change between identical sides', () => {
    const one = compareRuns(runs(1, 3, { a: 10, b: 20 }), runs(3, 4, { a: 30, b: 20 }));
    assert.deepEqual([...new Set(one.changes.map(c => c.verdict))], ['unknown']);
    const same = runs(3, 5, { a: 10, b: 20 });
    assert.deepEqual([...new Set(compareRuns(same, same).changes.map(c => c.verdict))], ['unchanged']);
  });

  it('computes Welch’s p-value as the textbook does', () => {
    // scipy.stats.ttest_ind([1,2,3,4,5], [2,4,6,8,10], equal_var=False) → p ≈ 0.1075
    const p = welchP({ mean: 3, sd: Math.sqrt(2.5), runs: 5 }, { mean: 6, sd: Math.sqrt(10), runs: 5 })!;
    assert.ok(Math.abs(p - 0.1075) < 0.002, `p = ${p}`);
    assert.equal(welchP({ mean: 3, sd: 0, runs: 3 }, { mean: 3, sd: 0, runs: 3 }), 1);
    assert.equal(welchP({ mean: 3, sd: 0, runs: 3 }, { mean: 4, sd: 0, runs: 3 }), 0);
  });
});
