import { tableFromIPC, type Table } from 'apache-arrow';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describeFileError } from '../fileErrors';
import { damaged, DatasetError, inDataset } from './openDataset';
import type { ParquetWorkerReply, ParquetWorkerRequest } from './parquetWorkerProtocol';

/** One Parquet file of a dataset: its columns, known from its footer, and a read of the ones wanted. */
export interface ParquetFileReader {
  readonly columns: readonly string[];
  readonly rows: number;
  /** The named columns (those the file has), as Arrow record batches in the file's own types. */
  read(columns: readonly string[]): Promise<Table>;
}

/**
 * Opens a dataset's Parquet file: its footer is read in the worker thread (parquetWorker.ts), and so are the rows
 * later. A file that is not Parquet, is cut short or makes the decoder fail is reported as damage to the dataset.
 */
export async function openParquetFile(dir: string, path: string): Promise<ParquetFileReader> {
  const schema = await request(dir, { kind: 'schema', path });
  if (schema.kind !== 'schema') throw new Error(`unexpected reply ${schema.kind}`);
  return {
    columns: schema.columns,
    rows: schema.rows,
    async read(columns: readonly string[]): Promise<Table> {
      const reply = await request(dir, { kind: 'read', path, columns: [...columns] });
      if (reply.kind !== 'read') throw new Error(`unexpected reply ${reply.kind}`);
      return tableFromIPC(reply.ipc);
    },
  };
}

type Body = ParquetWorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;
type Pending = { resolve: (reply: ParquetWorkerReply) => void; reject: (error: Error) => void; dir: string; path: string };

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();

async function request(dir: string, body: Body): Promise<ParquetWorkerReply> {
  const id = nextId++;
  const thread = ensureWorker();
  const reply = await new Promise<ParquetWorkerReply>((resolve, reject) => {
    pending.set(id, { resolve, reject, dir, path: body.path });
    // The worker keeps the process alive only while it has work.
    thread.ref();
    thread.postMessage({ ...body, id } as ParquetWorkerRequest);
  });
  if (reply.kind !== 'failed') return reply;
  if (reply.errno) {
    const error = Object.assign(new Error(reply.message), reply.errno);
    throw new DatasetError(describeFileError(error) ?? `Cannot read ${body.path}: ${reply.message}.`, { cause: error });
  }
  throw damaged(dir, `${inDataset(dir, body.path)} is not a readable Parquet file (${reply.message})`);
}

function ensureWorker(): Worker {
  if (worker) return worker;
  const thread = startWorker();
  thread.on('message', (reply: ParquetWorkerReply) => {
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    if (pending.size === 0) thread.unref();
    waiting?.resolve(reply);
  });
  // The decoder traps on some damaged pages, which ends the thread: the files it was reading are reported as damaged,
  // and the next request starts a new thread.
  const fail = (reason: string): void => {
    if (worker === thread) worker = undefined;
    for (const { reject, dir, path } of pending.values()) reject(damaged(dir, `${inDataset(dir, path)} is not a readable Parquet file (${reason})`));
    pending.clear();
  };
  thread.on('error', error => fail(`the Parquet decoder failed on it: ${error.message}`));
  thread.on('exit', code => fail(`the Parquet decoder stopped, exit code ${code}`));
  worker = thread;
  return thread;
}

/**
 * The bundled worker beside the bundle (out/agent/parquetWorker.js), or, when the sources run through tsx (tests), the
 * TypeScript source loaded through tsx's require hook, which workers do not inherit.
 */
function startWorker(): Worker {
  const bundled = join(__dirname, 'parquetWorker.js');
  if (existsSync(bundled)) return new Worker(bundled);
  const source = join(__dirname, 'parquetWorker.ts');
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(source)});`, { eval: true });
}
