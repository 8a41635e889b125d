import type { RecordBatch } from 'apache-arrow';
import type { BlockCache } from './blockCache';
import { BlockCorruptionError } from './block/blockWorkerClient';
import type { BlockEntry } from './manifest';
import type { MetadataStore } from './metadata/metadataStore';
import { recordBatch } from './part/columnBuilders';
import type { ScanRequest, ScanSource } from './query/scanSource';
import type { BlockStats } from './schema';

export interface MemoryBatch {
  batch: RecordBatch;
  stats: BlockStats;
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

  constructor(
    readonly watermark: number,
    readonly metadata: MetadataStore,
    private readonly blocks: readonly BlockEntry[],
    private readonly memory: readonly MemoryBatch[],
    private readonly cache: BlockCache,
    private readonly onRelease: () => void,
  ) {}

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
    for (const block of this.blocks) {
      if (request.mayMatch && !request.mayMatch(block.stats)) {
        this.blocksSkipped++;
        continue;
      }
      let batches: MemoryBatch[];
      try {
        batches = await this.cache.batches(block, request.columns);
      } catch (error) {
        if (!(error instanceof BlockCorruptionError)) throw error;
        if (!this.damagedBlocks.some(d => d.file === error.file)) this.damagedBlocks.push(error);
        continue;
      }
      this.blocksScanned++;
      for (const { batch, stats } of batches) {
        if (request.mayMatch && !request.mayMatch(stats)) this.slicesSkipped++;
        else yield batch;
      }
    }
    for (const { batch, stats } of this.memory) {
      if (request.mayMatch && !request.mayMatch(stats)) {
        this.blocksSkipped++;
        continue;
      }
      this.blocksScanned++;
      const children = request.columns.flatMap(name => {
        const child = batch.getChild(name);
        return child ? [[name, child.data[0]!] as [string, RecordBatch['data']]] : [];
      });
      yield recordBatch(children, batch.numRows);
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.onRelease();
  }
}
