import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../storage/store';
import { simpleWrite, stackOf, totalValue } from '../../storage/testing/sampleData';

const FILESYSTEM_MB = 24;

/**
 * The store on a full disk, for real: a small tmpfs mounted by the test (as root), filled to the brim by a file of
 * ballast. Writes must fail with a sentence that says the disk is full, nothing acknowledged may be lost, and once the
 * ballast is deleted, writing must simply work again, in the same process and after a restart.
 */
describe('the store on a full disk', function () {
  this.timeout(120_000);
  let mountPoint: string;
  let mounted = false;

  before(function () {
    if (process.getuid?.() !== 0) this.skip();
    mountPoint = mkdtempSync(join(tmpdir(), 'icicle-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${FILESYSTEM_MB}m,mode=0700`, 'tmpfs', mountPoint]);
    mounted = true;
  });
  after(() => {
    if (mounted) execFileSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('refuses writes with a clear error, loses nothing acknowledged, and writes again when space returns', async () => {
    const dir = join(mountPoint, 'store');
    let store = await Store.open(dir);
    const stack = stackOf(store, 'main;work');
    let acknowledged = 0;
    // Fill the disk with ballast, leaving a little room, then write until the store refuses.
    const ballast = join(mountPoint, 'ballast');
    writeFileSync(ballast, Buffer.alloc((FILESYSTEM_MB - 3) * 1024 * 1024));
    let failure: Error | undefined;
    for (let i = 0; i < 10_000 && !failure; i++) {
      try {
        await store.write(simpleWrite(stack, 2_000, { branch: 'main' }, 1_700_000_000_000 + i));
        acknowledged += 2_000;
      } catch (error) {
        failure = error as Error;
      }
    }
    assert.ok(failure, 'the disk never filled');
    assert.ok(acknowledged > 0, 'nothing fitted before the disk was full');
    assert.match(failure.message, /no space left|disk is full|ENOSPC/i, `the error says why: ${failure.message}`);
    assert.equal((await totalValue(store.snapshot())) / 10, acknowledged, 'every acknowledged sample is readable, none of the refused');

    // Space returns: the same store writes again.
    rmSync(ballast);
    await store.write(simpleWrite(stack, 100, { branch: 'main' }, 1_800_000_000_000));
    acknowledged += 100;
    assert.equal((await totalValue(store.snapshot())) / 10, acknowledged);
    await store.close();

    // And after a restart, exactly the acknowledged samples are there.
    store = await Store.open(dir);
    assert.equal((await totalValue(store.snapshot())) / 10, acknowledged);
    await store.close();
  });
});
