import * as assert from 'node:assert/strict';
import { blockHalves } from './blockHalves';

/** Batches of these row counts, as blockHalves sees them. */
const batches = (...rows: number[]): { batch: { numRows: number } }[] => rows.map(numRows => ({ batch: { numRows } }));
const sizes = (groups: { batch: { numRows: number } }[][]): number[][] => groups.map(g => g.map(m => m.batch.numRows));

describe('blockHalves', () => {
  it('cuts at the batch boundary nearest half the rows', () => {
    assert.deepEqual(sizes(blockHalves(batches(100, 100, 100, 100, 100, 100), 10)), [[100, 100, 100], [100, 100, 100]]);
    // Two cuts equally near: the first.
    assert.deepEqual(sizes(blockHalves(batches(100, 100, 100, 100, 100, 100, 100), 10)), [[100, 100, 100], [100, 100, 100, 100]]);
    assert.deepEqual(sizes(blockHalves(batches(500, 100, 100, 100, 100), 10)), [[500], [100, 100, 100, 100]]);
    assert.deepEqual(sizes(blockHalves(batches(100, 100, 100, 100, 500), 10)), [[100, 100, 100, 100], [500]]);
  });

  it('keeps the batches together when a side would hold fewer than minRows rows', () => {
    assert.deepEqual(sizes(blockHalves(batches(100), 10)), [[100]]);
    assert.deepEqual(sizes(blockHalves(batches(100, 30), 50)), [[100, 30]]);
    assert.deepEqual(sizes(blockHalves(batches(), 10)), [[]]);
    assert.deepEqual(sizes(blockHalves(batches(40, 200, 40), 50)), [[40, 200, 40]]);
    // The nearest cut would leave too few rows on one side; a farther one that leaves enough on both is taken.
    assert.deepEqual(sizes(blockHalves(batches(20, 100, 200), 50)), [[20, 100], [200]]);
  });
});
