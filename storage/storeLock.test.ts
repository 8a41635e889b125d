import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertStoreFree, StoreLock, StoreLockedError } from './storeLock';

describe('store lock', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'icicle-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second holder with a message naming the first', async () => {
    const lock = await StoreLock.acquire(dir, 'icicle agent test');
    await assert.rejects(StoreLock.acquire(dir, 'icicle cli'), (error: unknown) => {
      assert.ok(error instanceof StoreLockedError);
      assert.match(error.message, new RegExp(`in use by icicle agent test \\(pid ${process.pid} on `));
      return true;
    });
    await lock.release();
    assert.equal(existsSync(join(dir, 'LOCK')), false);
    await (await StoreLock.acquire(dir, 'icicle cli')).release();
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>(resolve => child.once('exit', () => resolve(child.pid!)));
    writeFileSync(join(dir, 'LOCK'), JSON.stringify({ pid: deadPid, hostname: hostname(), description: 'a crashed agent', since: 'then' }));
    const lock = await StoreLock.acquire(dir, 'icicle agent test');
    await lock.release();
  });

  it('takes over an unreadable lock file (its writer died while writing it)', async () => {
    writeFileSync(join(dir, 'LOCK'), '{"pid": 12');
    await (await StoreLock.acquire(dir, 'icicle agent test')).release();
  });

  it('respects a lock held from another host', async () => {
    writeFileSync(join(dir, 'LOCK'), JSON.stringify({ pid: 1, hostname: 'elsewhere', description: 'an agent on elsewhere', since: 'now' }));
    await assert.rejects(StoreLock.acquire(dir, 'icicle agent test'), /in use by an agent on elsewhere \(pid 1 on elsewhere/);
  });

  it('says whether another live process holds the store, without taking the lock', async () => {
    await assertStoreFree(dir);
    writeFileSync(join(dir, 'LOCK'), JSON.stringify({ pid: process.ppid, hostname: hostname(), description: 'icicle agent elsewhere', since: 'then' }));
    await assert.rejects(assertStoreFree(dir), /in use by icicle agent elsewhere/);
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>(resolve => child.once('exit', () => resolve(child.pid!)));
    writeFileSync(join(dir, 'LOCK'), JSON.stringify({ pid: deadPid, hostname: hostname(), description: 'a crashed agent', since: 'then' }));
    await assertStoreFree(dir);
    assert.equal(existsSync(join(dir, 'LOCK')), true, 'the stale lock is left to the next holder');
  });
});
