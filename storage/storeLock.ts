import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Who holds a store, as written in its lock file. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** What the holder is, e.g. "icicle agent 0.1.0". */
  description: string;
  since: string;
}

export class StoreLockedError extends Error {
  constructor(
    readonly directory: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The store in ${directory} is in use by ${holder.description} (pid ${holder.pid} on ${holder.hostname}, since ${holder.since}). ` +
        'Only one process may write a store: stop that process, or talk to it instead.',
    );
    this.name = 'StoreLockedError';
  }
}

/**
 * The single-writer lock of a store directory: a file `LOCK` created exclusively (O_EXCL), holding the
 * holder's pid, host and description. A lock left by a process that no longer runs on this host is taken
 * over; a lock from another host is respected, since its pid cannot be checked from here.
 */
export class StoreLock {
  private constructor(private readonly file: string) {}

  static async acquire(directory: string, description: string): Promise<StoreLock> {
    const file = join(directory, 'LOCK');
    const me: LockHolder = { pid: process.pid, hostname: hostname(), description, since: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(file, 'wx', 0o600);
        await handle.writeFile(JSON.stringify(me));
        await handle.sync();
        await handle.close();
        return new StoreLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await readHolder(file);
      if (holder && (holder.hostname !== me.hostname || isRunning(holder.pid))) throw new StoreLockedError(directory, holder);
      // A stale or unreadable lock (its writer died mid-write or long ago): remove it and try once more.
      await unlink(file).catch(() => undefined);
    }
    const holder = await readHolder(file);
    throw new StoreLockedError(directory, holder ?? { pid: 0, hostname: 'unknown', description: 'another process', since: 'unknown' });
  }

  async release(): Promise<void> {
    await unlink(this.file).catch(() => undefined);
  }
}

/**
 * Throws StoreLockedError when another live process holds the store's lock, without taking it (no file is
 * written): `icicle record` asks before it starts a program it could not record.
 */
export async function assertStoreFree(directory: string): Promise<void> {
  const holder = await readHolder(join(directory, 'LOCK'));
  if (holder && (holder.hostname !== hostname() || isRunning(holder.pid)) && holder.pid !== process.pid) throw new StoreLockedError(directory, holder);
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const h = parsed as Record<string, unknown>;
    if (typeof h['pid'] !== 'number' || typeof h['hostname'] !== 'string') return undefined;
    return {
      pid: h['pid'],
      hostname: h['hostname'],
      description: typeof h['description'] === 'string' ? h['description'] : 'another process',
      since: typeof h['since'] === 'string' ? h['since'] : 'unknown',
    };
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
