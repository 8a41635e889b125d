import { frameColumns, framesFromColumns, packStacks, unpackStacks, type FrameColumns } from '../metadata/metadataCodec';
import type { MetadataChanges } from '../metadata/metadataStore';
import { SAMPLE_COLUMNS, staticColumn, type ColumnDescriptor } from '../schema';
import type { EncodedLabelColumn, EncodedWrite } from './sampleWrite';

/**
 * The payload of one write-ahead-log record: the metadata interned since the previous record, then the write's
 * columns. Layout (little-endian):
 *
 *   header length u32 | header JSON (utf-8) | zero padding to 8 bytes |
 *   the per-row static columns named in the header, in its order (f64×n or u32×n each, as the schema types them) |
 *   per row label, in header order: codes i32×n |
 *   new stacks' lengths u32×s | new stacks' frame ids u32×(sum of lengths)
 *
 * The columns are raw typed arrays so that encoding and replay cost a copy, not a parse, per sample. New frames
 * travel in the header column-wise (arrays of strings and numbers serialise several times faster than objects);
 * new stacks, which can hold millions of frame ids when a big profile is imported, travel as raw arrays.
 *
 * Version 4 names its columns (the schema's, SAMPLE_COLUMNS), so a record written before a column was added reads
 * with that column's default. Version 3, written before, had a fixed set: V3_COLUMNS, and the per-write ones as
 * header fields.
 */
interface PayloadHeader {
  v: 3 | 4;
  n: number;
  /** v4: the per-write static columns' values and the per-row ones' names, in payload order. */
  constants?: Record<string, string | number>;
  columns?: string[];
  /** v3: the per-write static columns. */
  profileType?: string;
  durationNs?: number;
  periodNs?: number;
  labels: Record<string, string>;
  rowLabels: [string, string[]][];
  frames: FrameColumns;
  stacks: { first: number; count: number; frameIds: number };
}

/** The per-row columns of a version 3 payload, in its order. Frozen: version 3 is no longer written. */
const V3_COLUMNS = ['timestamp', 'value', 'stack_id', 'line'];

const ROW_COLUMNS = SAMPLE_COLUMNS.filter(c => c.per === 'row');

export interface WalEntry {
  metadata: MetadataChanges;
  write: EncodedWrite;
}

export function encodeWalPayload(entry: WalEntry): Buffer {
  return Buffer.concat(walPayloadPieces(entry));
}

/**
 * The payload of encodeWalPayload in pieces, its bytes one after another: the header (padded), then the write's
 * columns and the new stacks' ids as views of the arrays that hold them, not copied. The log writes them gathered;
 * a copy of them into one buffer cost an import of 4.3M rows about a second (fresh memory, page by page).
 */
export function walPayloadPieces(entry: WalEntry): Uint8Array[] {
  const { write } = entry;
  const rowLabelEntries = Object.entries(write.rowLabels);
  const { frames, stacks } = entry.metadata;
  const packed = packStacks(stacks);
  const header: PayloadHeader = {
    v: 4,
    n: write.rows,
    constants: write.constants,
    columns: ROW_COLUMNS.map(c => c.name),
    labels: write.labels,
    rowLabels: rowLabelEntries.map(([key, column]) => [key, column.dictionary as string[]]),
    frames: frameColumns(entry.metadata.firstFrameId, frames),
    stacks: { first: entry.metadata.firstStackId, count: stacks.length, frameIds: packed.idCount },
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const start = Buffer.alloc(align8(4 + headerBytes.length));
  start.writeUInt32LE(headerBytes.length, 0);
  headerBytes.copy(start, 4);
  const pieces: Uint8Array[] = [start];
  const put = (array: Float64Array | Uint32Array | Int32Array | Uint8Array): void => {
    if (array.byteLength > 0) pieces.push(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  };
  for (const column of ROW_COLUMNS) put(write.columns[column.name]!);
  for (const [, column] of rowLabelEntries) put(column.codes);
  put(packed.lengths);
  for (const run of packed.idRuns) put(run);
  return pieces;
}

export function decodeWalPayload(payload: Buffer): WalEntry {
  const headerLength = payload.readUInt32LE(0);
  const header = JSON.parse(payload.toString('utf8', 4, 4 + headerLength)) as PayloadHeader;
  if (header.v !== 3 && header.v !== 4) throw new Error(`unknown write-ahead-log payload version ${String(header.v)}`);
  const n = header.n;
  const names = header.v === 3 ? V3_COLUMNS : header.columns!;
  const given = names.map(name => {
    const column = staticColumn(name);
    if (column?.per !== 'row') throw new Error(`write-ahead-log payload has a column ${name} the store does not know`);
    return column;
  });
  let offset = align8(4 + headerLength);
  const rowBytes = given.reduce((sum, c) => sum + bytesPerValue(c), 0) + 4 * header.rowLabels.length;
  const expected = offset + n * rowBytes + 4 * (header.stacks.count + header.stacks.frameIds);
  if (payload.length !== expected) throw new Error(`write-ahead-log payload holds ${payload.length} bytes, expected ${expected}`);
  // Copy into fresh, aligned buffers: the payload is a view into the log file's bytes.
  const take = <T>(bytes: number, make: (buffer: ArrayBuffer) => T): T => {
    const copy = new Uint8Array(bytes);
    copy.set(payload.subarray(offset, offset + bytes));
    offset += bytes;
    return make(copy.buffer);
  };
  const columns: Record<string, Float64Array | Uint32Array> = {};
  for (const column of given) {
    columns[column.name] = column.type === 'uint32' ? take(n * 4, b => new Uint32Array(b)) : take(n * 8, b => new Float64Array(b));
  }
  // A column added after the record was written holds its default.
  for (const column of ROW_COLUMNS) {
    columns[column.name] ??= (column.type === 'uint32' ? new Uint32Array(n) : new Float64Array(n)).fill('default' in column ? column.default : 0);
  }
  const constants: Record<string, string | number> =
    header.v === 3 ? { profile_type: header.profileType!, duration_ns: header.durationNs!, period_ns: header.periodNs! } : { ...header.constants };
  for (const column of SAMPLE_COLUMNS) if (column.per === 'write') constants[column.name] ??= 'default' in column ? column.default : '';
  const rowLabels: Record<string, EncodedLabelColumn> = {};
  for (const [key, dictionary] of header.rowLabels) rowLabels[key] = { dictionary, codes: take(n * 4, b => new Int32Array(b)) };
  const stackLengths = take(header.stacks.count * 4, b => new Uint32Array(b));
  const stackFrameIds = take(header.stacks.frameIds * 4, b => new Uint32Array(b));
  const metadata: MetadataChanges = {
    firstFrameId: header.frames.first,
    frames: framesFromColumns(header.frames),
    firstStackId: header.stacks.first,
    stacks: unpackStacks(stackLengths, stackFrameIds),
  };
  return { metadata, write: { rows: n, constants, columns, labels: header.labels, rowLabels } };
}

function bytesPerValue(column: ColumnDescriptor): number {
  return column.type === 'float64' ? 8 : 4;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
