import { mkdir, open, readFile, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory } from '../durableFiles';
import { MAX_PAYLOAD_BYTES, decodeRecord, encodeRecordHeader } from './walRecord';
import { writeAll } from './writeAll';

export interface WalRecord {
  txId: number;
  payload: Buffer;
}

/** A record in the middle of the log is damaged: recovery stops there and says where. */
export class WalCorruptionError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`The write-ahead log ${file} is damaged at byte ${offset} (${reason}); the records before it are intact.`);
    this.name = 'WalCorruptionError';
  }
}

export interface WalOpenResult {
  wal: WriteAheadLog;
  /** Every intact record, in tx order. */
  records: WalRecord[];
  /** Set when a damaged record was found before the end: the log then refuses further writes. */
  corruption: WalCorruptionError | undefined;
  /** Bytes of an unfinished last record that were cut off (a write interrupted by a crash). */
  truncatedTailBytes: number;
}

interface Pending {
  header: Buffer;
  /** The record's payload in pieces, written one after another (gathered, never concatenated into a copy). */
  payload: readonly Uint8Array[];
  txId: number;
  resolve: (txId: number) => void;
  reject: (error: Error) => void;
}

const SEGMENT_PATTERN = /^wal-(\d{16})\.log$/;

/** Segment files are named by the first tx id they hold, zero-padded so that names sort in tx order. */
export function segmentName(firstTxId: number): string {
  return `wal-${String(firstTxId).padStart(16, '0')}.log`;
}

interface Segment {
  firstTxId: number;
  file: string;
}

