import * as assert from 'node:assert/strict';
import { dictionaryColumn, makeBatch, numberColumn } from './arrowBuild';
import { HashAggregate } from './hashAggregate';
import { count, groupKey, sum } from './logicalPlan';
import { SORT_STEP } from './sortInSteps';

describe('hash aggregate', () => {
  it('grows the dense stack-id accumulators when an id exceeds the metadata count', () => {
    const aggregate = new HashAggregate([groupKey('stack_id')], [sum('value', 'value'), count('n')], 2);
    const batch = makeBatch(
      ['stack_id', 'value'],
      [numberColumn(Uint32Array.from([1, 5000, 1, 7])), numberColumn(Float64Array.from([1, 2, 3, 4]))],
      4,
    );
    aggregate.add(batch, null);
    aggregate.add(batch, Uint32Array.from([1]));
    const result = aggregate.finish();
    assert.deepEqual(Array.from(result.getChild('stack_id')!.toArray() as Uint32Array), [1, 7, 5000]);
    assert.deepEqual(Array.from(result.getChild('value')!.toArray() as Float64Array), [4, 4, 4]);
    assert.deepEqual(Array.from(result.getChild('n')!.toArray() as Float64Array), [2, 1, 2]);
  });

  it('groups numbers by bucket, remembering runs of equal buckets', () => {
    const aggregate = new HashAggregate([groupKey('timestamp', 10, 'bucket')], [sum('value', 'value')]);
    const batch = makeBatch(
      ['timestamp', 'value'],
      [numberColumn(Float64Array.from([1, 2, 15, 3, 29, 21])), numberColumn(Float64Array.from([1, 1, 1, 1, 1, 1]))],
      6,
    );
    aggregate.add(batch, null);
    const result = aggregate.finish();
    assert.deepEqual(Array.from(result.getChild('bucket')!.toArray() as Float64Array), [0, 10, 20]);
    assert.deepEqual(Array.from(result.getChild('value')!.toArray() as Float64Array), [3, 1, 2]);
  });

  it('puts a result of many groups together in steps, sorted by key, with a UTF-8 dictionary', () => {
    // A label with a value per request: 5.5 steps' worth of distinct values, in no order, some not ASCII, and nulls.
    const n = Math.floor(5.5 * SORT_STEP);
    const values = Array.from({ length: n }, (_, i) => `trace-${((i * 7919) % n).toString(36)}${i % 5 === 0 ? '·é' : ''}`);
    const indices = Int32Array.from({ length: n }, (_, i) => i);
    const nulls = Uint8Array.from({ length: n }, (_, i) => (i % 11 === 0 ? 1 : 0));
    const batch = makeBatch(['labels.trace_id', 'value'], [dictionaryColumn(values, indices, nulls), numberColumn(Float64Array.from({ length: n }, (_, i) => i))], n);
    const aggregate = new HashAggregate([groupKey('labels.trace_id')], [sum('value', 'value')]);
    aggregate.add(batch, null);
    const steps = aggregate.finishSteps();
    let paused = 0;
    let step = steps.next();
    for (; !step.done; step = steps.next()) paused++;
    assert.ok(paused >= n / SORT_STEP, `${paused} pauses for ${n} groups`);
    const result = step.value;
    const keys = result.getChild('labels.trace_id')!.toArray() as (string | null)[];
    const expected = [null, ...values.filter((_, i) => i % 11 !== 0).sort()];
    assert.deepEqual(Array.from(keys), expected, 'null first, then the values in UTF-16 order, each once');
    const sums = result.getChild('value')!.toArray() as Float64Array;
    assert.equal(sums[0], Array.from({ length: n }, (_, i) => i).filter(i => i % 11 === 0).reduce((a, b) => a + b, 0));
    assert.equal(sums[1], values.indexOf(expected[1]!));
  });
});
