/**
 * Small query results computed from one immutable block, kept between snapshots: a block never changes once
 * written, so a result of the same query over it stays right for as long as the block exists. Entries are named
 * by the part's key (ScanPart.key) and a query key that says which query and arguments produced them; they are
 * evicted least recently used first to stay within both a byte and an entry bound, and dropped with their block.
 */
export class PartResultCache {
  private readonly entries = new Map<string, { partKey: string; value: unknown; bytes: number }>();
  private bytes = 0;

  constructor(
    private readonly limitBytes: number,
    private readonly limitEntries: number,
  ) {}

  get(partKey: string, queryKey: string): unknown {
    const name = entryName(partKey, queryKey);
    const entry = this.entries.get(name);
    if (entry === undefined) return undefined;
    // Re-inserting moves the entry to the most recently used end of the map.
    this.entries.delete(name);
    this.entries.set(name, entry);
    return entry.value;
  }

  /** Keeps `value`, whose memory the caller estimates as `bytes`; a value larger than the whole bound is not kept. */
  set(partKey: string, queryKey: string, value: unknown, bytes: number): void {
    const name = entryName(partKey, queryKey);
    this.remove(name);
    if (bytes > this.limitBytes || this.limitEntries < 1) return;
    this.entries.set(name, { partKey, value, bytes });
    this.bytes += bytes;
    for (const [oldest] of this.entries) {
      if (this.bytes <= this.limitBytes && this.entries.size <= this.limitEntries) break;
      this.remove(oldest);
    }
  }

  /** Forgets every result of a part (its block was compacted away, rewritten or dropped by retention). */
  dropPart(partKey: string): void {
    for (const [name, entry] of this.entries) if (entry.partKey === partKey) this.remove(name);
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private remove(name: string): void {
    const entry = this.entries.get(name);
    if (entry === undefined) return;
    this.bytes -= entry.bytes;
    this.entries.delete(name);
  }
}

function entryName(partKey: string, queryKey: string): string {
  return `${partKey}\u0000${queryKey}`;
}
