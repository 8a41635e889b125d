import { DataType, type Data, type RecordBatch, type Vector } from 'apache-arrow';
import { float64Data, recordBatch, StringColumn, uint32Data } from '../part/columnBuilders';
import { columnOrder, staticColumn } from '../schema';
import { ByteDictionaryColumn, concatByPartIds } from './mergeByPartIds';
import { zeroedArray, type ScratchBuffers } from './scratchBuffers';

/** A string column of the new block, merged by part-wide id (mergeByPartIds.ts) or by string. */
type MergedStrings = StringColumn | ByteDictionaryColumn;

function sizeOf(column: MergedStrings): number {
  return column instanceof StringColumn ? column.dictionary.length : column.size;
}

/** Only columns with at most this many distinct values in a block take part in its sort order. */
const SORT_CARDINALITY_LIMIT = 1024;

/**
 * The rows of a new block, gathered from several batches (their label columns and dictionaries may differ) into
 * one batch with one dictionary per column, then sorted: by profile type and by every label column with few
 * distinct values, fewest first, keeping arrival (time) order within equal keys.
 *
 * Sorting is what lets a label filter skip most of a block: consecutive rows share their low-cardinality labels,
 * so each slice of the block the scan reads holds one or two values of such a label, and slices that cannot match
 * are skipped by their statistics. High-cardinality labels stay out of the key so that timestamps remain mostly
 * increasing within a block and keep compressing to about a byte.
 *
 * With `scratch` (the block worker's), the block's row-sized arrays are that thread's reused buffers: the batch is
 * valid only until the next call with the same scratch, which is all a block write needs (statistics, encoding).
 */
export function mergeAndSortRows(batches: RecordBatch[], scratch?: ScratchBuffers): RecordBatch {
  const length = batches.reduce((sum, b) => sum + b.numRows, 0);
  const names = columnOrder(batches.flatMap(b => b.schema.fields.map(f => f.name)));
  const strings = new Map<string, MergedStrings>();
  for (const name of names) {
    if ((staticColumn(name)?.type ?? 'string') === 'string') strings.set(name, concatByPartIds(batches, name, length, scratch) ?? concatStrings(batches, name, length));
  }
  // Every string column (the profile type, the labels) may take part in the sort order.
  const destination = sortDestinations(length, names.filter(n => strings.has(n)).map(n => strings.get(n)!), scratch);
  const columns: [string, Data][] = names.map(name => {
    // Label columns are strings; static ones are typed by the schema.
    const type = staticColumn(name)?.type ?? 'string';
    if (type === 'uint32') return [name, uint32Data(scatterNumbers(batches, name, destination, zeroedArray(scratch, `rows:${name}`, Uint32Array, length)), length)];
    if (type === 'float64') return [name, float64Data(scatterNumbers(batches, name, destination, zeroedArray(scratch, `rows:${name}`, Float64Array, length)), length)];
    const column = strings.get(name)!;
    return [name, permuteStrings(column, destination, length, zeroedArray(scratch, `rows:${name}`, Int32Array, length)).toData(length)];
  });
  return recordBatch(columns, length);
}

/**
 * A numeric column of every batch written straight to its sorted rows: each row is read once, in order, and written
 * to its destination (a scatter), which costs about half of concatenating and then gathering in sorted order, whose
 * reads jump about the column. A constant column (a profile's period) is a fill.
 */
function scatterNumbers<T extends Float64Array | Uint32Array>(batches: RecordBatch[], name: string, destination: Uint32Array, out: T): T {
  const constant = constantOf(batches, name);
  if (constant !== undefined) return out.fill(constant) as T;
  let offset = 0;
  for (const batch of batches) {
    const data = batch.getChild(name)?.data[0];
    // Arrow slices value buffers (index from 0) but not validity bitmaps (index from data.offset).
    if (data) {
      if (out instanceof Float64Array) scatterFloat64(data.values as Float64Array, destination, offset, data.length, out);
      else scatterUint32(data.values as Uint32Array, destination, offset, data.length, out as Uint32Array);
    }
    offset += batch.numRows;
  }
  return out;
}

/** The value every row of every batch holds in a numeric column, or undefined if they differ (or a batch lacks it). */
function constantOf(batches: RecordBatch[], name: string): number | undefined {
  let first: number | undefined;
  for (const batch of batches) {
    const data = batch.getChild(name)?.data[0];
    if (!data) return undefined;
    const values = data.values as Float64Array | Uint32Array;
    first ??= values[0];
    for (let i = 0; i < data.length; i++) if (values[i] !== first) return undefined;
  }
  return first;
}

// One scatter per array type: a single generic one is megamorphic in V8 and ran 5× slower.
function scatterFloat64(values: Float64Array, destination: Uint32Array, offset: number, n: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) out[destination[offset + i]!] = values[i]!;
}

function scatterUint32(values: Uint32Array, destination: Uint32Array, offset: number, n: number, out: Uint32Array): void {
  for (let i = 0; i < n; i++) out[destination[offset + i]!] = values[i]!;
}

