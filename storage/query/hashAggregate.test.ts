import * as assert from 'node:assert/strict';
import { makeBatch, numberColumn } from './arrowBuild';
import { HashAggregate } from './hashAggregate';
import { count, groupKey, sum } from './logicalPlan';

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
});
