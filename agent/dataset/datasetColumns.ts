import { DataType, TimeUnit, type Data, type Timestamp } from 'apache-arrow';
import { dictionaryColumn, numberColumn } from '../../storage/query/arrowBuild';
import { int64ToFloat64 } from '../../storage/block/int64Columns';

/**
 * A dataset's columns (in whatever Arrow types its writer chose: Int32 or Int64, any timestamp unit, plain or
 * dictionary strings) made into the store's in-memory types (storage/schema.ts): Float64 numbers, Uint32 lines,
 * dictionary labels. Data's values start at its row 0; only its validity bitmap is read from `offset`.
 */

/** 1 where the row is null, or undefined when none is. */
export function nullsOf(data: Data): Uint8Array | undefined {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0) return undefined;
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const bit = data.offset + i;
    if (((data.nullBitmap[bit >> 3]! >> (bit & 7)) & 1) === 0) out[i] = 1;
  }
  return out;
}

/**
 * Numbers of an integer, float or timestamp column as Float64, nulls as 0 (a writer leaves anything in a null's
 * slot); undefined for another type.
 */
export function numbersOf(data: Data): Float64Array | undefined {
  const values = data.values as unknown;
  if (!DataType.isInt(data.type) && !DataType.isFloat(data.type) && !DataType.isTimestamp(data.type)) return undefined;
  const out =
    values instanceof BigInt64Array
      ? int64ToFloat64(values, data.length)
      : values instanceof BigUint64Array
        ? Float64Array.from(values.subarray(0, data.length), Number)
        : Float64Array.from((values as ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }).subarray(0, data.length));
  const nulls = nullsOf(data);
  if (nulls) for (let i = 0; i < out.length; i++) if (nulls[i] === 1) out[i] = 0;
  return out;
}

const PER_MILLISECOND: Record<TimeUnit, number> = { [TimeUnit.SECOND]: 1 / 1000, [TimeUnit.MILLISECOND]: 1, [TimeUnit.MICROSECOND]: 1000, [TimeUnit.NANOSECOND]: 1_000_000 };

/** Milliseconds since the epoch, rounded as the store rounds them, from a timestamp of any unit or a number of milliseconds. */
export function millisecondsOf(data: Data): Float64Array | undefined {
  const numbers = numbersOf(data);
  if (numbers === undefined || !DataType.isTimestamp(data.type)) return numbers;
  const per = PER_MILLISECOND[(data.type as Timestamp).unit];
  if (per !== 1) for (let i = 0; i < numbers.length; i++) numbers[i] = Math.round(numbers[i]! / per);
  return numbers;
}

/** 64-bit ids (stack_id, frame_id) exactly, as BigInt64; undefined for a column that is not an integer one. */
export function idsOf(data: Data): BigInt64Array | undefined {
  if (!DataType.isInt(data.type)) return undefined;
  const values = data.values as unknown;
  if (values instanceof BigInt64Array) return values.subarray(0, data.length);
  if (values instanceof BigUint64Array) return new BigInt64Array(values.buffer, values.byteOffset, data.length);
  return BigInt64Array.from((values as ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }).subarray(0, data.length) as ArrayLike<number>, v => BigInt(v));
}

/** Strings of a Utf8, LargeUtf8 or dictionary column, row by row (null as undefined); undefined for another type. */
export function stringReader(data: Data): ((i: number) => string | undefined) | undefined {
  const nulls = nullsOf(data);
  if (DataType.isDictionary(data.type)) {
    const dictionary = data.dictionary!;
    const indices = data.values as ArrayLike<number | bigint>;
    const decoded: (string | undefined)[] = [];
    return i => {
      if (nulls?.[i] === 1) return undefined;
      const index = Number(indices[i]);
      return (decoded[index] ??= String(dictionary.get(index)));
    };
  }
  if (!DataType.isUtf8(data.type) && !DataType.isLargeUtf8(data.type)) return undefined;
  const offsets = data.valueOffsets as ArrayLike<number | bigint>;
  const bytes = data.values as Uint8Array;
  const decoder = new TextDecoder();
  return i => (nulls?.[i] === 1 ? undefined : decoder.decode(bytes.subarray(Number(offsets[i]), Number(offsets[i + 1]))));
}

/**
 * A label column in the store's in-memory form (dictionary of Utf8 with Int32 indices). Rows repeat their
 * neighbour's value most of the time (a run's labels), so a value equal to the row before is not decoded again.
 */
export function labelColumnOf(data: Data): Data | undefined {
  const read = stringReader(data);
  if (read === undefined) return undefined;
  const n = data.length;
  const strings: string[] = [];
  const index = new Map<string, number>();
  const indices = new Int32Array(n);
  const nulls = nullsOf(data);
  const plain = DataType.isUtf8(data.type) || DataType.isLargeUtf8(data.type);
  const offsets = data.valueOffsets as ArrayLike<number | bigint>;
  const bytes = data.values as Uint8Array;
  let previous = -1;
  for (let i = 0; i < n; i++) {
    if (nulls?.[i] === 1) continue;
    if (plain && previous >= 0 && nulls?.[previous] !== 1 && sameBytes(bytes, offsets, previous, i)) {
      indices[i] = indices[previous]!;
    } else {
      const value = read(i)!;
      let j = index.get(value);
      if (j === undefined) index.set(value, (j = strings.push(value) - 1));
      indices[i] = j;
    }
    previous = i;
  }
  return dictionaryColumn(strings, indices, nulls);
}

function sameBytes(bytes: Uint8Array, offsets: ArrayLike<number | bigint>, a: number, b: number): boolean {
  const aStart = Number(offsets[a]);
  const length = Number(offsets[a + 1]) - aStart;
  const bStart = Number(offsets[b]);
  if (Number(offsets[b + 1]) - bStart !== length) return false;
  for (let k = 0; k < length; k++) if (bytes[aStart + k] !== bytes[bStart + k]) return false;
  return true;
}

/** Lines as the store keeps them (Uint32, 0 unknown): negative or null lines are unknown. */
export function linesOf(data: Data): Data | undefined {
  const numbers = numbersOf(data);
  if (numbers === undefined) return undefined;
  const nulls = nullsOf(data);
  return numberColumn(Uint32Array.from(numbers, (v, i) => (nulls?.[i] === 1 || !(v > 0) ? 0 : Math.min(v, 0xffffffff))));
}
