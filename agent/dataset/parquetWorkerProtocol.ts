/**
 * The dataset reader's worker thread, which runs parquet-wasm: requests name one file of a dataset; replies carry an
 * id echoed from the request. A file the decoder cannot read is answered with `failed`; one that crashes the decoder
 * (parquet-wasm traps on some damaged pages) ends the worker, which its client reports as that file's damage.
 */
export type ParquetWorkerRequest =
  /** The file's column names and row count, from its footer alone. */
  | { kind: 'schema'; id: number; path: string }
  /** The named columns the file has, as an Arrow IPC stream in the file's own types. */
  | { kind: 'read'; id: number; path: string; columns: string[] };

export type ParquetWorkerReply =
  | { kind: 'schema'; id: number; columns: string[]; rows: number }
  | { kind: 'read'; id: number; ipc: Uint8Array }
  /** `errno`: a file system error, its fields kept so that it is described like any other; else the decoder's message. */
  | { kind: 'failed'; id: number; message: string; errno?: { code: string; syscall?: string; path?: string } };
