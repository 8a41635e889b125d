import { DataType, type Data, type RecordBatch } from 'apache-arrow';
import { compareUtf8, decodeUtf8, utf8Chunks } from '../query/utf8Order';
import { DISTINCT_LIMIT, type BlockStats, type ColumnStats } from '../schema';

/** Min/max statistics of every column of an in-memory batch (numbers from the typed arrays, strings from the used dictionary entries). */
export function statsOfBatch(batch: RecordBatch): BlockStats {
  const columns: Record<string, ColumnStats> = {};
  for (const field of batch.schema.fields) columns[field.name] = statsOfColumn(batch.getChild(field.name)!.data[0]!);
  return { rows: batch.numRows, columns };
}

/**
 * Statistics of one column's data (one chunk of a batch). Arrow slices its value buffers but not its validity
 * bitmaps: values are indexed from 0, validity bits from `data.offset`.
 */
export function statsOfColumn(data: Data): ColumnStats {
  return DataType.isDictionary(data.type) ? stringStats(data) : numberStats(data.values as Float64Array | Uint32Array, data.length);
}

function numberStats(values: Float64Array | Uint32Array, length: number): ColumnStats {
  if (length === 0) return { nullCount: 0 };
  let min = values[0]!;
  let max = min;
  for (let i = 1; i < length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  return { min, max, nullCount: 0 };
}

/**
 * A dictionary column's statistics from the dictionary entries its rows use. Min and max are found by comparing
 * UTF-8 bytes in JavaScript's string order, so that a slice of 64K distinct values (a request id per row) costs no
 * decoding and no sort; only min, max and a short distinct list are decoded.
 */
function stringStats(data: Data): ColumnStats {
  const codes = data.values as Int32Array;
  const dictionary = data.dictionary!;
  const used = new Uint8Array(dictionary.length);
  const validity = data.nullCount > 0 ? data.nullBitmap : undefined;
  const { length, offset } = data;
  let nullCount = 0;
  if (validity === undefined) {
    for (let i = 0; i < length; i++) used[codes[i]!] = 1;
  } else {
    for (let i = 0; i < length; i++) {
      if (!(validity[(offset + i) >> 3]! & (1 << ((offset + i) & 7)))) nullCount++;
      else used[codes[i]!] = 1;
    }
  }
  let count = 0;
  // The smallest and largest used entries so far, as their bytes (the chunk's buffer) and where they start and end.
  let minBytes: Uint8Array | undefined;
  let minStart = 0;
  let minEnd = 0;
  let maxBytes: Uint8Array | undefined;
  let maxStart = 0;
  let maxEnd = 0;
  for (const chunk of utf8Chunks(dictionary)) {
    const { first, offsets, bytes } = chunk;
    for (let j = 0; j < chunk.length; j++) {
      if (used[first + j] === 0) continue;
      count++;
      const start = offsets[j]!;
      const end = offsets[j + 1]!;
      if (minBytes === undefined || compareUtf8(bytes, start, end, minBytes, minStart, minEnd) < 0) {
        minBytes = bytes;
        minStart = start;
        minEnd = end;
      }
      if (maxBytes === undefined || compareUtf8(bytes, start, end, maxBytes, maxStart, maxEnd) > 0) {
        maxBytes = bytes;
        maxStart = start;
        maxEnd = end;
      }
    }
  }
  if (minBytes === undefined || maxBytes === undefined) return { nullCount };
  const stats: ColumnStats = { min: decodeUtf8(minBytes, minStart, minEnd), max: decodeUtf8(maxBytes, maxStart, maxEnd), nullCount };
  if (count <= DISTINCT_LIMIT) {
    const values: string[] = [];
    for (let code = 0; code < used.length; code++) if (used[code]) values.push(dictionary.get(code) as string);
    stats.distinct = values.sort(compareStrings);
  }
  return stats;
}

/** Code-unit order, the order in which min/max are compared everywhere in the store. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
