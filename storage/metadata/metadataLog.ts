import { open, readFile, type FileHandle } from 'node:fs/promises';
import { decodeRecord, encodeRecordHeader } from '../wal/walRecord';
import { writeAll } from '../wal/writeAll';
import { decodeMetadataPayload, encodeMetadataPayload } from './metadataRecord';
import { splitChanges } from './metadataChunks';
import { MetadataStore } from './metadataStore';

export class MetadataCorruptionError extends Error {
  constructor(readonly file: string, readonly offset: number, reason: string) {
    super(`The store's metadata ${file} is damaged at byte ${offset} (${reason}).`);
    this.name = 'MetadataCorruptionError';
  }
}

function replay(bytes: Buffer, file: string): { metadata: MetadataStore; end: number; sequence: number } {
  const metadata = new MetadataStore();
  let offset = 0;
  let sequence = 0;
  while (offset < bytes.length) {
    const decoded = decodeRecord(bytes, offset);
    if (decoded.kind === 'incomplete') break;
    if (decoded.kind === 'damaged') throw new MetadataCorruptionError(file, offset, decoded.reason);
    try {
      metadata.apply(decodeMetadataPayload(decoded.payload));
    } catch (error) {
      throw new MetadataCorruptionError(file, offset, error instanceof Error ? error.message : String(error));
    }
    sequence = decoded.txId;
    offset = decoded.end;
  }
  return { metadata, end: offset, sequence };
}

/**
 * The metadata every block relies on (frames and stacks), persisted at each checkpoint by appending only what
 * was interned since the previous one, as checksummed records in the write-ahead log's format. Rewriting all of
 * it at every flush cost 30–50 ms with 20,000 stacks and grew with the store; appending costs what is new.
 *
 * Frames and stacks interned after the checkpoint travel in the write-ahead log with the writes that use them, so
 * this file only needs to be complete up to the checkpoint the manifest names.
 *
 * Records are written in the binary format (metadataRecord.ts); the JSON records of earlier versions are read too,
 * so a store they wrote opens and keeps growing with binary records after them.
 */
export class MetadataLog {
  private constructor(
    private readonly handle: FileHandle,
    readonly file: string,
    private size: number,
    private sequence: number,
    private frames: number,
    private stacks: number,
  ) {}

  static async open(file: string): Promise<{ log: MetadataLog; metadata: MetadataStore }> {
    const handle = await open(file, 'a+', 0o600);
    try {
      const bytes = await handle.readFile();
      const { metadata, end, sequence } = replay(bytes, file);
      // An unfinished last record is a checkpoint interrupted while appending: no manifest named it.
      if (end < bytes.length) await handle.truncate(end);
      return { log: new MetadataLog(handle, file, end, sequence, metadata.frameCount, metadata.stackCount), metadata };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** The metadata, read without changing the file (for a reader beside the writer). */
  static async readOnly(file: string): Promise<MetadataStore> {
    const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return Buffer.alloc(0);
      throw error;
    });
    return replay(bytes, file).metadata;
  }

  /** Appends whatever `metadata` interned since the last append, durably (fdatasync before returning). */
  async persist(metadata: MetadataStore): Promise<void> {
    const frames = metadata.frameCount;
    const stacks = metadata.stackCount;
    if (frames === this.frames && stacks === this.stacks) return;
    // A big checkpoint goes as several records, none near the size the reader refuses (metadataChunks.ts). Each
    // record's header and payload pieces (the store's slabs of stack ids among them) are written as they are; a
    // write that stops short (a full disk) is finished or fails with the file system's error, as the WAL's do,
    // and the checkpoint's records are all truncated away on failure.
    const pieces = splitChanges(metadata.changesSince(this.frames, this.stacks));
    const records = pieces.flatMap((changes, i) => {
      const payload = encodeMetadataPayload(changes);
      return [encodeRecordHeader(this.sequence + 1 + i, payload), ...payload];
    });
    const length = records.reduce((sum, piece) => sum + piece.length, 0);
    try {
      await writeAll(this.handle, records, this.size);
      await this.handle.datasync();
    } catch (error) {
      await this.handle.truncate(this.size).catch(() => undefined);
      throw error;
    }
    this.size += length;
    this.sequence += pieces.length;
    this.frames = frames;
    this.stacks = stacks;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
