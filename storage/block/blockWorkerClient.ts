import { tableFromIPC, tableToIPC, Table, type RecordBatch } from 'apache-arrow';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BlockStats } from '../schema';
import type { Predicate } from '../query/expression';
import { toTransferBatch, transferablesOf } from './batchTransfer';
import type { BlockWorkerReply, BlockWorkerRequest } from './blockWorkerProtocol';
import { TransferPool } from './transferPool';

/**
 * A block file that cannot be decoded: the store reports it by name and keeps serving the other blocks. `missing` when
 * the file does not exist, which a reader beside the writer tells apart from damage (the writer may have compacted it
 * away).
 */
export class BlockCorruptionError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly missing = false,
  ) {
    super(message);
    this.name = 'BlockCorruptionError';
  }
}

export interface WrittenBlock {
  bytes: number;
  crc32: number;
  stats: BlockStats;
}

type Pending = { resolve: (reply: BlockWorkerReply) => void; reject: (error: Error) => void; path: string };
type RequestBody = BlockWorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/**
 * The store's side of the block worker: one worker thread, requests matched to replies by id. If the worker
 * dies, its pending requests fail and the next request starts a new one. With `idleMs`, the worker ends once it has
 * had no request for that long (its wasm heap, which never shrinks, goes with it) and the next request starts one.
 */
export class BlockWorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** The buffers the worker gave back after its last writes (at most ~two parts' worth; let go after 10 s idle). */
  private readonly pool = new TransferPool(160 * 2 ** 20, 10_000);
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: { idleMs?: number } = {}) {}

  /**
   * Starts the worker thread now rather than at the first request: loading it and its wasm takes a few hundred
   * milliseconds, which a writer about to fill parts (an import) spends parsing instead of waiting at its first flush.
   */
  start(): void {
    this.ensureWorker().unref();
  }

  /** Whether a worker thread is running (for tests). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  async writeBlock(path: string, batches: RecordBatch[], rowGroupRows: number): Promise<WrittenBlock> {
    const sent = batches.map(batch => toTransferBatch(batch, this.pool) ?? tableToIPC(new Table([batch]), 'stream'));
    const transfer = sent.flatMap(batch => (batch instanceof Uint8Array ? [batch.buffer as ArrayBuffer] : transferablesOf(batch)));
    const reply = await this.request({ kind: 'write', path, batches: sent, rowGroupRows }, path, transfer);
    if (reply.kind !== 'written') throw new Error(`unexpected block worker reply ${reply.kind}`);
    if (reply.returned) this.pool.give(reply.returned);
    return { bytes: reply.bytes, crc32: reply.crc32, stats: reply.stats };
  }

  /**
   * Lets go of the buffers kept for the next writes, on both sides, at once instead of after 10 s idle: the writer
   * has said it is done (Store.flush), so what stays is the store's own memory. A worker not running holds none.
   * Returns the bytes let go on both sides.
   */
  async releaseBuffers(): Promise<number> {
    const pooled = this.pool.heldBytes;
    this.pool.release();
    if (this.worker === undefined) return pooled;
    const reply = await this.request({ kind: 'release' }, '', []);
    if (reply.kind !== 'released') throw new Error(`unexpected block worker reply ${reply.kind}`);
    return pooled + reply.freed;
  }

  /** Bytes of buffers the worker gave back, held for the next writes (for tests). */
  get pooledBytes(): number {
    return this.pool.heldBytes;
  }

  async compact(inputs: { path: string; crc32: number }[], path: string, rowGroupRows: number): Promise<WrittenBlock> {
    const reply = await this.request({ kind: 'compact', inputs, path, rowGroupRows }, path, []);
    if (reply.kind !== 'written') throw new Error(`unexpected block worker reply ${reply.kind}`);
    return { bytes: reply.bytes, crc32: reply.crc32, stats: reply.stats };
  }

  /** The block at `input` without the rows `remove` selects; `written` is undefined when nothing was written. */
  async rewrite(input: { path: string; crc32: number }, remove: Predicate, path: string, rowGroupRows: number): Promise<{ removed: number; kept: number; written: WrittenBlock | undefined }> {
    const reply = await this.request({ kind: 'rewrite', input, remove, path, rowGroupRows }, input.path, []);
    if (reply.kind !== 'rewritten') throw new Error(`unexpected block worker reply ${reply.kind}`);
    return { removed: reply.removed, kept: reply.kept, written: reply.written };
  }

  async readBlock(path: string, crc32: number, columns: string[] | undefined): Promise<RecordBatch[]> {
    const reply = await this.request({ kind: 'read', path, crc32, columns }, path, []);
    if (reply.kind !== 'read') throw new Error(`unexpected block worker reply ${reply.kind}`);
    return tableFromIPC(reply.ipc).batches;
  }

  private request(body: RequestBody, path: string, transfer: ArrayBuffer[]): Promise<BlockWorkerReply> {
    const id = this.nextId++;
    const worker = this.ensureWorker();
    clearTimeout(this.idleTimer);
    return new Promise<BlockWorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, path });
      // The worker keeps the process alive only while it has work, so an idle store never holds the agent open.
      worker.ref();
      worker.postMessage({ ...body, id } as BlockWorkerRequest, transfer);
    }).then(reply => {
      if (reply.kind === 'failed') throw reply.corrupt ? new BlockCorruptionError(path, reply.message, reply.missing) : new Error(reply.message);
      return reply;
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker();
    worker.on('message', (reply: BlockWorkerReply) => {
      const pending = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) {
        worker.unref();
        this.endWhenIdle(worker);
      }
      pending?.resolve(reply);
    });
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', code => fail(new Error(`the block worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  /** With `idleMs`, ends `worker` after that long without a request. */
  private endWhenIdle(worker: Worker): void {
    const idleMs = this.options.idleMs;
    if (idleMs === undefined) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.endIfIdle(worker), idleMs);
    this.idleTimer.unref?.();
  }

  /**
   * Ends the worker now if it has no request in flight (a request made meanwhile keeps it), letting its memory go;
   * the next request starts a new one.
   */
  endIfIdle(worker = this.worker): void {
    if (worker === undefined || this.worker !== worker || this.pending.size > 0) return;
    clearTimeout(this.idleTimer);
    this.worker = undefined;
    this.pool.release();
    // Its exit must not fail the requests of the worker that the next request starts meanwhile.
    worker.removeAllListeners('exit');
    worker.removeAllListeners('error');
    void worker.terminate();
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    this.pool.release();
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}

/**
 * The bundled worker beside the bundle (out/blockWorker.js), or, when the sources run through tsx (tests,
 * benchmarks), the TypeScript source loaded through tsx's require hook, which workers do not inherit.
 */
function startWorker(): Worker {
  const bundled = join(__dirname, 'blockWorker.js');
  if (existsSync(bundled)) return new Worker(bundled);
  const source = join(__dirname, 'blockWorker.ts');
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(source)});`, { eval: true });
}
