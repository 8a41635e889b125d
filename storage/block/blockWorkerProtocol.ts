import type { BlockStats } from '../schema';

/** Requests from the store to its block worker; each names its kind and carries an id echoed in the reply. */
export type BlockWorkerRequest =
  /** Encode in-memory batches (one Arrow IPC stream each, as their label columns differ) as a Parquet block written durably to `path`. */
  | { kind: 'write'; id: number; path: string; ipc: Uint8Array[]; rowGroupRows: number }
  /** Read the named columns of the block at `path` (all columns when omitted) as an Arrow IPC stream, after checking its CRC-32. */
  | { kind: 'read'; id: number; path: string; crc32: number; columns: string[] | undefined }
  /** Merge the blocks at `inputs` into one block written durably to `path`. */
  | { kind: 'compact'; id: number; inputs: { path: string; crc32: number }[]; path: string; rowGroupRows: number };

export type BlockWorkerReply =
  | { kind: 'written'; id: number; bytes: number; crc32: number; stats: BlockStats }
  | { kind: 'read'; id: number; ipc: Uint8Array }
  | { kind: 'failed'; id: number; message: string; corrupt: boolean };
