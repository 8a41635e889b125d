import * as assert from 'node:assert/strict';
import { PartResultCache } from './partResultCache';

describe('PartResultCache', () => {
  it('keeps results per part and query, and evicts the least recently used beyond its bytes', () => {
    const cache = new PartResultCache(100, 10);
    cache.set('block 1', 'q', 'one', 40);
    cache.set('block 2', 'q', 'two', 40);
    assert.equal(cache.get('block 1', 'q'), 'one');
    // block 2 is now the least recently used, so a third result pushes it out.
    cache.set('block 3', 'q', 'three', 40);
    assert.equal(cache.get('block 2', 'q'), undefined);
    assert.equal(cache.get('block 1', 'q'), 'one');
    assert.equal(cache.get('block 3', 'q'), 'three');
    assert.deepEqual(cache.size, { entries: 2, bytes: 80 });
    // Replacing a result counts its bytes once.
    cache.set('block 3', 'q', 'three again', 50);
    assert.deepEqual(cache.size, { entries: 2, bytes: 90 });
    // A result larger than the whole bound is not kept, and pushes nothing out.
    cache.set('block 4', 'q', 'huge', 101);
    assert.equal(cache.get('block 4', 'q'), undefined);
    assert.deepEqual(cache.size, { entries: 2, bytes: 90 });
  });

  it('evicts beyond its entries too, and forgets every result of a dropped part', () => {
    const cache = new PartResultCache(1_000_000, 3);
    cache.set('block 1', 'a', 1, 1);
    cache.set('block 1', 'b', 2, 1);
    cache.set('block 2', 'a', 3, 1);
    cache.set('block 2', 'b', 4, 1);
    assert.equal(cache.get('block 1', 'a'), undefined);
    assert.deepEqual(cache.size, { entries: 3, bytes: 3 });
    cache.dropPart('block 2');
    assert.deepEqual(cache.size, { entries: 1, bytes: 1 });
    assert.equal(cache.get('block 1', 'b'), 2);
  });
});
