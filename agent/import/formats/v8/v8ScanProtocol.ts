import type { V8ProfileColumns } from './v8ProfileColumns';

/** What the agent asks the V8 scan worker (v8ScanWorker.ts): read a V8 profile's file from `start` to `end`. */
export interface V8ScanRequest {
  path: string;
  /** A node's opening brace inside `nodes`. */
  start: number;
  end: number;
}

/**
 * The worker's one reply: the part's columns (its typed arrays transferred); `declined` when the part is not laid
 * out as V8 writes it; `failed` when the file could not be read (the error's message and code, for readError).
 */
export type V8ScanReply = { kind: 'scanned'; columns: V8ProfileColumns } | { kind: 'declined' } | { kind: 'failed'; message: string; code?: string };
