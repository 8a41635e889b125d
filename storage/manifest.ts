import { readFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { writeFileDurably } from './durableFiles';
import type { BlockStats } from './schema';

/** One immutable block as the manifest records it. */
export interface BlockEntry {
  id: number;
  /** File name inside the store's blocks/ directory. */
  file: string;
  bytes: number;
  /** CRC-32 of the whole file, checked before every decode so that a flipped byte is reported, not misread. */
  crc32: number;
  /** Tx ids whose rows the block holds. */
  minTxId: number;
  maxTxId: number;
  createdAtMs: number;
  stats: BlockStats;
}

/**
 * The store's table of contents, replaced atomically (write, fsync, rename) by every flush, compaction and
 * retention pass. A block file not listed here is garbage from an interrupted operation and is deleted on open.
 */
export interface Manifest {
  version: 1;
  /** Every tx up to this one is in the listed blocks; the write-ahead log is replayed after it. */
  checkpointTxId: number;
  nextBlockId: number;
  blocks: BlockEntry[];
  /**
   * The idempotency keys of the newest checkpointed transactions, with their tx ids (storage/writeKeys.ts); keys of
   * later transactions are in their log records. Absent in stores written before keys existed.
   */
  writeKeys?: [string, number][];
}

export const EMPTY_MANIFEST: Manifest = { version: 1, checkpointTxId: 0, nextBlockId: 1, blocks: [] };

export class ManifestCorruptionError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`The store's manifest ${file} is damaged (${reason}).`);
    this.name = 'ManifestCorruptionError';
  }
}

/** On disk: `crc32 hex` newline JSON, so damage anywhere in the JSON is detected. */
export async function readManifest(file: string): Promise<Manifest | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseChecksummedJson<Manifest>(text, file, body => {
    if (body.version !== 1 || !Array.isArray(body.blocks)) throw new ManifestCorruptionError(file, 'unknown version or shape');
    return body;
  });
}

export async function writeManifest(file: string, manifest: Manifest): Promise<void> {
  await writeFileDurably(file, Buffer.from(checksummedJson(manifest), 'utf8'));
}

export function checksummedJson(value: unknown): string {
  const body = JSON.stringify(value);
  return `${crc32(body).toString(16).padStart(8, '0')}\n${body}`;
}

export function parseChecksummedJson<T>(text: string, file: string, check: (body: T) => T): T {
  const newline = text.indexOf('\n');
  const body = text.slice(newline + 1);
  if (newline !== 8 || parseInt(text.slice(0, 8), 16) !== crc32(body)) throw new ManifestCorruptionError(file, 'checksum mismatch');
  try {
    return check(JSON.parse(body) as T);
  } catch (error) {
    if (error instanceof ManifestCorruptionError) throw error;
    throw new ManifestCorruptionError(file, 'not JSON');
  }
}
