import { Table, tableFromIPC, tableToIPC, type RecordBatch } from 'apache-arrow';
import { crc32 } from 'node:zlib';
import { parentPort } from 'node:worker_threads';
import { decodeBlock, encodeBlock } from './blockCodec';
import { readFile } from 'node:fs/promises';
import { writeFileDurably } from '../durableFiles';
import { mergeAndSortRows } from './blockRows';
import { statsOfBatch } from './blockStats';
import type { BlockWorkerReply, BlockWorkerRequest } from './blockWorkerProtocol';

/**
 * The block worker: Parquet encoding and decoding run here, off the agent's event loop, because parquet-wasm is
 * synchronous and a block of a million rows takes about a second to write. Its wasm memory grows and never
 * shrinks, which is contained in this thread.
 */
const port = parentPort;
if (!port) throw new Error('blockWorker.ts runs only as a worker thread');

port.on('message', (request: BlockWorkerRequest) => {
  void handle(request).then(
    reply => port.postMessage(reply, reply.kind === 'read' ? [reply.ipc.buffer as ArrayBuffer] : []),
    (error: unknown) => port.postMessage({ kind: 'failed', id: request.id, message: messageOf(error), corrupt: isCorruption(error) } satisfies BlockWorkerReply),
  );
});

async function handle(request: BlockWorkerRequest): Promise<BlockWorkerReply> {
  switch (request.kind) {
    case 'write': {
      const batches = request.ipc.flatMap(ipc => tableFromIPC(ipc).batches);
      return writeBlock(batches, request.path, request.rowGroupRows, request.id);
    }
    case 'read': {
      const batches = await readBlock(request.path, request.crc32, request.columns);
      const ipc = tableToIPC(new Table(batches), 'stream');
      return { kind: 'read', id: request.id, ipc };
    }
    case 'compact': {
      const batches: RecordBatch[] = [];
      for (const input of request.inputs) batches.push(...(await readBlock(input.path, input.crc32, undefined)));
      return writeBlock(batches, request.path, request.rowGroupRows, request.id);
    }
  }
}

async function writeBlock(batches: RecordBatch[], path: string, rowGroupRows: number, id: number): Promise<BlockWorkerReply> {
  const rows = mergeAndSortRows(batches);
  const stats = statsOfBatch(rows);
  const bytes = encodeBlock([rows], rowGroupRows);
  await writeFileDurably(path, bytes);
  return { kind: 'written', id, bytes: bytes.length, crc32: crc32(bytes), stats };
}

class CorruptBlockError extends Error {}

async function readBlock(path: string, expectedCrc: number, columns: string[] | undefined): Promise<RecordBatch[]> {
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new CorruptBlockError(`the block ${path} cannot be read (${error.code ?? error.message})`);
  });
  if (crc32(bytes) !== expectedCrc) throw new CorruptBlockError(`the block ${path} is damaged (checksum mismatch)`);
  try {
    return await decodeBlock(bytes, columns);
  } catch (error) {
    throw new CorruptBlockError(`the block ${path} cannot be read (${messageOf(error)})`);
  }
}

function isCorruption(error: unknown): boolean {
  return error instanceof CorruptBlockError;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
