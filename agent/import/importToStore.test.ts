import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../storage/store';
import { ProfileBuilder } from './importedProfile';
import { profileWrites } from './importToStore';

describe('importToStore', function () {
  // Opening and closing a real store takes seconds on a loaded machine.
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-import-to-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hands the store each per-sample label already dictionary-encoded, with only the values of that write', async () => {
    const builder = new ProfileBuilder('pprof', [
      { profileType: 'memory:alloc_space:bytes:space:bytes', unit: 'bytes' },
      { profileType: 'memory:inuse_space:bytes:space:bytes', unit: 'bytes' },
    ]);
    const stack = builder.stack([builder.frame({ name: 'main', file: 'main.go', line: 1, column: 0, module: '', address: 0 })]);
    builder.sample(stack, [10, 0], undefined, { thread: 'a' });
    builder.sample(stack, [20, 5], undefined, { thread: 'b' });
    builder.sample(stack, [30, 6]);
    const store = await Store.open(dir);
    try {
      const writes = [...profileWrites(store, builder.build({}), {})];
      // The in-use type leaves out the first sample (zero): its write does not carry 'a'.
      assert.deepEqual(
        writes.map(w => w.rowLabels?.['thread']),
        [
          { dictionary: ['a', 'b'], codes: Int32Array.of(0, 1, -1) },
          { dictionary: ['b'], codes: Int32Array.of(0, -1) },
        ],
      );
      await store.writeTransaction(writes);
      assert.equal(store.snapshot().rows, 5);
    } finally {
      await store.close();
    }
  });

  it('interns each distinct frame and stack of the profile once, however many samples use them', async () => {
    const builder = new ProfileBuilder('cpuprofile', [{ profileType: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', unit: 'nanoseconds' }]);
    const frame = (name: string): number => builder.frame({ name, file: 'app.js', line: 1, column: 1, module: '', address: 0 });
    const stacks = [builder.stack([frame('a')]), builder.stack([frame('b'), frame('a')]), builder.stack([frame('c'), frame('b'), frame('a')])];
    for (let i = 0; i < 3000; i++) builder.sample(stacks[i % 3]!, [1000], i);
    const profile = builder.build({});
    const store = await Store.open(dir);
    try {
      // The real store's own methods, counted as importToStore calls them.
      const calls = { frames: 0, stacks: 0 };
      const internFrame = store.internFrame.bind(store);
      const internStack = store.internStack.bind(store);
      store.internFrame = frame => (calls.frames++, internFrame(frame));
      store.internStack = ids => (calls.stacks++, internStack(ids));
      const first = [...profileWrites(store, profile, {})];
      assert.deepEqual(calls, { frames: 3, stacks: 3 });
      await store.writeTransaction(first);
      // Importing it again finds every frame and stack already stored: the rows refer to the same stacks.
      const again = [...profileWrites(store, profile, {})];
      assert.deepEqual(calls, { frames: 6, stacks: 6 });
      assert.deepEqual({ frames: store.metadata.frameCount, stacks: store.metadata.stackCount }, { frames: 3, stacks: 3 });
      assert.deepEqual(again[0]!.stackIds, first[0]!.stackIds);
    } finally {
      await store.close();
    }
  });
});
