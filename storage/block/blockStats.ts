import { DataType, type Data, type RecordBatch } from 'apache-arrow';
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

function stringStats(data: Data): ColumnStats {
  const codes = data.values as Int32Array;
  const dictionary = data.dictionary!;
  const used = new Uint8Array(dictionary.length);
  const validity = data.nullCount > 0 ? data.nullBitmap : undefined;
  let nullCount = 0;
  for (let i = 0; i < data.length; i++) {
    if (validity && !(validity[(data.offset + i) >> 3]! & (1 << ((data.offset + i) & 7)))) {
      nullCount++;
      continue;
    }
    used[codes[i]!] = 1;
  }
  const values: string[] = [];
  for (let code = 0; code < used.length; code++) if (used[code]) values.push(dictionary.get(code) as string);
  if (values.length === 0) return { nullCount };
  values.sort(compareStrings);
  const stats: ColumnStats = { min: values[0]!, max: values[values.length - 1]!, nullCount };
  if (values.length <= DISTINCT_LIMIT) stats.distinct = values;
  return stats;
}

/** Code-unit order, the order in which min/max are compared everywhere in the store. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
