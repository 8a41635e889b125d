import * as assert from 'node:assert/strict';
import { explain } from './explain';
import { and, eq, gte } from './expression';
import { count, scan, sum } from './logicalPlan';
import { optimize } from './optimizer';
import { parsePlan } from './planText';

describe('plan text and optimizer', () => {
  it('parses what the builder builds', () => {
    const built = scan()
      .filter(and(eq('labels.branch', 'main'), gte('timestamp', 1000)))
      .aggregate(['stack_id'], [sum('value', 'value'), count('samples')])
      .limit(10)
      .build();
    const parsed = parsePlan('scan * | filter labels.branch = "main" and timestamp >= 1000 | aggregate by [stack_id] sum(value) as value, count() as samples | limit 10');
    assert.equal(explain(parsed, { raw: true }), explain(built, { raw: true }));
  });

  it('is idempotent: optimising an optimised plan changes nothing', () => {
    const plan = parsePlan('scan [value] | filter labels.a = "x" | filter timestamp < 5 | project [value] | limit 3');
    const once = optimize(plan);
    assert.equal(explain(optimize(once), { raw: true }), explain(once, { raw: true }));
  });

  it('reports syntax errors with positions', () => {
    assert.throws(() => parsePlan('scan * | filter value >'), /expected a string or a number at position 24/);
    assert.throws(() => parsePlan('scan * | frobnicate'), /unknown stage "frobnicate" at position 10/);
    assert.throws(() => parsePlan('scan * | filter labels.a =~ "("'), /invalid regular expression "\(": .* at position 29/);
    assert.throws(() => parsePlan('scan [a, a]'), /scan names column "a" twice/);
  });
});
