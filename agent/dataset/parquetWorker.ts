import { tableFromIPC } from 'apache-arrow';
import { openAsBlob } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import * as parquet from 'parquet-wasm';
import type { ParquetWorkerReply, ParquetWorkerRequest } from './parquetWorkerProtocol';

/**
 * The dataset reader's worker thread: parquet-wasm decodes here, never on the agent's or the command line's event
 * loop, and a decoder that traps on a damaged file ends only this thread. A file is a Blob backed by the file, so its
 * footer and the wanted column chunks are all that is read.
 */
const port = parentPort;
if (!port) throw new Error('parquetWorker.ts runs only as a worker thread');

/** Rows per record batch read: the size of the typed arrays each conversion step works on. */
const BATCH_ROWS = 65_536;

port.on('message', (request: ParquetWorkerRequest) => {
  void handle(request).then(
    reply => port.postMessage(reply, reply.kind === 'read' ? [reply.ipc.buffer as ArrayBuffer] : []),
    (error: unknown) => port.postMessage(failure(request.id, error)),
  );
});

async function handle(request: ParquetWorkerRequest): Promise<ParquetWorkerReply> {
  const file = await parquet.ParquetFile.fromFile((await openAsBlob(request.path)) as Blob);
  try {
    const names = tableFromIPC(file.schema().intoIPCStream()).schema.fields.map(f => f.name);
    if (request.kind === 'schema') return { kind: 'schema', id: request.id, columns: names, rows: Number(file.metadata().fileMetadata().numRows()) };
    const columns = request.columns.filter(c => names.includes(c));
    const table = await file.read({ batchSize: BATCH_ROWS, columns });
    // A copy owned by this thread's heap, not a view into wasm memory, so that it can be transferred.
    return { kind: 'read', id: request.id, ipc: table.intoIPCStream().slice() };
  } finally {
    file.free();
  }
}

function failure(id: number, error: unknown): ParquetWorkerReply {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') {
    const { syscall, path } = error as NodeJS.ErrnoException;
    return { kind: 'failed', id, message: String((error as Error).message), errno: { code, ...(syscall ? { syscall } : {}), ...(path ? { path } : {}) } };
  }
  return { kind: 'failed', id, message: error instanceof Error ? error.message : String(error) };
}
