import type { RecordBatch } from 'apache-arrow';
import type { MetadataStore } from '../metadata/metadataStore';
import type { BlockStats } from '../schema';

/**
 * What the query engine reads: a consistent snapshot of the store (every write up to the watermark, nothing
 * partial). The store implements it over its immutable blocks and the committed rows of the active part.
 */
export interface ScanSource {
  /** Names of every column present somewhere in the snapshot: the static ones and `labels.<key>` ones. */
  columnNames(): string[];
  /**
   * The snapshot's rows as Arrow record batches with (at least) the requested columns, in the in-memory types
   * of schema.ts. A batch may lack a label column: every row of that batch is then null for it.
   * `mayMatch` is asked once per block with its statistics, and again for each slice of a block that is read
   * (with the slice's own statistics); a block or slice for which it returns false is skipped.
   */
  scan(request: ScanRequest): AsyncIterable<RecordBatch>;
  /** Frames and stacks referred to by `stack_id`. */
  readonly metadata: MetadataStore;
}

export interface ScanRequest {
  columns: readonly string[];
  mayMatch?: (stats: BlockStats) => boolean;
}
