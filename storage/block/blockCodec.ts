import {
  AsyncByteQueue, DataType, Dictionary, Field, Float64, Int32, Int64, RecordBatch, RecordBatchStreamWriter, Schema, Struct, Table,
  TimestampMillisecond, Uint32, Utf8, makeData, tableFromIPC, vectorFromArray, type Data,
} from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { SAMPLE_COLUMNS, STATIC_COLUMNS, columnOrder, staticColumn } from '../schema';
import { float64ToInt64, int64ToFloat64 } from './int64Columns';
import type { ScratchBuffers } from './scratchBuffers';

/**
 * Rows per batch when a block is read: the unit the scan skips by statistics. Blocks are sorted by their
 * low-cardinality labels (blockRows.ts), so a slice this size usually holds one or two values of such a label.
 */
export const READ_SLICE_ROWS = 65_536;

/** Columns stored as Int64 (or Timestamp) on disk and Float64 in memory: the schema's float64 ones. */
const INT64_COLUMNS = new Set<string>(SAMPLE_COLUMNS.filter(c => c.type === 'float64').map(c => c.name));

/**
 * Encodes in-memory batches (possibly with different label columns) as one Parquet block: every label column of
 * any batch becomes a column of the block, null where a batch lacked it. ZSTD throughout; each static column's
 * encoding is the schema's (SAMPLE_COLUMNS, with the measurements that chose it), dictionaries for labels. No
 * Parquet statistics: the store keeps its own in the manifest, and Parquet's cost a third of the write time
 * (546 → 379 ms). Other engines read the files just as well without them. With `scratch` (the block worker's), the
 * Int64 columns and the IPC stream handed to the Parquet writer are that thread's reused buffers, dead once this
 * returns (the writer copies the stream into its own memory).
 */
export function encodeBlock(batches: RecordBatch[], rowGroupRows: number, scratch?: ScratchBuffers): Uint8Array {
  const table = toDiskTable(batches, scratch);
  let props = new parquet.WriterPropertiesBuilder()
    .setCompression(parquet.Compression.ZSTD)
    .setDictionaryEnabled(true)
    .setStatisticsEnabled(parquet.EnabledStatistics.None);
  for (const column of SAMPLE_COLUMNS) {
    if (!('parquet' in column)) continue;
    props = props.setColumnDictionaryEnabled(column.name, column.parquet.dictionary);
    if ('encoding' in column.parquet) props = props.setColumnEncoding(column.name, parquet.Encoding[column.parquet.encoding]);
  }
  for (const name of plainLabelColumns(batches, rowGroupRows)) props = props.setColumnDictionaryEnabled(name, false);
  return parquet.writeParquet(parquet.Table.fromIPCStream(ipcStream(table, scratch)), props.setMaxRowGroupSize(rowGroupRows).setCreatedBy('icicle').build());
}

/** An Arrow IPC writer's sink that keeps its chunks as they are, to be gathered into a reused buffer. */
class ChunkSink extends AsyncByteQueue {
  readonly chunks: Uint8Array[] = [];
  override write(value: Parameters<AsyncByteQueue['write']>[0]): void {
    if (!ArrayBuffer.isView(value)) throw new Error('the IPC writer wrote something other than bytes');
    if (value.byteLength > 0) this.chunks.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  }
}

/**
 * The table as an Arrow IPC stream (tableToIPC's bytes), gathered into `scratch`'s buffer when given (valid until the
 * next block is encoded with it): tableToIPC joins its chunks into a new buffer each time, ~70 MB for a full part.
 */
