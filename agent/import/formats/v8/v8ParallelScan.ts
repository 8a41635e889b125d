import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { V8ProfileColumns } from './v8ProfileColumns';
import type { V8ProfileScanner } from './v8ProfileScanner';
import type { V8ScanReply, V8ScanRequest } from './v8ScanProtocol';

/**
 * Where a node of `nodes` opens in `bytes` at or after `from` (the `{` of `},{"id":`, as V8 writes its nodes), or -1.
 * The pattern cannot lie inside a string (a raw `"` would end it), but it is only a guess until the first part's
 * reading ends exactly there (V8ProfileWindows.endedBetweenNodes).
 */
export function nodeBoundaryIn(bytes: Buffer, from: number): number {
  const found = bytes.indexOf(NODE_BOUNDARY, from);
  return found < 0 ? -1 : found + 2;
}

const NODE_BOUNDARY = Buffer.from('},{"id":', 'latin1');

/**
 * The first node boundary (nodeBoundaryIn) in the file at `path` at or after `from`, looked for within `limit`
 * bytes, or -1. Read synchronously, a megabyte at a time, before the file's first chunk: the worker must start
 * reading its part while this thread reads the first, not when this thread gets to the middle.
 */
export function nodeBoundaryAfter(path: string, from: number, limit: number): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    // The stream reading the file reports why it cannot be read.
    return -1;
  }
  try {
    const window = Buffer.allocUnsafe(1024 * 1024);
    // Windows overlap by the pattern's length, so that a boundary cut by one window is in the next.
    for (let at = from; at < from + limit; at += window.length - NODE_BOUNDARY.length) {
      const read = readSync(fd, window, 0, window.length, at);
      if (read < NODE_BOUNDARY.length) return -1;
      const found = nodeBoundaryIn(window.subarray(0, read), 0);
      if (found >= 0) return at + found;
    }
    return -1;
  } finally {
    closeSync(fd);
  }
}

/**
 * The second part of a big V8 profile, from a node boundary to the end, read by a worker thread from the file
 * itself (v8ScanWorker.ts) while the agent's thread reads the first part: scanning is most of a huge profile's
 * import, and the two parts share nothing but the call frames, which joinColumns appends.
 */
export class V8ParallelScan {
  private readonly worker: Worker;
  private readonly reply: Promise<V8ScanReply>;

  constructor(path: string, start: number, end: number) {
    this.worker = startWorker();
    this.reply = new Promise<V8ScanReply>((resolve, reject) => {
      this.worker.once('message', resolve);
      this.worker.once('error', reject);
      this.worker.once('exit', code => reject(new Error(`the V8 scan worker stopped (exit code ${code})`)));
    });
    // Until the first part is read, the agent must not wait for the worker's reply to exit: it is asked for then.
    this.reply.catch(() => undefined);
    this.worker.postMessage({ path, start, end } satisfies V8ScanRequest);
  }

  /**
   * The second part's columns; 'notBoundary' when the first part did not end at the boundary (`firstEnded` false:
   * the guess was wrong, the worker's reading is of no use); 'declined' when the second part is not as V8 writes it.
   */
  async result(firstEnded: boolean): Promise<V8ProfileColumns | 'notBoundary' | 'declined'> {
    try {
      if (!firstEnded) return 'notBoundary';
      const reply = await this.reply;
      if (reply.kind === 'failed') throw Object.assign(new Error(reply.message), reply.code === undefined ? {} : { code: reply.code });
      return reply.kind === 'declined' ? 'declined' : reply.columns;
    } finally {
      void this.worker.terminate();
    }
  }
}

/**
 * The profile of a file read in two parts: the first part's nodes (and call frames), then the second's, whose call
 * frame indexes move past the first's frames (equal frames at two indexes are fine: the importer merges them), and
 * the second part's top-level members (times, samples), which come after `nodes`.
 */
export function joinColumns(first: V8ProfileScanner, second: V8ProfileColumns): V8ProfileColumns {
  const a = first.nodeColumns();
  const frames = first.frames;
  const n = a.nodeCount;
  const m = second.nodeCount;
  const nodeFrame = new Int32Array(n + m);
  nodeFrame.set(a.nodeFrame);
  for (let i = 0; i < m; i++) nodeFrame[n + i] = second.nodeFrame[i]! + frames.length;
  const parentIds = a.parentIds === undefined && second.parentIds === undefined ? undefined : joined(Float64Array, a.parentIds ?? new Float64Array(n).fill(NaN), second.parentIds ?? new Float64Array(m).fill(NaN));
  return {
    nodeCount: n + m,
    nodeIds: joined(Int32Array, a.nodeIds, second.nodeIds),
    nodeFrame,
    frames: [...frames, ...second.frames],
    hitCounts: joined(Int32Array, a.hitCounts, second.hitCounts),
    ...(parentIds ? { parentIds } : {}),
    childStart: joinedOffsets(a.childStart, second.childStart),
    childIds: joined(Int32Array, a.childIds, second.childIds),
    tickStart: joinedOffsets(a.tickStart, second.tickStart),
    tickLines: joined(Float64Array, a.tickLines, second.tickLines),
    tickCounts: joined(Float64Array, a.tickCounts, second.tickCounts),
    startTime: second.startTime,
    endTime: second.endTime,
    ...(second.samples ? { samples: second.samples } : {}),
    ...(second.timeDeltas ? { timeDeltas: second.timeDeltas } : {}),
  };
}

function joined<T extends Int32Array | Float64Array>(make: new (length: number) => T, a: ArrayLike<number>, b: ArrayLike<number>): T {
  const out = new make(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Two offsets columns (each with its end appended) as one: the second's offsets move past the first's end. */
function joinedOffsets(a: Int32Array, b: Int32Array): Int32Array {
  const n = a.length - 1;
  const base = a[n]!;
  const out = new Int32Array(n + b.length);
  out.set(a.subarray(0, n));
  for (let i = 0; i < b.length; i++) out[n + i] = b[i]! + base;
  return out;
}

/**
 * The bundled worker beside the bundle (out/agent/v8ScanWorker.js), or, when the sources run through tsx (tests),
 * the TypeScript source loaded through tsx's require hook, which workers do not inherit.
 */
function startWorker(): Worker {
  const bundled = join(__dirname, 'v8ScanWorker.js');
  if (existsSync(bundled)) return new Worker(bundled);
  const source = join(__dirname, 'v8ScanWorker.ts');
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(source)});`, { eval: true });
}
