import type { RecordBatch } from 'apache-arrow';
import type { BlockCache } from './blockCache';
import { BlockCorruptionError } from './block/blockWorkerClient';
import type { BlockEntry } from './manifest';
import type { MetadataStore } from './metadata/metadataStore';
import { recordBatch } from './part/columnBuilders';
import type { PartResultCache } from './query/partResultCache';
import type { ScanPart, ScanRequest, ScanSource } from './query/scanSource';
import type { BlockStats } from './schema';

export interface MemoryBatch {
  batch: RecordBatch;
  stats: BlockStats;
}

/** What names a block's rows for caches of results per part: its id, never reused for another block. */
export function blockPartKey(block: BlockEntry): string {
  return `block ${block.id}`;
}

/**
 * A block this view lists was gone when it was read, and the store's manifest no longer lists it: the writer in another
 * process compacted it (or retention dropped it) meanwhile. The view's answer would lack its rows, so the read fails;
 * StoreReader.read opens a new view and reads again.
 */
export class BlockGoneError extends Error {
  constructor(readonly file: string) {
    super(`the block ${file} was replaced by the store's writer while it was being read`);
    this.name = 'BlockGoneError';
  }
}

/**
 * A consistent read view of the store: the blocks listed when it was taken and the committed in-memory rows at
 * that moment (every tx up to `watermark`). Blocks it refers to are not deleted until it is released, so a
 * compaction running meanwhile never pulls files out from under a query.
 */
export class StoreSnapshot implements ScanSource {
  /** Blocks that could not be read during scans; their rows are missing from the results. */
  readonly damagedBlocks: BlockCorruptionError[] = [];
  blocksScanned = 0;
  blocksSkipped = 0;
  /** Slices of read blocks skipped by their own statistics. */
  slicesSkipped = 0;
  private released = false;
  private readonly unreadableBlocks = new Set<number>();

  constructor(
    readonly watermark: number,
    readonly metadata: MetadataStore,
    private readonly blocks: readonly BlockEntry[],
    private readonly memory: readonly MemoryBatch[],
    private readonly cache: BlockCache,
    private readonly onRelease: () => void,
    readonly partResults?: PartResultCache,
    /**
     * For a view without the writer's references (a reader in another process): whether a block whose file is missing
     * has left the store's manifest since, rather than being lost. Without it, a missing block is damaged.
     */
    private readonly leftManifest?: (block: BlockEntry) => Promise<boolean>,
  ) {}

  /**
   * What the snapshot reads, for a reader in another thread (the view query worker): the blocks it lists, which stay
   * on disk until it is released, and its in-memory rows, which later writes never change.
   */
  get contents(): { blocks: readonly BlockEntry[]; memory: readonly MemoryBatch[] } {
    return { blocks: this.blocks, memory: this.memory };
  }

  get rows(): number {
    return this.blocks.reduce((sum, b) => sum + b.stats.rows, 0) + this.memory.reduce((sum, m) => sum + m.batch.numRows, 0);
  }

  columnNames(): string[] {
    const names = new Set<string>();
    for (const block of this.blocks) for (const name of Object.keys(block.stats.columns)) names.add(name);
    for (const { batch } of this.memory) for (const field of batch.schema.fields) names.add(field.name);
    return [...names].sort();
  }

  async *scan(request: ScanRequest): AsyncIterable<RecordBatch> {
    if (this.released) throw new Error('the snapshot was released');
    for (const block of this.blocks) yield* this.scanBlock(block, request);
    for (const part of this.memory) yield* this.scanMemory(part, request);
  }

  /** Each block (keyed by its id: blocks never change once written), then each batch of in-memory rows. */
  parts(): ScanPart[] {
    const blockParts = this.blocks.map((block): ScanPart => {
      const unreadable = this.unreadableBlocks;
      return {
        key: blockPartKey(block),
        scan: request => this.scanBlock(block, request),
        get unreadable() {
          return unreadable.has(block.id);
        },
      };
    });
    const memoryParts = this.memory.map((part): ScanPart => ({ key: undefined, scan: request => this.scanMemory(part, request), unreadable: false }));
    return [...blockParts, ...memoryParts];
  }

  private async *scanBlock(block: BlockEntry, request: ScanRequest): AsyncIterable<RecordBatch> {
    if (this.released) throw new Error('the snapshot was released');
    if (request.mayMatch && !request.mayMatch(block.stats)) {
      this.blocksSkipped++;
      return;
    }
    let batches: MemoryBatch[];
    try {
      batches = await this.cache.batches(block, request.columns);
    } catch (error) {
      if (!(error instanceof BlockCorruptionError)) throw error;
      // Not damage: the writer replaced the block, and its rows are in the blocks the current manifest lists.
      if (error.missing && this.leftManifest && (await this.leftManifest(block))) throw new BlockGoneError(error.file);
      this.unreadableBlocks.add(block.id);
      if (!this.damagedBlocks.some(d => d.file === error.file)) this.damagedBlocks.push(error);
      return;
    }
    this.blocksScanned++;
    for (const { batch, stats } of batches) {
      if (request.mayMatch && !request.mayMatch(stats)) this.slicesSkipped++;
      else yield batch;
    }
  }

  private async *scanMemory(part: MemoryBatch, request: ScanRequest): AsyncIterable<RecordBatch> {
    if (this.released) throw new Error('the snapshot was released');
    // The statistics of in-memory rows are computed when first read, so a scan that prunes nothing leaves them be.
    if (request.mayMatch && !request.mayMatch(part.stats)) {
      this.blocksSkipped++;
      return;
    }
    this.blocksScanned++;
    const batch = part.batch;
    const children = request.columns.flatMap(name => {
      const child = batch.getChild(name);
      return child ? [[name, child.data[0]!] as [string, RecordBatch['data']]] : [];
    });
    yield recordBatch(children, batch.numRows);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.onRelease();
  }
}
