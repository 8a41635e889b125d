import type { RecordBatch } from 'apache-arrow';
import type { MetadataStore } from '../metadata/metadataStore';
import type { BlockStats } from '../schema';
import type { PartResultCache } from './partResultCache';

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
  /**
   * The snapshot as its parts, whose scans together are `scan`, for queries that keep a result per immutable
   * block in `partResults`. Optional: a source without it is scanned whole and nothing is kept.
   */
  parts?(): ScanPart[];
  /** Where results computed from one part with a key are kept between snapshots (bounded). */
  readonly partResults?: PartResultCache;
}

/** One part of a snapshot: an immutable block or rows still in memory. */
export interface ScanPart {
  /**
   * Names the part's rows for good, so a result computed from them may be kept: set for blocks (never changed
   * once written), undefined for rows in memory, which grow.
   */
  readonly key: string | undefined;
  /** The part's rows, as `ScanSource.scan` gives them (`mayMatch` asked for the part, then for each slice). */
  scan(request: ScanRequest): AsyncIterable<RecordBatch>;
  /** True once a scan found the part unreadable: its rows were missing from that scan, so keep nothing from it. */
  readonly unreadable: boolean;
}

export interface ScanRequest {
  columns: readonly string[];
  mayMatch?: (stats: BlockStats) => boolean;
}