/** Concatenates a string column, translating each batch's dictionary into one shared dictionary. */
function concatStrings(batches: RecordBatch[], name: string, length: number): StringColumn {
  const column = new StringColumn(length, 0);
  let offset = 0;
  for (const batch of batches) {
    const n = batch.numRows;
    const data = batch.getChild(name)?.data[0];
    if (!data || !DataType.isDictionary(data.type)) {
      column.markNull(offset, offset + n);
      offset += n;
      continue;
    }
    const strings = dictionaryStrings(data.dictionary!);
    const translate = new Int32Array(strings.length);
    for (let code = 0; code < strings.length; code++) translate[code] = column.code(strings[code]!);
    const codes = data.values as Int32Array;
    const validity = data.nullCount > 0 ? data.nullBitmap : undefined;
    for (let i = 0; i < n; i++) {
      const at = data.offset + i;
      if (validity && !(validity[at >> 3]! & (1 << (at & 7)))) {
        column.codes[offset + i] = 0;
        column.markNull(offset + i, offset + i + 1);
      } else {
        column.codes[offset + i] = translate[codes[i]!]!;
      }
    }
    offset += n;
  }
  return column;
}

/**
 * A batch dictionary's strings. When they are all ASCII (nearly every label value) they are decoded in one go and
 * cut by their offsets; Arrow's per-value get (a UTF-8 decode each) cost about as much as the map lookups that
 * follow (issue 20). Otherwise value by value.
 */
function dictionaryStrings(dictionary: Vector): string[] {
  const chunks = dictionary.data;
  const data = chunks[0];
  if (chunks.length === 1 && data && DataType.isUtf8(data.type)) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    const start = offsets[data.offset]!;
    const end = offsets[data.offset + data.length]!;
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (bytes[i]! > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      const all = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
      const strings = new Array<string>(data.length);
      for (let k = 0; k < data.length; k++) strings[k] = all.slice(offsets[data.offset + k]! - start, offsets[data.offset + k + 1]! - start);
      return strings;
    }
  }
  return Array.from({ length: dictionary.length }, (_, i) => dictionary.get(i) as string);
}

/** Key spaces up to this size are sorted by counting (10 ms per million rows) instead of comparison (100 ms). */
const COUNTING_SORT_KEYS = 1 << 20;

/**
 * Where each row goes in the sorted block (the inverse of the row order): a composite key of the sort columns' value
 * ranks (nulls first), stable so that arrival (time) order is kept within equal keys. Small key spaces use a counting
 * sort; larger ones put the row index in the low bits of a Float64 key and use the native numeric sort.
 */
function sortDestinations(length: number, candidates: MergedStrings[], scratch: ScratchBuffers | undefined): Uint32Array {
  const indexBits = Math.max(1, Math.ceil(Math.log2(length + 1)));
  const keyLimit = 2 ** (52 - indexBits);
  const sortColumns = candidates
    .filter(c => sizeOf(c) <= SORT_CARDINALITY_LIMIT)
    .sort((a, b) => sizeOf(a) - sizeOf(b));
  const keys = zeroedArray(scratch, 'sortKeys', Float64Array, length);
  let span = 1;
  for (const column of sortColumns) {
    const radix = sizeOf(column) + 1;
    if (span * radix >= keyLimit) break;
    const rank = dictionaryRanks(column instanceof StringColumn ? column.dictionary : column.strings());
    const codes = column.codes;
    const validity = column.validity;
    for (let i = 0; i < length; i++) {
      const isNull = validity !== undefined && !(validity[i >> 3]! & (1 << (i & 7)));
      keys[i] = keys[i]! * radix + (isNull ? 0 : rank[codes[i]!]! + 1);
    }
    span *= radix;
  }
  const destination = zeroedArray(scratch, 'destination', Uint32Array, length);
  if (span <= COUNTING_SORT_KEYS) {
    const starts = new Uint32Array(span + 1);
    for (let i = 0; i < length; i++) starts[keys[i]! + 1]!++;
    for (let k = 1; k <= span; k++) starts[k]! += starts[k - 1]!;
    for (let i = 0; i < length; i++) destination[i] = starts[keys[i]!]!++;
    return destination;
  }
  const scale = 2 ** indexBits;
  for (let i = 0; i < length; i++) keys[i] = keys[i]! * scale + i;
  keys.sort();
  for (let i = 0; i < length; i++) destination[keys[i]! % scale] = i;
  return destination;
}

function dictionaryRanks(dictionary: readonly string[]): Int32Array {
  const byValue = dictionary.map((value, code) => [value, code] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const rank = new Int32Array(dictionary.length);
  byValue.forEach(([, code], r) => (rank[code] = r));
  return rank;
}

function scatterInt32(values: Int32Array, destination: Uint32Array, length: number, out: Int32Array): Int32Array {
  const first = values[0]!;
  let constant = true;
  for (let i = 1; i < length && constant; i++) constant = values[i] === first;
  if (constant) return out.fill(first);
  for (let i = 0; i < length; i++) out[destination[i]!] = values[i]!;
  return out;
}

function permuteStrings(column: MergedStrings, destination: Uint32Array, length: number, out: Int32Array): MergedStrings {
  const source = column.validity;
  column.codes = scatterInt32(column.codes, destination, length, out);
  if (source) {
    column.validity = new Uint8Array(Math.ceil(length / 8)).fill(0xff);
    for (let i = 0; i < length; i++) {
      if (source[i >> 3]! & (1 << (i & 7))) continue;
      const to = destination[i]!;
      column.validity[to >> 3]! &= ~(1 << (to & 7));
    }
  }
  return column;
}
