import { DataType, type Data, type RecordBatch, type Vector } from 'apache-arrow';

/**
 * Raw access to one column of a record batch, the way every vectorised operator reads it: the typed array of
 * values (or of dictionary indices), the validity bitmap and the offset into it. Going through `Data` rather
 * than `Vector.get(i)` is what makes the loops fast: no per-row dispatch, no boxing.
 *
 * A column missing from a batch is 'absent' (every row null), which is how the store represents a label that
 * appeared only in later writes.
 */
export type ColumnData = AbsentColumn | DictionaryColumn | NumberColumn;

export interface AbsentColumn {
  readonly kind: 'absent';
}

export interface DictionaryColumn {
  readonly kind: 'dictionary';
  /** Dictionary index per row (already offset: row i is indices[i]). */
  readonly indices: Int32Array;
  readonly dictionary: Vector;
  /** Validity bitmap, or null when the column has no nulls; bit (offset + i) is row i. */
  readonly validity: Uint8Array | null;
  readonly offset: number;
}

export interface NumberColumn {
  readonly kind: 'number';
  readonly values: Float64Array | Uint32Array | Int32Array | Float32Array | Uint16Array | Int16Array | Uint8Array | Int8Array;
  readonly validity: Uint8Array | null;
  readonly offset: number;
}

const ABSENT: AbsentColumn = Object.freeze({ kind: 'absent' });

export function columnData(batch: RecordBatch, name: string): ColumnData {
  const index = batch.schema.fields.findIndex(f => f.name === name);
  if (index < 0) return ABSENT;
  const data = batch.data.children[index] as Data;
  return dataColumn(data, name);
}

export function dataColumn(data: Data, name: string): ColumnData {
  const validity = data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0 ? data.nullBitmap : null;
  if (DataType.isDictionary(data.type)) {
    if (!data.dictionary) throw new Error(`column ${name} is a dictionary column without a dictionary`);
    if (!(data.values instanceof Int32Array)) throw new Error(`column ${name} must have Int32 dictionary indices`);
    return { kind: 'dictionary', indices: data.values, dictionary: data.dictionary, validity, offset: data.offset };
  }
  if (DataType.isFloat(data.type) || DataType.isInt(data.type)) {
    const values = data.values as unknown;
    if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
      throw new Error(`column ${name} is a 64-bit integer column; the in-memory schema uses Float64 (storage/schema.ts)`);
    }
    return { kind: 'number', values: values as NumberColumn['values'], validity, offset: data.offset };
  }
  throw new Error(`column ${name} has type ${String(data.type)}, which queries cannot read (see storage/schema.ts)`);
}

/** Whether row i is valid (non-null) in a bitmap starting at `offset`. */
export function isValid(validity: Uint8Array, offset: number, i: number): boolean {
  const bit = offset + i;
  return ((validity[bit >> 3]! >> (bit & 7)) & 1) === 1;
}

/** What a dictionary is keyed by in caches: its single chunk when it has one, so a re-wrapped vector still hits. */
export function dictionaryKey(dictionary: Vector): object {
  return dictionary.data.length === 1 ? dictionary.data[0]! : dictionary;
}

const stringCache = new WeakMap<object, string[]>();

/**
 * The strings of a dictionary, decoded once per dictionary and cached. A dictionary that grew since it was
 * cached (the store may append to a part's dictionary) is extended rather than decoded again.
 */
export function dictionaryStrings(dictionary: Vector): string[] {
  const key = dictionaryKey(dictionary);
  let strings = stringCache.get(key);
  if (strings === undefined) {
    strings = [];
    stringCache.set(key, strings);
  }
  const length = dictionary.length;
  for (let j = strings.length; j < length; j++) {
    const value = dictionary.get(j) as string | null;
    strings.push(value ?? '');
  }
  return strings;
}
