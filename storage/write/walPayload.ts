import type { MetadataChanges } from '../metadata/metadataStore';
import type { EncodedLabelColumn, EncodedWrite } from './sampleWrite';

/**
 * The payload of one write-ahead-log record: the metadata interned since the previous record, then the write's
 * columns. Layout (little-endian):
 *
 *   header length u32 | header JSON (utf-8) | zero padding to 8 bytes |
 *   timestamps f64×n | values f64×n | stack ids u32×n | per row label, in header order: codes i32×n
 *
 * The columns are raw typed arrays so that encoding and replay cost a copy, not a parse, per sample.
 */
interface PayloadHeader {
  v: 1;
  n: number;
  profileType: string;
  durationNs: number;
  periodNs: number;
  labels: Record<string, string>;
  rowLabels: [string, string[]][];
  metadata: MetadataChanges;
}

export interface WalEntry {
  metadata: MetadataChanges;
  write: EncodedWrite;
}

export function encodeWalPayload(entry: WalEntry): Buffer {
  const { write } = entry;
  const n = write.timestamps.length;
  const rowLabelEntries = Object.entries(write.rowLabels);
  const header: PayloadHeader = {
    v: 1,
    n,
    profileType: write.profileType,
    durationNs: write.durationNs,
    periodNs: write.periodNs,
    labels: write.labels,
    rowLabels: rowLabelEntries.map(([key, column]) => [key, column.dictionary]),
    metadata: entry.metadata,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const columnsStart = align8(4 + headerBytes.length);
  const total = columnsStart + n * (8 + 8 + 4 + 4 * rowLabelEntries.length);
  const payload = Buffer.alloc(total);
  payload.writeUInt32LE(headerBytes.length, 0);
  headerBytes.copy(payload, 4);
  let offset = columnsStart;
  const put = (array: Float64Array | Uint32Array | Int32Array): void => {
    payload.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), offset);
    offset += array.byteLength;
  };
  put(write.timestamps);
  put(write.values);
  put(write.stackIds);
  for (const [, column] of rowLabelEntries) put(column.codes);
  return payload;
}

export function decodeWalPayload(payload: Buffer): WalEntry {
  const headerLength = payload.readUInt32LE(0);
  const header = JSON.parse(payload.toString('utf8', 4, 4 + headerLength)) as PayloadHeader;
  if (header.v !== 1) throw new Error(`unknown write-ahead-log payload version ${String(header.v)}`);
  const n = header.n;
  let offset = align8(4 + headerLength);
  const expected = offset + n * (20 + 4 * header.rowLabels.length);
  if (payload.length !== expected) throw new Error(`write-ahead-log payload holds ${payload.length} bytes, expected ${expected}`);
  // Copy into fresh, aligned buffers: the payload is a view into the log file's bytes.
  const take = <T>(bytes: number, make: (buffer: ArrayBuffer) => T): T => {
    const copy = new Uint8Array(bytes);
    copy.set(payload.subarray(offset, offset + bytes));
    offset += bytes;
    return make(copy.buffer);
  };
  const timestamps = take(n * 8, b => new Float64Array(b));
  const values = take(n * 8, b => new Float64Array(b));
  const stackIds = take(n * 4, b => new Uint32Array(b));
  const rowLabels: Record<string, EncodedLabelColumn> = {};
  for (const [key, dictionary] of header.rowLabels) rowLabels[key] = { dictionary, codes: take(n * 4, b => new Int32Array(b)) };
  return {
    metadata: header.metadata,
    write: {
      profileType: header.profileType,
      durationNs: header.durationNs,
      periodNs: header.periodNs,
      labels: header.labels,
      rowLabels,
      timestamps,
      values,
      stackIds,
    },
  };
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
