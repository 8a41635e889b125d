import * as assert from 'node:assert/strict';
import { extendStackHash, STACK_HASH_SEED, stackHash, stackHashKey, StackTable } from './stackTable';
import { random } from '../../test/support/random';

/** Random stacks of frame ids 0..frames-1, of lengths 0..maxLength, many of them sharing prefixes and suffixes. */
function randomStacks(seed: number, count: number, maxLength: number, frames: number): number[][] {
  const next = random(seed);
  const stacks: number[][] = [];
  for (let s = 0; s < count; s++) {
    const base = stacks.length > 0 && next() < 0.5 ? stacks[Math.floor(next() * stacks.length)]! : [];
    const length = Math.floor(next() * maxLength);
    const stack = base.slice(0, length);
    while (stack.length < length) stack.push(Math.floor(next() * frames));
    stacks.push(stack);
  }
  return stacks;
}

describe('stack table', () => {
  it('keeps many stacks across slab boundaries intact, and interns each distinct stack once', () => {
    const table = new StackTable();
    const stacks = randomStacks(7, 20_000, 300, 50);
    // Longer than the biggest slab: it gets a slab of its own.
    stacks.push(Array.from({ length: (1 << 20) + 3 }, (_, i) => i % 97));
    const firstIdOf = new Map<string, number>();
    const ids = stacks.map(stack => {
      const id = table.intern(stack);
      const text = stack.join(',');
      if (!firstIdOf.has(text)) firstIdOf.set(text, id);
      assert.equal(id, firstIdOf.get(text), `stack ${text} interned again`);
      return id;
    });
    assert.equal(table.size, firstIdOf.size);
    // Every stack reads back as it was, after every later slab was written.
    stacks.forEach((stack, s) => assert.deepEqual(Array.from(table.stacks[ids[s]!]!), stack));
    // A typed array with room beyond the stack, as the V8 importer's scratch, finds the same ids and adds none.
    const scratch = new Uint32Array((1 << 20) + 10).fill(12345);
    stacks.forEach((stack, s) => {
      scratch.set(stack);
      assert.equal(table.intern(scratch, stack.length), ids[s]);
      scratch.fill(12345, 0, stack.length);
    });
    assert.equal(table.size, firstIdOf.size);
  });

  it('tells apart stacks whose keys are equal by their ids', () => {
    const table = new StackTable();
    const stacks = randomStacks(11, 3000, 20, 1000);
    const distinct = [...new Map(stacks.map(s => [s.join(','), s])).values()];
    // Every stack under one key: the table must compare ids, and keep doing so as it grows and rehashes.
    const ids = distinct.map(stack => table.add(stack, stack.length, 42));
    assert.deepEqual(ids, distinct.map((_, i) => i));
    distinct.forEach((stack, i) => assert.equal(table.find(stack, stack.length, 42), i));
    assert.equal(table.find([1000, 1001], 2, 42), -1);
  });

  it('hashes a stack root first, so that a walk from the root extends its parent\'s hash', () => {
    for (const stack of randomStacks(3, 200, 40, 10_000)) {
      let prefix = STACK_HASH_SEED;
      for (let d = stack.length - 1; d >= 0; d--) prefix = extendStackHash(prefix, stack[d]!);
      assert.equal(stackHashKey(prefix, stack.length), stackHash(stack, stack.length));
    }
    assert.notEqual(stackHash([1, 2], 2), stackHash([2, 1], 2), 'order matters');
    assert.equal(stackHash([1, 2, 3], 2), stackHash([1, 2], 2), 'only the first `length` ids count');
  });
});
