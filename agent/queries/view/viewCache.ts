import type { Store } from '../../../storage/store';
import type { StoreSnapshot } from '../../../storage/storeSnapshot';

/**
 * The rows a snapshot sees, named: the watermark moves with every write and the store's deletion generation with
 * every change that takes rows away (deleteWhere, retention). Both only grow, so of two versions one is the newer.
 */
export interface DataVersion {
  watermark: number;
  deletionGeneration: number;
}

/** The version of a snapshot taken from `store` in the same synchronous step (nothing can change in between). */
export function dataVersionOf(store: Store, snapshot: StoreSnapshot): DataVersion {
  return { watermark: snapshot.watermark, deletionGeneration: store.deletionGeneration };
}

/**
 * What a view computed from one version of the store's rows, kept so that the next question about the same rows
 * (another time range, a zoom) is answered from memory. Everything kept belongs to one version: a result from a
 * newer snapshot forgets the rest, and a result from an older one is not kept, so nothing computed before a write,
 * a deletion or retention is ever served after it. Entries are evicted least recently used first, within an entry
 * and a byte bound.
 */
export class ViewCache {
  private version: DataVersion | undefined;
  private readonly entries = new Map<string, { value: unknown; bytes: number }>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly limitBytes = 96 * 1024 * 1024,
    private readonly limitEntries = 32,
  ) {}

  /** The value kept for `key` at `version`, or undefined. */
  get(version: DataVersion, key: string): unknown {
    if (!this.holds(version)) {
      this.misses++;
      return undefined;
    }
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Re-inserting moves the entry to the most recently used end of the map.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value`, computed from a snapshot at `version`, whose memory the caller estimates as `bytes`. */
  set(version: DataVersion, key: string, value: unknown, bytes: number): void {
    if (this.version !== undefined && !this.holds(version)) {
      if (isOlder(version, this.version)) return;
      this.clear();
    }
    this.version = version;
    this.remove(key);
    if (bytes > this.limitBytes) return;
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    for (const [oldest] of this.entries) {
      if (this.bytes <= this.limitBytes && this.entries.size <= this.limitEntries) break;
      this.remove(oldest);
    }
  }

  /** Forgets everything (a snapshot's scan found a block unreadable: what it computed lacks rows). */
  clear(): void {
    this.entries.clear();
    this.bytes = 0;
    this.version = undefined;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private holds(version: DataVersion): boolean {
    return this.version !== undefined && this.version.watermark === version.watermark && this.version.deletionGeneration === version.deletionGeneration;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.bytes -= entry.bytes;
    this.entries.delete(key);
  }
}

function isOlder(a: DataVersion, b: DataVersion): boolean {
  return a.watermark < b.watermark || a.deletionGeneration < b.deletionGeneration;
}

const caches = new WeakMap<Store, ViewCache>();

/** The view cache of one store, made on first use; it goes with the store. */
export function viewCacheOf(store: Store): ViewCache {
  let cache = caches.get(store);
  if (cache === undefined) caches.set(store, (cache = new ViewCache()));
  return cache;
}

/**
 * One query's access to the cache: its snapshot's version, and the snapshot, whose scans must all have read every
 * block for a result to be kept.
 */
export class CachedResults {
  constructor(
    private readonly cache: ViewCache,
    private readonly version: DataVersion,
    private readonly snapshot: StoreSnapshot,
  ) {}

  /** The value kept for `key`, else `compute()`'s, kept when every block it read was readable. */
  async get<T>(key: string, compute: () => Promise<T>, bytesOf: (value: T) => number): Promise<T> {
    const kept = this.cache.get(this.version, key);
    if (kept !== undefined) return kept as T;
    const value = await compute();
    if (this.snapshot.damagedBlocks.length === 0) this.cache.set(this.version, key, value, bytesOf(value));
    return value;
  }
}
