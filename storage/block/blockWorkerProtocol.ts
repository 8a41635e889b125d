import type { Predicate } from '../query/expression';
import type { TransferBatch } from './batchTransfer';
import type { BlockStats } from '../schema';

/** Requests from the store to its block worker; each names its kind and carries an id echoed in the reply. */
export type BlockWorkerRequest =
  /**
   * Encode in-memory batches (their label columns differ) as a Parquet block written durably to `path`: each as
   * typed arrays, or as an Arrow IPC stream when it has a column typed arrays do not carry.
   */
  | { kind: 'write'; id: number; path: string; batches: (TransferBatch | Uint8Array)[]; rowGroupRows: number }
  /** Read the named columns of the block at `path` (all columns when omitted) as an Arrow IPC stream, after checking its CRC-32. */
  | { kind: 'read'; id: number; path: string; crc32: number; columns: string[] | undefined }
  /** Merge the blocks at `inputs` into one block written durably to `path`. */
  | { kind: 'compact'; id: number; inputs: { path: string; crc32: number }[]; path: string; rowGroupRows: number }
  /**
   * Rewrite the block at `input` without the rows `remove` selects, durably to `path` (nothing is written when no
   * row is left, or none is removed).
   */
  | { kind: 'rewrite'; id: number; input: { path: string; crc32: number }; remove: Predicate; path: string; rowGroupRows: number }
  /** Let go of the buffers kept for the next block (the writer said it is done: Store.flush). */
  | { kind: 'release'; id: number };

export type BlockWorkerReply =
  /**
   * `returned`: the buffers of a write's typed-array batches, handed back once merged, for the client to copy its next
   * batches into (TransferPool).
   */
  | { kind: 'written'; id: number; bytes: number; crc32: number; stats: BlockStats; returned?: ArrayBuffer[] }
  | { kind: 'read'; id: number; ipc: Uint8Array }
  /** `freed`: the bytes the worker let go. */
  | { kind: 'released'; id: number; freed: number }
  /** A rewrite: how many rows it removed and kept, and the new block when rows were removed and some kept. */
  | { kind: 'rewritten'; id: number; removed: number; kept: number; written: { bytes: number; crc32: number; stats: BlockStats } | undefined }
  /** `missing`: the block's file does not exist (a reader beside the writer may find it compacted away). */
  | { kind: 'failed'; id: number; message: string; corrupt: boolean; missing: boolean };
