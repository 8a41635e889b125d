import type { BlockStats } from '../schema';

/** Requests from the store to its block worker; each names its kind and carries an id echoed in the reply. */
export type BlockWorkerRequest =
  /** Encode in-memory batches (an Arrow IPC stream) as a Parquet block and write it durably to `path`. */
  | { kind: 'write'; id: number; path: string; ipc: Uint8Array; rowGroupRows: number }
  /** Read the named columns of the block at `path` (all columns when omitted) as an Arrow IPC stream. */
  | { kind: 'read'; id: number; path: string; columns: string[] | undefined }
  /** Merge the blocks at `inputs` into one block written durably to `path`. */
  | { kind: 'compact'; id: number; inputs: string[]; path: string; rowGroupRows: number };

export type BlockWorkerReply =
  | { kind: 'written'; id: number; bytes: number; stats: BlockStats }
  | { kind: 'read'; id: number; ipc: Uint8Array }
  | { kind: 'failed'; id: number; message: string; corrupt: boolean };
