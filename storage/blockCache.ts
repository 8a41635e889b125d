import type { Data, RecordBatch } from 'apache-arrow';
import type { BlockWorkerClient } from './block/blockWorkerClient';
import type { BlockEntry } from './manifest';
import { statsOfColumn } from './block/blockStats';
import type { BlockStats, ColumnStats } from './schema';
import { recordBatch } from './part/columnBuilders';

interface CachedBlock {
  columns: Map<string, Data[]>;
  /** Per loaded column, the statistics of each slice (computed once, when the column is read). */
  sliceStats: Map<string, ColumnStats[]>;
  bytes: number;
  /** Loads in progress, so that concurrent scans of the same block read each column once. */
  loading: Promise<void>;
}

/**
 * Decoded block columns kept in memory, bounded in bytes and evicted least recently used first. Columns are
 * loaded only when a query names them (projection pushdown into the Parquet reader), so a merge-stacks query
 * over ten million rows holds three columns, not every label.
 */
export class BlockCache {
  private readonly blocks = new Map<number, CachedBlock>();
  private bytes = 0;

  constructor(
    private readonly client: BlockWorkerClient,
    private readonly pathOf: (entry: BlockEntry) => string,
    private readonly limitBytes: number,
  ) {}

  /**
   * The block's rows, in slices of READ_SLICE_ROWS, with those of `columns` it has (columns it lacks are all null
   * and left out), each slice with its statistics: those of its loaded columns, and the block's for the others.
   */
  async batches(entry: BlockEntry, columns: readonly string[]): Promise<{ batch: RecordBatch; stats: BlockStats }[]> {
    let cached = this.blocks.get(entry.id);
    if (cached) {
      // Re-inserting moves the block to the most recently used end of the map.
      this.blocks.delete(entry.id);
      this.blocks.set(entry.id, cached);
    } else {
      cached = { columns: new Map(), sliceStats: new Map(), bytes: 0, loading: Promise.resolve() };
      this.blocks.set(entry.id, cached);
    }
    const present = columns.filter(name => name in entry.stats.columns);
    const block = cached;
    const load = async (): Promise<void> => {
      const missing = present.filter(name => !block.columns.has(name));
      if (missing.length === 0) return;
      const batches = await this.client.readBlock(this.pathOf(entry), entry.crc32, missing);
      for (const name of missing) {
        const chunks = batches.map(batch => batch.getChild(name)!.data[0]!);
        block.columns.set(name, chunks);
        block.sliceStats.set(name, chunks.map(statsOfColumn));
        const size = chunks.reduce((sum, data) => sum + data.byteLength, 0);
        block.bytes += size;
        this.bytes += size;
      }
    };
    block.loading = block.loading.then(load);
    try {
      await block.loading;
    } catch (error) {
      block.loading = Promise.resolve();
      throw error;
    }
    const chunkCount = present.length > 0 ? block.columns.get(present[0]!)!.length : 0;
    const out: { batch: RecordBatch; stats: BlockStats }[] = [];
    for (let i = 0; i < chunkCount; i++) {
      const children = present.map(name => [name, block.columns.get(name)![i]!] as [string, Data]);
      const rows = children[0]![1].length;
      const stats: BlockStats = { rows, columns: { ...entry.stats.columns } };
      for (const [name, perSlice] of block.sliceStats) stats.columns[name] = perSlice[i]!;
      out.push({ batch: recordBatch(children, rows), stats });
    }
    if (present.length === 0 && entry.stats.rows > 0) out.push({ batch: recordBatch([], entry.stats.rows), stats: entry.stats });
    this.evict(entry.id);
    return out;
  }

  /** Forgets a block (compacted away or dropped by retention). */
  drop(id: number): void {
    const cached = this.blocks.get(id);
    if (!cached) return;
    this.bytes -= cached.bytes;
    this.blocks.delete(id);
  }

  get size(): number {
    return this.bytes;
  }

  private evict(keep: number): void {
    for (const [id, block] of this.blocks) {
      if (this.bytes <= this.limitBytes) break;
      if (id !== keep) this.drop(id);
      void block;
    }
  }
}
