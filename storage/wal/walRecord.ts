import { crc32 } from 'node:zlib';

/**
 * One write-ahead-log record on disk:
 *
 *   magic u32 'ICLW' | payload length u32 | crc32 u32 | tx id u64 | payload
 *
 * all little-endian. The checksum covers the tx id and the payload, so a record is either entirely as written
 * or detectably damaged. The magic number lets recovery tell a record boundary from zeros or garbage.
 */
export const RECORD_MAGIC = 0x574c4349; // 'ICLW' read as little-endian bytes.
export const HEADER_BYTES = 20;
/** A single record above this is refused: it is not a profile chunk but a bug or damage. */
export const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

/**
 * A record's header alone (the payload is written after it unchanged): saves copying a payload of megabytes, as
 * importing a big profile writes, into a fresh record buffer. The payload may be given in pieces, written one
 * after another (the metadata log writes the store's slabs of stack ids as they are).
 */
export function encodeRecordHeader(txId: number, payload: Uint8Array | readonly Uint8Array[]): Buffer {
  const pieces = payload instanceof Uint8Array ? [payload] : payload;
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32LE(RECORD_MAGIC, 0);
  header.writeUInt32LE(pieces.reduce((sum, piece) => sum + piece.length, 0), 4);
  header.writeBigUInt64LE(BigInt(txId), 12);
  let crc = crc32(header.subarray(12, HEADER_BYTES));
  for (const piece of pieces) crc = crc32(piece, crc);
  header.writeUInt32LE(crc, 8);
  return header;
}

export function encodeRecord(txId: number, payload: Uint8Array): Buffer {
  const record = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  record.writeUInt32LE(RECORD_MAGIC, 0);
  record.writeUInt32LE(payload.length, 4);
  record.writeBigUInt64LE(BigInt(txId), 12);
  record.set(payload, HEADER_BYTES);
  record.writeUInt32LE(crc32(record.subarray(12)), 8);
  return record;
}

export type DecodeResult =
  | { kind: 'record'; txId: number; payload: Buffer; end: number }
  /** Fewer bytes remain than the record claims: the writer stopped in the middle of it. */
  | { kind: 'incomplete' }
  /** The bytes at this offset are not a valid record. `end` is where the damaged record claims to end, if known. */
  | { kind: 'damaged'; reason: string; end: number | undefined };

/** Decodes the record starting at `offset` of `bytes`. */
export function decodeRecord(bytes: Buffer, offset: number): DecodeResult {
  if (bytes.length - offset < HEADER_BYTES) return { kind: 'incomplete' };
  if (bytes.readUInt32LE(offset) !== RECORD_MAGIC) return { kind: 'damaged', reason: 'no record header', end: undefined };
  const length = bytes.readUInt32LE(offset + 4);
  if (length > MAX_PAYLOAD_BYTES) return { kind: 'damaged', reason: `implausible record length ${length}`, end: undefined };
  const end = offset + HEADER_BYTES + length;
  if (end > bytes.length) return { kind: 'incomplete' };
  const expected = bytes.readUInt32LE(offset + 8);
  if (crc32(bytes.subarray(offset + 12, end)) !== expected) return { kind: 'damaged', reason: 'checksum mismatch', end };
  const txId = Number(bytes.readBigUInt64LE(offset + 12));
  return { kind: 'record', txId, payload: bytes.subarray(offset + HEADER_BYTES, end), end };
}
