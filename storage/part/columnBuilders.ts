import { setDictionaryPartIds } from '../block/dictionaryPartIds';
import { DataType, Dictionary, Float64, Int32, RecordBatch, Schema, Field, Struct, Uint32, Utf8, makeData, makeVector, type Data, type Vector } from 'apache-arrow';

/** A growable Float64 or Uint32 column. Views handed out stay valid: growing copies into a new buffer. */
export class NumberColumn<T extends Float64Array | Uint32Array> {
  constructor(public values: T) {}

  ensure(capacity: number): void {
    if (capacity <= this.values.length) return;
    const grown = new (this.values.constructor as new (n: number) => T)(Math.max(capacity, this.values.length * 2));
    grown.set(this.values);
    this.values = grown;
  }
}

/**
 * A growable dictionary-encoded string column: codes per row, a dictionary shared by the rows, and a validity
 * bitmap allocated only once a row lacks the value (most columns never need one).
 */
export class StringColumn {
  codes: Int32Array;
  validity: Uint8Array | undefined;
  readonly dictionary: string[] = [];
  private readonly ids = new Map<string, number>();
  /** Per part-wide label id (LabelInterner), its code here plus one (0: not in this column yet). */
  private byPart = new Int32Array(0);
  /** Per code, its part-wide id, when values come through codeOfPart (the flush sends them to the block worker). */
  private partIds: Int32Array | undefined;
  private dictionaryVector: Vector<Utf8> | undefined;
  private dictionaryVectorSize = -1;
  dictionaryBytes = 0;

  constructor(capacity: number, nullsBefore: number) {
    this.codes = new Int32Array(capacity);
    // A column added to a batch that already has rows is null for those rows.
    if (nullsBefore > 0) this.markNull(0, nullsBefore);
  }

  code(value: string): number {
    let code = this.ids.get(value);
    if (code === undefined) {
      code = this.dictionary.length;
      this.dictionary.push(value);
      this.ids.set(value, code);
      this.dictionaryBytes += 48 + value.length * 2;
    }
    return code;
  }

  /**
   * The code of a value known by its part-wide id: a typed-array lookup, the value added on first use. A column
   * takes its values either all through this or all through code(), never both.
   */
  codeOfPart(id: number, value: string): number {
    if (id >= this.byPart.length) {
      const grown = new Int32Array(Math.max(id + 1, this.byPart.length * 2, 64));
      grown.set(this.byPart);
      this.dictionaryBytes += 4 * (grown.length - this.byPart.length);
      this.byPart = grown;
    }
    const known = this.byPart[id]!;
    if (known > 0) return known - 1;
    const code = this.dictionary.length;
    this.dictionary.push(value);
    this.byPart[id] = code + 1;
    this.dictionaryBytes += 48 + value.length * 2;
    if (!this.partIds || code >= this.partIds.length) {
      const grown = new Int32Array(Math.max(code + 1, (this.partIds?.length ?? 0) * 2, 64));
      if (this.partIds) grown.set(this.partIds);
      this.dictionaryBytes += 4 * (grown.length - (this.partIds?.length ?? 0));
      this.partIds = grown;
    }
    this.partIds[code] = id;
    return code;
  }

  ensure(capacity: number): void {
    if (capacity > this.codes.length) {
      const grown = new Int32Array(Math.max(capacity, this.codes.length * 2));
      grown.set(this.codes);
      this.codes = grown;
    }
    if (this.validity && this.validity.length * 8 < capacity) {
      const grown = new Uint8Array(Math.ceil(this.codes.length / 8)).fill(0xff);
      grown.set(this.validity);
      this.validity = grown;
    }
  }

  markNull(from: number, to: number): void {
    if (!this.validity) this.validity = new Uint8Array(Math.ceil(Math.max(this.codes.length, to) / 8)).fill(0xff);
    for (let i = from; i < to; i++) this.validity[i >> 3]! &= ~(1 << (i & 7));
  }

  /** The column's first `length` rows as Arrow data (zero-copy for the codes). */
  toData(length: number): Data<Dictionary<Utf8, Int32>> {
    if (this.dictionaryVectorSize !== this.dictionary.length) {
      this.dictionaryVector = utf8Vector(this.dictionary);
      this.dictionaryVectorSize = this.dictionary.length;
      if (this.partIds) setDictionaryPartIds(this.dictionaryVector.data[0]!, this.partIds.subarray(0, this.dictionary.length));
    }
    return dictionaryColumnData(this.codes, this.validity, length, this.dictionaryVector!);
  }
}

