/** How a store behaves; every field has a default suited to one developer's machine. */
export interface StoreOptions {
  /** Memory the active (unflushed) part may hold before it is flushed to a block. */
  activePartBytes: number;
  /**
   * The active part is also flushed once its oldest sample has waited this long (0: only when full), so that a
   * slow steady stream (one profiled program) reaches compressed blocks, and so retention, within minutes rather
   * than when the part finally fills.
   */
  activePartMaxAgeMs: number;
  /** Memory for decoded block columns kept between queries. */
  blockCacheBytes: number;
  /** Memory for small results computed per block and kept between queries (label values for completion). */
  partResultCacheBytes: number;
  /** Rows per Parquet row group inside a block. */
  rowGroupRows: number;
  /** Blocks with fewer rows are merged by compaction... */
  compactBelowRows: number;
  /** ...into blocks of at most this many rows. */
  compactTargetRows: number;
  /** A block holds at most this many label columns, so sparse label keys never make a block wide. */
  maxBlockLabelColumns: number;
  /** After a flush, compact once this many blocks are below `compactBelowRows` (0: only when asked). */
  autoCompactBlocks: number;
  /** Blocks whose newest sample is older than this are deleted (0 keeps everything). */
  retentionMaxAgeMs: number;
  /** The oldest blocks are deleted while the blocks exceed this many bytes (0: no limit). */
  retentionMaxBytes: number;
  /** fdatasync every acknowledged write (turn off only in benchmarks that measure without durability). */
  sync: boolean;
  /** Who opens the store, recorded in its lock file and named to a second opener. */
  owner: string;
  /**
   * How long a block file the manifest stopped listing (compacted, expired, deleted) stays on disk once no snapshot of
   * this process refers to it: readers in other processes (the command line's StoreReader) may have listed it in the
   * manifest before, and cannot tell this process they are reading it.
   */
  replacedBlockGraceMs: number;
}

export const DEFAULT_STORE_OPTIONS: StoreOptions = {
  activePartBytes: 64 * 1024 * 1024,
  activePartMaxAgeMs: 0,
  blockCacheBytes: 512 * 1024 * 1024,
  partResultCacheBytes: 16 * 1024 * 1024,
  rowGroupRows: 1 << 20,
  compactBelowRows: 256 * 1024,
  compactTargetRows: 4 * 1024 * 1024,
  maxBlockLabelColumns: 64,
  autoCompactBlocks: 8,
  retentionMaxAgeMs: 0,
  retentionMaxBytes: 0,
  sync: true,
  owner: 'icicle',
  replacedBlockGraceMs: 10_000,
};