async function listSegments(directory: string): Promise<Segment[]> {
  return (await readdir(directory))
    .map(name => SEGMENT_PATTERN.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(m => ({ firstTxId: Number(m[1]), file: join(directory, m[0]) }))
    .sort((a, b) => a.firstTxId - b.firstTxId);
}

/**
 * Reads every segment's intact records in order. An unfinished record at the end of the newest segment is a torn
 * tail (cut off through `truncateTail` when given); damage anywhere else is corruption, and reading stops there.
 */
async function readSegments(
  segments: Segment[],
  truncateTail: ((offset: number) => Promise<void>) | undefined,
): Promise<{ records: WalRecord[]; corruption: WalCorruptionError | undefined; truncatedTailBytes: number; lastSegmentSize: number }> {
  const records: WalRecord[] = [];
  let corruption: WalCorruptionError | undefined;
  let truncatedTailBytes = 0;
  let lastSegmentSize = 0;
  const last = segments[segments.length - 1];
  for (const segment of segments) {
    const isLast = segment === last;
    const bytes = await readFile(segment.file).catch((error: NodeJS.ErrnoException) => {
      // A segment may not exist yet (a new log) or be gone already (a reader racing a checkpoint).
      if (error.code === 'ENOENT') return Buffer.alloc(0);
      throw error;
    });
    let offset = 0;
    while (offset < bytes.length) {
      const decoded = decodeRecord(bytes, offset);
      if (decoded.kind === 'record') {
        records.push({ txId: decoded.txId, payload: decoded.payload });
        offset = decoded.end;
        continue;
      }
      const tornTail =
        isLast &&
        (decoded.kind === 'incomplete' || (decoded.end !== undefined ? decoded.end >= bytes.length : bytes.subarray(offset).every(b => b === 0)));
      if (tornTail) {
        truncatedTailBytes = bytes.length - offset;
        if (truncateTail) await truncateTail(offset);
      } else {
        corruption = new WalCorruptionError(segment.file, offset, decoded.kind === 'damaged' ? decoded.reason : 'a record is cut short');
      }
      break;
    }
    if (corruption) break;
    if (isLast) lastSegmentSize = offset;
  }
  return { records, corruption, truncatedTailBytes, lastSegmentSize };
}

/**
 * The store's write-ahead log: segment files of checksummed records (walRecord.ts), appended to the newest.
 *
 * Group commit: appends that arrive while a write is in flight are queued and written together with one
 * write and one fdatasync, so a burst of small appends costs one sync. `append` resolves only after its
 * record is on stable storage (fdatasync), so an acknowledged write survives kill -9 and power loss.
 * A failed write is rolled back by truncating the file to where it was, so it never becomes half-visible.
 *
 * Checkpoints: `rotate` starts a new segment; once the store has made everything up to a tx durable elsewhere
 * (a block), `removeSegmentsThrough` deletes the segments holding only older records, which bounds replay.
 *
 * Recovery (`open`): intact records of every segment are returned in order; an unfinished last record of the
 * newest segment (a torn tail) is cut off; a damaged record anywhere else is corruption, reported with the
 * file and offset, and the log then refuses writes rather than append after damage.
 */
export class WriteAheadLog {
  private queue: Pending[] = [];
  private rotations: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;
  private failure: Error | undefined;

  private constructor(
    private readonly directory: string,
    private handle: FileHandle,
    private segments: Segment[],
    private size: number,
    private nextTxId: number,
    corruption: WalCorruptionError | undefined,
    private readonly sync: boolean,
  ) {
    this.failure = corruption;
  }

  /** The file being appended to. */
  get file(): string {
    return this.segments[this.segments.length - 1]!.file;
  }

  /**
   * Opens (or creates) the log in `directory`. `firstTxId` is where tx ids continue when the log holds no
   * record (every older segment was removed after a checkpoint).
   */
  static async open(directory: string, options: { sync?: boolean; firstTxId?: number } = {}): Promise<WalOpenResult> {
    await mkdir(directory, { recursive: true });
    const segments = await listSegments(directory);
    if (segments.length === 0) {
      const firstTxId = options.firstTxId ?? 1;
      segments.push({ firstTxId, file: join(directory, segmentName(firstTxId)) });
    }
    const last = segments[segments.length - 1]!;
    const handle = await open(last.file, 'a+', 0o600);
    try {
      const read = await readSegments(segments, async offset => {
        await handle.truncate(offset);
        await handle.datasync();
      });
      const size = read.corruption ? Number.MAX_SAFE_INTEGER : read.lastSegmentSize;
      const lastTxId = read.records.length > 0 ? read.records[read.records.length - 1]!.txId : 0;
      const nextTxId = Math.max(lastTxId + 1, last.firstTxId, options.firstTxId ?? 1);
      const wal = new WriteAheadLog(directory, handle, segments, size, nextTxId, read.corruption, options.sync ?? true);
      return { wal, records: read.records, corruption: read.corruption, truncatedTailBytes: read.truncatedTailBytes };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Reads the log without changing it, for a reader beside the writer (the command line while the agent runs):
   * an unfinished last record is skipped, not cut off, since the writer may be finishing it.
   */
  static async readOnly(directory: string): Promise<Omit<WalOpenResult, 'wal'>> {
    const segments = await listSegments(directory).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const read = await readSegments(segments, undefined);
    return { records: read.records, corruption: read.corruption, truncatedTailBytes: read.truncatedTailBytes };
  }

  /**
   * Appends a record; resolves with its tx id once it is durable, rejects if it could not be written. A payload in
   * pieces is one record of their bytes one after another: a big transaction's columns are written from where they
   * are, which saves a copy of tens of megabytes per transaction. The pieces must not change until it resolves.
   */
  append(payload: Uint8Array | readonly Uint8Array[]): Promise<number> {
    if (this.closed) return Promise.reject(new Error('the write-ahead log is closed'));
    if (this.failure) return Promise.reject(this.failure);
    const pieces = payload instanceof Uint8Array ? [payload] : payload;
    const length = pieces.reduce((sum, piece) => sum + piece.length, 0);
    // Recovery takes a record this big for damage and stops there: written, it would be acknowledged and then lost.
    if (length > MAX_PAYLOAD_BYTES) {
      const mib = (bytes: number): string => `${Math.ceil(bytes / 2 ** 20)} MiB`;
      return Promise.reject(new Error(`the store cannot take this in one write: it holds ${mib(length)}, and a write may hold at most ${mib(MAX_PAYLOAD_BYTES)}`));
    }
    const txId = this.nextTxId++;
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ header: encodeRecordHeader(txId, pieces), payload: pieces, txId, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Starts a new segment after every record already queued; resolves once the new segment exists durably. */
  rotate(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the write-ahead log is closed'));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.rotations.push({ resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Deletes every segment whose records all have tx ids up to `txId` (never the segment being appended to). */
  async removeSegmentsThrough(txId: number): Promise<number> {
    let removed = 0;
    while (this.segments.length > 1 && this.segments[1]!.firstTxId - 1 <= txId) {
      const [segment] = this.segments.splice(0, 1);
      await unlink(segment!.file).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      removed++;
    }
    if (removed > 0) await syncDirectory(this.directory);
    return removed;
  }

  /** Bytes in all segments that recovery would replay (for deciding when to checkpoint). */
  get segmentCount(): number {
    return this.segments.length;
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0 || this.rotations.length > 0) {
      // A rotation goes first: under a steady stream of writes the queue may never be empty.
      if (this.rotations.length > 0) {
        const rotations = this.rotations;
        this.rotations = [];
        try {
          await this.switchSegment();
          rotations.forEach(r => r.resolve());
        } catch (error) {
          rotations.forEach(r => r.reject(error instanceof Error ? error : new Error(String(error))));
        }
        continue;
      }
      const batch = this.queue;
      this.queue = [];
      const buffers = batch.flatMap(p => [p.header, ...p.payload]);
      const length = buffers.reduce((sum, b) => sum + b.length, 0);
      const before = this.size;
      try {
        await writeAll(this.handle, buffers, before);
        if (this.sync) await this.handle.datasync();
        this.size = before + length;
        batch.forEach(p => p.resolve(p.txId));
      } catch (error) {
        const cause = error instanceof Error ? error : new Error(String(error));
        await this.rollBack(before, cause);
        batch.forEach(p => p.reject(cause));
        // The tx ids of the failed batch and of anything queued behind it are reissued: none became visible.
        this.queue.forEach(p => p.reject(cause));
        this.queue = [];
        this.nextTxId = batch[0]!.txId;
      }
    }
    this.flushing = undefined;
  }

  private async switchSegment(): Promise<void> {
    const firstTxId = this.nextTxId;
    if (this.segments[this.segments.length - 1]!.firstTxId === firstTxId) return;
    const file = join(this.directory, segmentName(firstTxId));
    const handle = await open(file, 'a+', 0o600);
    await syncDirectory(this.directory);
    await this.handle.close();
    this.handle = handle;
    this.segments.push({ firstTxId, file });
    this.size = 0;
  }

  /** Cuts a failed write off the end of the file; if even that fails, the log stops accepting writes. */
  private async rollBack(size: number, cause: Error): Promise<void> {
    try {
      await this.handle.truncate(size);
    } catch {
      this.failure = new Error(`the write-ahead log ${this.file} could not be restored after a failed write (${cause.message})`, { cause });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushing;
    await this.handle.close();
  }
}
