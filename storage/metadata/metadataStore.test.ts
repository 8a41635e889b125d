import * as assert from 'node:assert/strict';
import { MetadataStore, type StoredFrame } from './metadataStore';

const frame = (functionName: string, line = 1, file = '/w/a.js'): StoredFrame => ({
  functionName,
  file,
  line,
  column: 1,
  module: '',
  address: 0,
});

/** A small deterministic random generator, so that a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('metadata store', () => {
  it('interns equal frames and stacks to the same id, from 1', () => {
    const store = new MetadataStore();
    const a = store.internFrame(frame('a'));
    const b = store.internFrame(frame('b'));
    assert.deepEqual([a, b, store.internFrame(frame('a'))], [1, 2, 1]);
    assert.equal(store.internFrame(frame('a', 2)), 3, 'another line is another frame');
    const s = store.internStack([b, a]);
    assert.equal(store.internStack([b, a]), s);
    assert.notEqual(store.internStack([a, b]), s, 'order matters');
    assert.deepEqual(Array.from(store.stack(s)), [b, a]);
  });

  it('keeps names that contain separators and quotes apart', () => {
    const store = new MetadataStore();
    const ids = ['a","b', 'a', '"b', 'a\u0000b'].map(n => store.internFrame(frame(n)));
    assert.equal(new Set(ids).size, 4);
  });

  it('refuses a stack that names a frame it does not have', () => {
    const store = new MetadataStore();
    store.internFrame(frame('a'));
    assert.throws(() => store.internStack([1, 2]), /unknown frame 2/);
    assert.equal(store.stackCount, 0);
  });

  it('replays its changes into an identical store, in pieces and with repeats (random, seeded)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const next = random(seed);
      const original = new MetadataStore();
      const copy = new MetadataStore();
      let frames = 0;
      let stacks = 0;
      for (let step = 0; step < 50; step++) {
        const id = original.internFrame(frame(`f${Math.floor(next() * 30)}`, 1 + Math.floor(next() * 3)));
        const depth = 1 + Math.floor(next() * 6);
        original.internStack(Array.from({ length: depth }, () => 1 + Math.floor(next() * id)));
        if (next() < 0.3) {
          const changes = original.changesSince(frames, stacks);
          copy.apply(changes);
          copy.apply(changes); // A replay after a crash may see the same changes twice.
          frames = original.frameCount;
          stacks = original.stackCount;
        }
      }
      copy.apply(original.changesSince(frames, stacks));
      assert.equal(copy.frameCount, original.frameCount, `seed ${seed}`);
      assert.equal(copy.stackCount, original.stackCount, `seed ${seed}`);
      for (let s = 1; s <= original.stackCount; s++) {
        assert.deepEqual(copy.stack(s), original.stack(s), `seed ${seed}, stack ${s}`);
        for (const f of original.stack(s)) assert.deepEqual(copy.frame(f), original.frame(f));
      }
    }
  });

  it('refuses changes that start after a gap', () => {
    const original = new MetadataStore();
    original.internFrame(frame('a'));
    original.internFrame(frame('b'));
    assert.throws(() => new MetadataStore().apply(original.changesSince(1, 0)), /after a gap/);
  });
});
