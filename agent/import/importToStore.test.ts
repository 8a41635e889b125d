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
});
