import { DataType, Dictionary, Float64, Int32, Uint32, Utf8, makeData, makeVector, type Data, type RecordBatch } from 'apache-arrow';
import { recordBatch } from '../part/columnBuilders';
import { dictionaryPartIds, setDictionaryPartIds } from './dictionaryPartIds';
import type { TransferPool } from './transferPool';

/**
 * An in-memory batch as plain typed arrays, for the block worker: each buffer is copied once (the rows the batch
 * holds, into a fresh ArrayBuffer: never a Buffer's pooled one, which must not be transferred) and its copy
 * transferred, not cloned. Arrow IPC cost two copies and a flatbuffer walk per batch on
 * the agent's thread (tableToIPC gathers the buffers, then concatenates them), 110–230 ms per 3M rows (issue 20).
 */
export interface TransferBatch {
  rows: number;
  columns: TransferColumn[];
}

export type TransferColumn =
  | { name: string; kind: 'float64'; values: Float64Array }
  | { name: string; kind: 'uint32'; values: Uint32Array }
  /**
   * Dictionary codes (Int32) over UTF-8 strings; `validity` only when some row is null; `ids`, the entries'
   * part-wide ids, when the active part knows them (dictionaryPartIds.ts).
   */
  | { name: string; kind: 'strings'; codes: Int32Array; validity: Uint8Array | undefined; nullCount: number; offsets: Int32Array; bytes: Uint8Array; ids: Int32Array | undefined };

/**
 * The batch as typed arrays, or undefined when a column is of a kind or layout this does not carry (an offset view,
 * a dictionary in several chunks); the caller then sends Arrow IPC. Batches of the active part always fit. The copies
 * go into buffers from `pool` when it has some of the right size (ones the worker gave back), else into new ones.
 */
export function toTransferBatch(batch: RecordBatch, pool?: TransferPool): TransferBatch | undefined {
  const rows = batch.numRows;
  const copy = <T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(source: T, make: new (buffer: ArrayBuffer) => T): T => {
    const out = new make(pool ? pool.take(source.byteLength) : new ArrayBuffer(source.byteLength));
    out.set(source as never);
    return out;
  };
  const columns: TransferColumn[] = [];
  for (const field of batch.schema.fields) {
    const chunks = batch.getChild(field.name)!.data;
    if (chunks.length !== 1 || chunks[0]!.offset !== 0) return undefined;
    const data = chunks[0]! as Data;
    if (DataType.isFloat(data.type) && data.type.precision === 2) {
      columns.push({ name: field.name, kind: 'float64', values: copy((data.values as Float64Array).subarray(0, rows), Float64Array) });
    } else if (DataType.isInt(data.type) && data.type.bitWidth === 32 && !data.type.isSigned) {
      columns.push({ name: field.name, kind: 'uint32', values: copy((data.values as Uint32Array).subarray(0, rows), Uint32Array) });
    } else if (DataType.isDictionary(data.type) && DataType.isUtf8(data.type.dictionary) && data.type.indices.bitWidth === 32) {
      const dictionary = data.dictionary!.data;
      if (dictionary.length !== 1 || dictionary[0]!.offset !== 0) return undefined;
      const strings = dictionary[0]!;
      const count = strings.length;
      const offsets = new Int32Array((strings.valueOffsets as Int32Array).subarray(0, count + 1));
      const ids = dictionaryPartIds(strings);
      columns.push({
        name: field.name,
        kind: 'strings',
        codes: copy((data.values as Int32Array).subarray(0, rows), Int32Array),
        validity: data.nullCount > 0 ? new Uint8Array(data.nullBitmap!.subarray(0, Math.ceil(rows / 8))) : undefined,
        nullCount: data.nullCount,
        offsets,
        bytes: new Uint8Array((strings.values as Uint8Array).subarray(0, offsets[count]!)),
        ids: ids ? new Int32Array(ids) : undefined,
      });
    } else {
      return undefined;
    }
  }
  return { rows, columns };
}

/** The buffers of a transfer batch, to hand over with the message (each is the batch's own copy). */
export function transferablesOf(batch: TransferBatch): ArrayBuffer[] {
  return batch.columns.flatMap(c =>
    (c.kind === 'strings' ? [c.codes, c.validity, c.offsets, c.bytes, c.ids] : [c.values]).flatMap(array => (array ? [array.buffer as ArrayBuffer] : [])),
  );
}

/** The buffers of a transfer batch's row columns (values, codes): the ones worth reusing for the next batches. */
export function rowBuffersOf(batch: TransferBatch): ArrayBuffer[] {
  return batch.columns.map(c => (c.kind === 'strings' ? c.codes.buffer : c.values.buffer) as ArrayBuffer);
}

/** The Arrow batch again, on the worker's side (zero-copy over the received arrays). */
export function fromTransferBatch(batch: TransferBatch): RecordBatch {
  const { rows } = batch;
  const columns = batch.columns.map((c): [string, Data] => {
    if (c.kind === 'float64') return [c.name, makeData({ type: new Float64(), length: rows, nullCount: 0, data: c.values })];
    if (c.kind === 'uint32') return [c.name, makeData({ type: new Uint32(), length: rows, nullCount: 0, data: c.values })];
    const dictionary = makeVector(makeData({ type: new Utf8(), length: c.offsets.length - 1, nullCount: 0, valueOffsets: c.offsets, data: c.bytes }));
    if (c.ids) setDictionaryPartIds(dictionary.data[0]!, c.ids);
    return [
      c.name,
      makeData({ type: new Dictionary(new Utf8(), new Int32()), length: rows, nullCount: c.nullCount, nullBitmap: c.validity ?? null, data: c.codes, dictionary }),
    ];
  });
  return recordBatch(columns, rows);
}
