import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeRecord, encodeRecord } from './walRecord';

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
  record: Buffer;
  txId: number;
  resolve: (txId: number) => void;
  reject: (error: Error) => void;
}

/**
 * The store's write-ahead log: one append-only file of checksummed records (walRecord.ts).
 *
 * Group commit: appends that arrive while a write is in flight are queued and written together with one
 * write and one fdatasync, so a burst of small appends costs one sync. `append` resolves only after its
 * record is on stable storage (fdatasync), so an acknowledged write survives kill -9 and power loss.
 * A failed write is rolled back by truncating the file to where it was, so it never becomes half-visible.
 *
 * Recovery (`open`): intact records are returned in order; an unfinished last record (a torn tail) is cut
 * off; a damaged record followed by more data is corruption, reported with the file and offset, and the log
 * then refuses writes rather than append after damage.
 */
export class WriteAheadLog {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;
  private failure: Error | undefined;

  private constructor(
    private readonly handle: FileHandle,
    readonly file: string,
    private size: number,
    private nextTxId: number,
    corruption: WalCorruptionError | undefined,
    private readonly sync: boolean,
  ) {
    this.failure = corruption;
  }

  static async open(directory: string, options: { sync?: boolean } = {}): Promise<WalOpenResult> {
    await mkdir(directory, { recursive: true });
    const file = join(directory, 'wal.log');
    const handle = await open(file, 'a+');
    try {
      const bytes = await readFile(file);
      const records: WalRecord[] = [];
      let offset = 0;
      let corruption: WalCorruptionError | undefined;
      let truncatedTailBytes = 0;
      while (offset < bytes.length) {
        const decoded = decodeRecord(bytes, offset);
        if (decoded.kind === 'record') {
          records.push({ txId: decoded.txId, payload: decoded.payload });
          offset = decoded.end;
          continue;
        }
        const tornTail =
          decoded.kind === 'incomplete' ||
          (decoded.end !== undefined ? decoded.end >= bytes.length : bytes.subarray(offset).every(b => b === 0));
        if (tornTail) {
          truncatedTailBytes = bytes.length - offset;
          await handle.truncate(offset);
          await handle.datasync();
        } else {
          corruption = new WalCorruptionError(file, offset, decoded.kind === 'damaged' ? decoded.reason : 'damaged');
        }
        break;
      }
      const lastTxId = records.length > 0 ? records[records.length - 1]!.txId : 0;
      const wal = new WriteAheadLog(handle, file, corruption ? bytes.length : offset, lastTxId + 1, corruption, options.sync ?? true);
      return { wal, records, corruption, truncatedTailBytes };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Appends a record; resolves with its tx id once it is durable, rejects if it could not be written. */
  append(payload: Uint8Array): Promise<number> {
    if (this.closed) return Promise.reject(new Error('the write-ahead log is closed'));
    if (this.failure) return Promise.reject(this.failure);
    const txId = this.nextTxId++;
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ record: encodeRecord(txId, payload), txId, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const bytes = Buffer.concat(batch.map(p => p.record));
      const before = this.size;
      try {
        await this.handle.write(bytes, 0, bytes.length, before);
        if (this.sync) await this.handle.datasync();
        this.size = before + bytes.length;
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
