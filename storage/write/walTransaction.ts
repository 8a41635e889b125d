import { decodeWalPayload, walPayloadPieces, type WalEntry } from './walPayload';

/**
 * The payload of one write-ahead-log record that holds a transaction: several writes (an imported profile's value
 * types and its batches of rows) and the writer's idempotency key, replayed all together or not at all, since a log
 * record is either whole or cut off. Layout (little-endian):
 *
 *   marker u32 (0xFFFFFFFE) | header length u32 | header JSON (utf-8) | the writes' payloads, one after another
 *
 * where the header is `{ v: 1, key?, lengths }` and each write's payload is walPayload.ts's. A record written before
 * transactions existed starts with its header's length, never with the marker, and is read as one write without a
 * key.
 */
const TRANSACTION_MARKER = 0xfffffffe;

export interface WalTransaction {
  /** The writer's idempotency key: a transaction with a key already stored is not stored again. */
  key: string | undefined;
  entries: WalEntry[];
}

interface TransactionHeader {
  v: 1;
  key?: string;
  lengths: number[];
}

/** A transaction's payload in pieces, its bytes one after another (walPayloadPieces: the columns as views). */
export function walTransactionPieces(transaction: WalTransaction): Uint8Array[] {
  // A single write without a key keeps the older layout, which every reader reads.
  if (transaction.key === undefined && transaction.entries.length === 1) return walPayloadPieces(transaction.entries[0]!);
  const payloads = transaction.entries.map(walPayloadPieces);
  const header: TransactionHeader = { v: 1, lengths: payloads.map(p => p.reduce((sum, piece) => sum + piece.length, 0)) };
  if (transaction.key !== undefined) header.key = transaction.key;
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32LE(TRANSACTION_MARKER, 0);
  prefix.writeUInt32LE(headerBytes.length, 4);
  return [prefix, headerBytes, ...payloads.flat()];
}

export function decodeWalTransaction(payload: Buffer): WalTransaction {
  if (payload.length < 8 || payload.readUInt32LE(0) !== TRANSACTION_MARKER) return { key: undefined, entries: [decodeWalPayload(payload)] };
  const headerLength = payload.readUInt32LE(4);
  const header = JSON.parse(payload.toString('utf8', 8, 8 + headerLength)) as TransactionHeader;
  if (header.v !== 1 || !Array.isArray(header.lengths)) throw new Error(`unknown write-ahead-log transaction version ${String(header.v)}`);
  let offset = 8 + headerLength;
  const entries = header.lengths.map(length => {
    const entry = decodeWalPayload(payload.subarray(offset, offset + length));
    offset += length;
    return entry;
  });
  if (offset !== payload.length) throw new Error(`write-ahead-log transaction holds ${payload.length} bytes, expected ${offset}`);
  return { key: header.key, entries };
}