export function ipcStream(table: Table, scratch?: ScratchBuffers): Uint8Array {
  const sink = new ChunkSink();
  const writer = new RecordBatchStreamWriter();
  writer.reset(sink);
  writer.writeAll(table);
  const bytes = sink.chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const out = new Uint8Array(scratch ? scratch.take('ipc', bytes) : new ArrayBuffer(bytes), 0, bytes);
  let at = 0;
  for (const chunk of sink.chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** The Parquet writer's limit on a column chunk's dictionary page (parquet-rs' default), beyond which it goes plain. */
const DICTIONARY_PAGE_BYTES = 1 << 20;

/**
 * Label columns whose values are nearly all distinct (a trace id, a span id), written plain rather than as a
 * dictionary: a row group's dictionary of them would pass the writer's page limit, and the writer would first hash
 * every row into a megabyte of dictionary, then fall back to plain for the rest of the chunk anyway. Written plain
 * from the start, the ids of issue 21's trace-ids benchmark cost 0.25 µs a row to encode instead of 0.65 and 8% less
 * on disk (ZSTD finds a request's repeated id nearby); read back, they are a dictionary column as before.
 */
function plainLabelColumns(batches: RecordBatch[], rowGroupRows: number): string[] {
  const rows = batches.reduce((sum, b) => sum + b.numRows, 0);
  const dictionaryBytes = new Map<string, number>();
  for (const batch of batches) {
    for (const field of batch.schema.fields) {
      if (staticColumn(field.name) || !DataType.isDictionary(field.type)) continue;
      let bytes = 0;
      for (const chunk of batch.getChild(field.name)!.data[0]!.dictionary?.data ?? []) bytes += chunk.valueOffsets[chunk.offset + chunk.length]! - chunk.valueOffsets[chunk.offset]!;
      dictionaryBytes.set(field.name, (dictionaryBytes.get(field.name) ?? 0) + bytes);
    }
  }
  const groupShare = Math.min(1, rowGroupRows / Math.max(1, rows));
  return [...dictionaryBytes].filter(([, bytes]) => bytes * groupShare > DICTIONARY_PAGE_BYTES).map(([name]) => name);
}

/**
 * Decodes the named columns of a Parquet block into in-memory batches (Float64 numbers, dictionary strings);
 * columns the block lacks are left out. Only the asynchronous reader honours a column list (parquet-wasm 0.8).
 */
export async function decodeBlock(bytes: Uint8Array, columns: readonly string[] | undefined): Promise<RecordBatch[]> {
  const file = await parquet.ParquetFile.fromFile(new Blob([bytes]));
  try {
    const available = new Set(tableFromIPC(file.schema().intoIPCStream()).schema.fields.map(f => f.name));
    const wanted = columns?.filter(name => available.has(name));
    if (wanted?.length === 0) return [emptyBatch(Number(file.metadata().fileMetadata().numRows()))];
    const wasmTable = await file.read({ batchSize: READ_SLICE_ROWS, ...(wanted ? { columns: wanted } : {}) });
    return tableFromIPC(wasmTable.intoIPCStream()).batches.map(toMemoryBatch);
  } finally {
    file.free();
  }
}

/** A batch with rows but no columns: what a scan of only absent columns sees. */
function emptyBatch(rows: number): RecordBatch {
  return new RecordBatch(new Schema([]), makeData({ type: new Struct([]), length: rows, nullCount: 0, children: [] }));
}

function toDiskTable(batches: RecordBatch[], scratch: ScratchBuffers | undefined): Table {
  let int64Columns = 0;
  const names = columnOrder(batches.flatMap(b => b.schema.fields.map(f => f.name)));
  const fields = names.map(name => new Field(name, diskType(name), !STATIC_COLUMNS.includes(name)));
  const schema = new Schema(fields);
  const diskBatches = batches.map(batch => {
    const n = batch.numRows;
    const children = names.map(name => {
      const column = batch.getChild(name);
      if (!column) return nullStrings(n);
      const data = column.data[0]!;
      if (INT64_COLUMNS.has(name)) {
        // Each Int64 column of the block in its own reused buffer.
        const values = float64ToInt64(data.values as Float64Array, n, scratch?.take(`int64:${int64Columns++}`, 8 * n));
        return staticColumn(name)?.disk === 'timestamp'
          ? makeData({ type: new TimestampMillisecond(), length: n, nullCount: 0, data: values })
          : makeData({ type: new Int64(), length: n, nullCount: 0, data: values });
      }
      return data as Data;
    });
    return new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, nullCount: 0, children }));
  });
  return new Table(schema, diskBatches);
}

function diskType(name: string): DataType {
  const column = staticColumn(name);
  if (column?.disk === 'timestamp') return new TimestampMillisecond();
  if (column?.type === 'float64') return new Int64();
  if (column?.type === 'uint32') return new Uint32();
  return new Dictionary(new Utf8(), new Int32());
}

const emptyDictionary = vectorFromArray([''], new Utf8());

function nullStrings(n: number): Data {
  return makeData({
    type: new Dictionary(new Utf8(), new Int32()),
    length: n,
    nullCount: n,
    nullBitmap: new Uint8Array(Math.ceil(n / 8)),
    data: new Int32Array(n),
    dictionary: emptyDictionary,
  });
}

function toMemoryBatch(batch: RecordBatch): RecordBatch {
  const n = batch.numRows;
  const fields: Field[] = [];
  const children: Data[] = [];
  for (const field of batch.schema.fields) {
    const data = batch.getChild(field.name)!.data[0]!;
    if (INT64_COLUMNS.has(field.name)) {
      fields.push(new Field(field.name, new Float64(), false));
      children.push(makeData({ type: new Float64(), length: n, nullCount: 0, data: int64ToFloat64(data.values as BigInt64Array, n, data.offset) }));
    } else if (DataType.isDictionary(field.type) && field.type.indices.bitWidth !== 32) {
      throw new Error(`column ${field.name} has ${field.type.indices.bitWidth}-bit dictionary indices`);
    } else {
      fields.push(new Field(field.name, field.type, field.nullable));
      children.push(data);
    }
  }
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: n, nullCount: 0, children }));
}
