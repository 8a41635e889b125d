import { Table, tableFromIPC, tableToIPC, type RecordBatch } from 'apache-arrow';
import { crc32 } from 'node:zlib';
import { parentPort } from 'node:worker_threads';
import { decodeBlock, encodeBlock } from './blockCodec';
import { readFile } from 'node:fs/promises';
import { writeFileDurably } from '../durableFiles';
import { mergeAndSortRows } from './blockRows';
import { fromTransferBatch, rowBuffersOf } from './batchTransfer';
import { statsOfBatch } from './blockStats';
import { ScratchBuffers } from './scratchBuffers';
import { gather, makeBatch } from '../query/arrowBuild';
import { compilePredicate, selectionLength } from '../query/predicateEval';
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
    reply => port.postMessage(reply, reply.kind === 'read' ? [reply.ipc.buffer as ArrayBuffer] : reply.kind === 'written' ? (reply.returned ?? []) : []),
    (error: unknown) => port.postMessage({ kind: 'failed', id: request.id, message: messageOf(error), corrupt: isCorruption(error), missing: error instanceof CorruptBlockError && error.missing } satisfies BlockWorkerReply),
  );
});

async function handle(request: BlockWorkerRequest): Promise<BlockWorkerReply> {
  switch (request.kind) {
    case 'write': {
      const batches = request.batches.flatMap(batch => (batch instanceof Uint8Array ? tableFromIPC(batch).batches : [fromTransferBatch(batch)]));
      const written = await writeBlock(batches, request.path, request.rowGroupRows, request.id);
      // The batches were merged into the block's own arrays: their buffers go back to be filled with the next ones.
      if (written.kind === 'written') written.returned = request.batches.flatMap(batch => (batch instanceof Uint8Array ? [] : rowBuffersOf(batch)));
      return written;
    }
    case 'release': {
      const freed = scratch.heldBytes;
      scratch.release();
      return { kind: 'released', id: request.id, freed };
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
    case 'rewrite': {
      const remove = compilePredicate(request.remove);
      const kept: RecordBatch[] = [];
      let removed = 0;
      let keptRows = 0;
      for (const batch of await readBlock(request.input.path, request.input.crc32, undefined)) {
        const selected = remove.select(batch, null);
        const count = selectionLength(selected, batch.numRows);
        removed += count;
        if (count === 0) {
          kept.push(batch);
        } else if (count < batch.numRows) {
          const keep = complement(selected!, batch.numRows);
          kept.push(makeBatch(batch.schema.fields.map(f => f.name), batch.data.children.map(column => gather(column, keep)), keep.length));
        }
      }
      for (const batch of kept) keptRows += batch.numRows;
      if (removed === 0 || keptRows === 0) return { kind: 'rewritten', id: request.id, removed, kept: keptRows, written: undefined };
      const written = await writeBlock(kept, request.path, request.rowGroupRows, request.id);
      if (written.kind !== 'written') return written;
      return { kind: 'rewritten', id: request.id, removed, kept: keptRows, written: { bytes: written.bytes, crc32: written.crc32, stats: written.stats } };
    }
  }
}

/** The rows of a batch of `numRows` rows that are not in `selected` (ascending). */
function complement(selected: Uint32Array, numRows: number): Uint32Array {
  const keep = new Uint32Array(numRows - selected.length);
  let k = 0;
  let s = 0;
  for (let row = 0; row < numRows; row++) {
    if (s < selected.length && selected[s] === row) s++;
    else keep[k++] = row;
  }
  return keep;
}

/**
 * The row-sized arrays of the block being written (sorted columns, Int64 columns, the IPC stream for the Parquet
 * writer), reused from one block to the next: fresh memory cost a 4.3M-row import ~4 s of this thread in page faults.
 * Everything in them is dead once a block is encoded; let go after ten seconds idle (during an import, flushes are
 * seconds apart while the next part fills), so an idle worker does not hold the biggest block's worth.
 */
const scratch = new ScratchBuffers(10_000);

async function writeBlock(batches: RecordBatch[], path: string, rowGroupRows: number, id: number): Promise<BlockWorkerReply> {
  // `rows` lives in `scratch`: used up (statistics, encoding) before anything else can take it.
  const rows = mergeAndSortRows(batches, scratch);
  const stats = statsOfBatch(rows);
  const bytes = encodeBlock([rows], rowGroupRows, scratch);
  await writeFileDurably(path, bytes);
  return { kind: 'written', id, bytes: bytes.length, crc32: crc32(bytes), stats };
}

class CorruptBlockError extends Error {
  constructor(
    message: string,
    readonly missing = false,
  ) {
    super(message);
  }
}

async function readBlock(path: string, expectedCrc: number, columns: string[] | undefined): Promise<RecordBatch[]> {
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new CorruptBlockError(`the block ${path} cannot be read (${error.code ?? error.message})`, error.code === 'ENOENT');
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