/**
 * Strings as an Arrow Utf8 vector, each encoded straight into one buffer. Arrow's own builder (vectorFromArray)
 * goes through a generic value-by-value path that cost about a second per ten million rows of a 10,000-value label
 * when a flush built its batches' dictionaries (issue 20). ASCII strings, nearly every label value, are copied in
 * JavaScript, the others encoded by Buffer; strings are encoded one by one, not joined first, since joining could
 * pair a lone surrogate at the end of one with one at the start of the next.
 */
export function utf8Vector(strings: readonly string[]): Vector<Utf8> {
  const offsets = new Int32Array(strings.length + 1);
  let total = 0;
  for (let i = 0; i < strings.length; i++) {
    const value = strings[i]!;
    total += isAscii(value) ? value.length : Buffer.byteLength(value, 'utf8');
    offsets[i + 1] = total;
  }
  const bytes = Buffer.allocUnsafe(total);
  for (let i = 0; i < strings.length; i++) {
    const value = strings[i]!;
    const at = offsets[i]!;
    // Only an ASCII string has as many UTF-8 bytes as UTF-16 units.
    if (offsets[i + 1]! - at === value.length) {
      for (let j = 0; j < value.length; j++) bytes[at + j] = value.charCodeAt(j);
    } else {
      bytes.write(value, at, 'utf8');
    }
  }
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset, total);
  return makeVector(makeData({ type: new Utf8(), length: strings.length, nullCount: 0, valueOffsets: offsets, data }));
}

function isAscii(value: string): boolean {
  for (let j = 0; j < value.length; j++) if (value.charCodeAt(j) > 0x7f) return false;
  return true;
}

/**
 * Assembles named Arrow data columns of equal length into a record batch. Dictionary columns read by separate
 * Parquet reads all carry dictionary id 0 and a schema needs them distinct, so colliding ones get fresh ids.
 */
export function recordBatch(columns: [string, Data][], length: number): RecordBatch {
  // A fresh id comes from Arrow's process-wide counter, which starts at 0 like the ids of Parquet reads: it must
  // also differ from every id the other columns keep.
  const taken = new Set(columns.flatMap(([, data]) => (DataType.isDictionary(data.type) ? [(data.type as Dictionary).id] : [])));
  const ids = new Set<number>();
  columns = columns.map(([name, data]) => {
    if (!DataType.isDictionary(data.type)) return [name, data];
    const type = data.type as Dictionary;
    if (!ids.has(type.id)) {
      ids.add(type.id);
      return [name, data];
    }
    let renamed = new Dictionary(type.dictionary, type.indices, null, type.isOrdered);
    while (taken.has(renamed.id)) renamed = new Dictionary(type.dictionary, type.indices, null, type.isOrdered);
    taken.add(renamed.id);
    ids.add(renamed.id);
    return [name, data.clone(renamed)];
  });
  const fields = columns.map(([name, data]) => new Field(name, data.type, true));
  const schema = new Schema(fields);
  const struct = makeData({ type: new Struct(fields), length, nullCount: 0, children: columns.map(([, data]) => data) });
  return new RecordBatch(schema, struct);
}

export function float64Data(values: Float64Array, length: number): Data<Float64> {
  return makeData({ type: new Float64(), length, nullCount: 0, data: values.subarray(0, length) });
}

export function uint32Data(values: Uint32Array, length: number): Data<Uint32> {
  return makeData({ type: new Uint32(), length, nullCount: 0, data: values.subarray(0, length) });
}

/** A dictionary-encoded string column's first `length` rows as Arrow data: the codes, and nulls where `validity` is 0. */
export function dictionaryColumnData(codes: Int32Array, validity: Uint8Array | undefined, length: number, dictionary: Vector<Utf8>): Data<Dictionary<Utf8, Int32>> {
  let nullCount = 0;
  if (validity) for (let i = 0; i < length; i++) if (!(validity[i >> 3]! & (1 << (i & 7)))) nullCount++;
  return makeData({
    type: new Dictionary(new Utf8(), new Int32()),
    length,
    nullCount,
    nullBitmap: nullCount > 0 ? validity!.subarray(0, Math.ceil(length / 8)) : null,
    data: codes.subarray(0, length),
    dictionary,
  });
}
