import { Table, tableToIPC, type RecordBatch } from 'apache-arrow';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { UserFacingError } from '../../../common/errors';
import type { ViewQuery, ViewResult } from '../../../common/viewQuery';
import { BLOCKS_DIR, type Store } from '../../../storage/store';
import { dataVersionOf } from './viewCache';
import { packMetadataChanges, type ViewWorkerQuery, type ViewWorkerReply } from './viewWorkerProtocol';

type Pending = { resolve: (reply: ViewWorkerReply) => void; reject: (error: Error) => void };

/**
 * The agent's side of the view query worker (viewWorker.ts): a view is answered there from a snapshot taken here,
 * so the agent's thread only takes the snapshot and sends it. The snapshot and its version are read in one
 * synchronous step, and the snapshot is held (its blocks stay on disk) until the worker answers or dies; a
 * deletion acknowledged meanwhile is seen by every later query, never by this one. A worker that dies fails its
 * requests with a sentence, and the next request starts a new one, sent the whole metadata again.
 */
export class ViewWorkerClient {
  private worker: { thread: Worker; pending: Map<number, Pending> } | undefined;
  private nextId = 1;
  /** The metadata counts the current worker has been sent. */
  private sentFrames = 0;
  private sentStacks = 0;
  /** Each in-memory batch's IPC form, made once: a batch never changes, and the active part keeps its batch until the next write. */
  private readonly ipcOf = new WeakMap<RecordBatch, Uint8Array>();
  /** The worker's view cache hits, as of its last reply (tests check that the cache answered). */
  cacheHits = 0;

  private closed = false;

  constructor(private readonly store: Store) {
    store.onClose(() => this.close());
  }

  async query(query: ViewQuery, minShare = 0): Promise<ViewResult> {
    if (this.closed) throw new Error('the store is closed');
    const snapshot = this.store.snapshot();
    // Read in the same synchronous step as the snapshot, so the version names exactly the rows it sees.
    const version = dataVersionOf(this.store, snapshot);
    try {
      const { thread, pending } = this.ensureWorker();
      const { blocks, memory } = snapshot.contents;
      const metadata = packMetadataChanges(this.store.metadata.changesSince(this.sentFrames, this.sentStacks));
      const request: ViewWorkerQuery = {
        kind: 'query',
        id: this.nextId++,
        blocksDir: join(this.store.directory, BLOCKS_DIR),
        blocks,
        memory: memory.map(({ batch }) => this.ipc(batch)),
        watermark: snapshot.watermark,
        version,
        metadata,
        query,
        minShare,
      };
      const replied = new Promise<ViewWorkerReply>((resolve, reject) => pending.set(request.id, { resolve, reject }));
      // The worker keeps the agent alive only while it has work.
      thread.ref();
      thread.postMessage(request, [metadata.ids.buffer as ArrayBuffer, metadata.lengths.buffer as ArrayBuffer]);
      // Counted once sent: the worker applies each request's changes in order, before it runs the query.
      this.sentFrames += metadata.frames.length;
      this.sentStacks += metadata.lengths.length;
      const reply = await replied;
      this.cacheHits = reply.cacheHits;
      if (reply.kind === 'failed') throw reply.code !== undefined ? new UserFacingError(reply.code, reply.message) : new Error(reply.message);
      return reply.result;
    } finally {
      snapshot.release();
    }
  }

  /**
   * For tests: blocks the worker's thread until the returned function is called, so that a test can change the
   * store (or stop the worker) while a query waits in the worker.
   */
  holdForTest(): () => void {
    const gate = new Int32Array(new SharedArrayBuffer(4));
    this.ensureWorker().thread.postMessage({ kind: 'hold', gate });
    return () => {
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
    };
  }

  /** Stops the worker for good (the store closes); requests it had not answered fail. */
  async close(): Promise<void> {
    this.closed = true;
    await this.stopWorker();
  }

  /** Stops the worker as a crash would: requests it had not answered fail, and the next request starts a new one. */
  async stopWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.forget(worker);
    await worker.thread.terminate();
  }

  /** The worker is gone or going: the next request starts a new one, which has been sent no metadata. */
  private forget(worker: ViewWorkerClient['worker']): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.sentFrames = 0;
    this.sentStacks = 0;
  }

  private ipc(batch: RecordBatch): Uint8Array {
    let bytes = this.ipcOf.get(batch);
    if (bytes === undefined) this.ipcOf.set(batch, (bytes = tableToIPC(new Table([batch]), 'stream')));
    return bytes;
  }

  private ensureWorker(): { thread: Worker; pending: Map<number, Pending> } {
    if (this.worker) return this.worker;
    const thread = startWorker();
    const pending = new Map<number, Pending>();
    const worker = { thread, pending };
    thread.on('message', (reply: ViewWorkerReply) => {
      const waiting = pending.get(reply.id);
      pending.delete(reply.id);
      if (pending.size === 0) thread.unref();
      waiting?.resolve(reply);
    });
    const fail = (reason: string): void => {
      this.forget(worker);
      const error = new Error(`The view query was cut short: the agent's query worker ${reason}. Ask again; a new worker will answer.`);
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
    };
    thread.on('error', error => fail(`failed (${error.message})`));
    thread.on('exit', code => fail(`stopped (exit code ${code})`));
    this.worker = worker;
    return worker;
  }
}

const clients = new WeakMap<Store, ViewWorkerClient>();

/** The view query worker of one store, started on first use; it goes with the store. */
export function viewWorkerOf(store: Store): ViewWorkerClient {
  let client = clients.get(store);
  if (client === undefined) clients.set(store, (client = new ViewWorkerClient(store)));
  return client;
}

/**
 * The bundled worker beside the bundle (out/agent/viewWorker.js), or, when the sources run through tsx (tests,
 * benchmarks), the TypeScript source loaded through tsx's require hook, which workers do not inherit.
 */
function startWorker(): Worker {
  const bundled = join(__dirname, 'viewWorker.js');
  if (existsSync(bundled)) return new Worker(bundled);
  const source = join(__dirname, 'viewWorker.ts');
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(source)});`, { eval: true });
}
