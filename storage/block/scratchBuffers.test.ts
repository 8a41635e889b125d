import * as assert from 'node:assert/strict';
import { ScratchBuffers } from './scratchBuffers';

describe('ScratchBuffers', () => {
  it('gives the same buffer for a slot while it is big enough, a bigger one when not, and others per slot', () => {
    const scratch = new ScratchBuffers(60_000);
    const first = scratch.take('a', 1000);
    assert.ok(first.byteLength >= 1000);
    assert.equal(scratch.take('a', 800), first);
    const grown = scratch.take('a', 5000);
    assert.notEqual(grown, first);
    assert.ok(grown.byteLength >= 5000);
    assert.notEqual(scratch.take('b', 100), grown);
    assert.equal(scratch.take('a', 5000), grown);
    scratch.release();
    assert.equal(scratch.heldBytes, 0);
  });

  it('lets its buffers go after being idle, and allocates again when taken next', async () => {
    const scratch = new ScratchBuffers(20);
    const first = scratch.take('a', 1 << 20);
    assert.ok(scratch.heldBytes >= 1 << 20);
    for (const deadline = Date.now() + 10_000; scratch.heldBytes > 0 && Date.now() < deadline; ) await new Promise(resolve => setTimeout(resolve, 10));
    assert.equal(scratch.heldBytes, 0);
    assert.notEqual(scratch.take('a', 1 << 20), first);
    scratch.release();
  });
});
