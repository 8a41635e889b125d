import {
  DataType,
  Field,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  makeData,
  makeVector,
  vectorFromArray,
  type Vector,
  type Data,
} from 'apache-arrow';
import { isLabelColumn, numberColumnType, stackIdType, stringColumnType } from '../schema';

/**
 * Building Arrow data from typed arrays without per-row Arrow calls: operators compute plain typed arrays and
 * wrap them here. Everything is built with `makeData` and the RecordBatch(schema, data) constructor, never
 * with RecordBatch.slice, which in apache-arrow 21.2.0 returns struct children as Vectors and then throws.
 */

/** A column of `length` nulls: a label (dictionary) column or a Float64 one, whichever the name implies. */
export function nullColumn(name: string, length: number, like?: DataType): Data {
  const type = like ?? (isLabelColumn(name) ? stringColumnType() : numberColumnType());
  const nullBitmap = new Uint8Array((length + 7) >> 3);
  if (DataType.isDictionary(type)) {
    return makeData({ type, length, nullCount: length, nullBitmap, data: new Int32Array(length), dictionary: vectorFromArray([], new Utf8()) });
  }
  if (DataType.isFloat(type) || DataType.isInt(type)) {
    const ArrayType = (type as DataType).ArrayType as new (n: number) => ArrayLike<number>;
    return makeData({ type: type as never, length, nullCount: length, nullBitmap, data: new ArrayType(length) as never });
  }
  throw new Error(`cannot build a null column of type ${String(type)}`);
}

/** The rows of a fixed-width or dictionary column at the given indices, keeping the dictionary. */
export function gather(data: Data, rows: Uint32Array): Data {
  const n = rows.length;
  const values = data.values as ArrayLike<number> & { constructor: new (n: number) => Float64Array };
  const out = new values.constructor(n);
  for (let j = 0; j < n; j++) out[j] = values[rows[j]!]!;
  let nullBitmap: Uint8Array | undefined;
  let nullCount = 0;
  if (data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0) {
    const src = data.nullBitmap;
    const offset = data.offset;
    nullBitmap = new Uint8Array((n + 7) >> 3);
    for (let j = 0; j < n; j++) {
      const bit = offset + rows[j]!;
      if ((src[bit >> 3]! >> (bit & 7)) & 1) nullBitmap[j >> 3]! |= 1 << (j & 7);
      else nullCount++;
    }
  }
  if (DataType.isDictionary(data.type)) {
    return makeData({ type: data.type, length: n, nullCount, nullBitmap, data: out as unknown as Int32Array, dictionary: data.dictionary });
  }
  return makeData({ type: data.type as never, length: n, nullCount, nullBitmap, data: out as never });
}

/** A dictionary column whose row i is `strings[indices[i]]`, null where `nulls[i]` is 1. */
export function dictionaryColumn(strings: readonly string[], indices: Int32Array, nulls?: Uint8Array): Data {
  const length = indices.length;
  let nullBitmap: Uint8Array | undefined;
  let nullCount = 0;
  if (nulls) {
    nullBitmap = new Uint8Array((length + 7) >> 3);
    for (let i = 0; i < length; i++) {
      if (nulls[i] === 1) nullCount++;
      else nullBitmap[i >> 3]! |= 1 << (i & 7);
    }
  }
  return makeData({
    type: stringColumnType(),
    length,
    nullCount,
    nullBitmap: nullCount > 0 ? nullBitmap : undefined,
    data: indices,
    dictionary: utf8Vector(strings),
  });
}

const encoder = new TextEncoder();

/**
 * A Utf8 vector of `strings`, encoded into one buffer with TextEncoder: Arrow's builder (vectorFromArray) takes
 * about a second for the 200,000 distinct values of a label with a value per request, all of it without a pause.
 */
function utf8Vector(strings: readonly string[]): Vector<Utf8> {
  const offsets = new Int32Array(strings.length + 1);
  let bytes = new Uint8Array(Math.max(64, strings.length * 16));
  let at = 0;
  for (let i = 0; i < strings.length; i++) {
    const text = strings[i]!;
    // UTF-16 to UTF-8 takes at most three bytes per code unit.
    if (bytes.length - at < text.length * 3) {
      const grown = new Uint8Array(Math.max(bytes.length * 2, at + text.length * 3));
      grown.set(bytes.subarray(0, at));
      bytes = grown;
    }
    at += encoder.encodeInto(text, bytes.subarray(at)).written;
    offsets[i + 1] = at;
  }
  return makeVector(makeData({ type: new Utf8(), length: strings.length, nullCount: 0, valueOffsets: offsets, data: bytes.subarray(0, at) }));
}

/** A numeric column over `values` (Float64 or Uint32 by the array), null where `nulls[i]` is 1. */
export function numberColumn(values: Float64Array | Uint32Array, nulls?: Uint8Array): Data {
  const length = values.length;
  let nullBitmap: Uint8Array | undefined;
  let nullCount = 0;
  if (nulls) {
    nullBitmap = new Uint8Array((length + 7) >> 3);
    for (let i = 0; i < length; i++) {
      if (nulls[i] === 1) nullCount++;
      else nullBitmap[i >> 3]! |= 1 << (i & 7);
    }
  }
  const type = values instanceof Uint32Array ? stackIdType() : numberColumnType();
  return makeData({ type: type as never, length, nullCount, nullBitmap: nullCount > 0 ? nullBitmap : undefined, data: values as never });
}

/** A record batch of the given columns, which must all have `length` rows. */
export function makeBatch(names: readonly string[], columns: readonly Data[], length: number): RecordBatch {
  const fields = names.map((name, i) => new Field(name, columns[i]!.type, true));
  const schema = new Schema(fields);
  return new RecordBatch(schema, makeData({ type: new Struct(fields), length, nullCount: 0, children: columns as Data[] }));
}

/**
 * A table over batches that may disagree on which columns they have (a label first written after an earlier
 * batch): every batch is rebuilt with `names` in order, absent columns filled with nulls of the type another
 * batch uses.
 */
export function unifiedTable(names: readonly string[], batches: readonly RecordBatch[]): Table {
  const types = new Map<string, DataType>();
  for (const batch of batches) {
    for (const field of batch.schema.fields) if (!types.has(field.name)) types.set(field.name, field.type);
  }
  const fields = names.map(name => new Field(name, types.get(name) ?? nullColumn(name, 0).type, true));
  const schema = new Schema(fields);
  if (batches.length === 0) return new Table(schema);
  const rebuilt = batches.map(batch => {
    const children = names.map((name, i) => {
      const index = batch.schema.fields.findIndex(f => f.name === name);
      const data = index < 0 ? nullColumn(name, batch.numRows, fields[i]!.type) : (batch.data.children[index] as Data);
      // Dictionary types carry an id; giving every chunk the schema's type lets one Vector span the batches.
      return data.type === fields[i]!.type ? data : data.clone(fields[i]!.type);
    });
    return new RecordBatch(schema, makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children }));
  });
  return new Table(schema, rebuilt);
}
