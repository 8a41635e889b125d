import type { RecordBatch } from 'apache-arrow';
import { LABEL_KEY_PATTERN, labelColumn, type BlockStats } from '../schema';
import { isValid, columnData } from './columnData';
import { formatPredicate, predicateColumns, type Predicate } from './expression';
import { compilePredicate, type CompiledPredicate } from './predicateEval';
import { mayMatch } from './pruning';
import type { ScanPart, ScanSource } from './scanSource';
import { selectionPredicate, type Selection } from './selection';
import { SmallestDistinct } from './smallestDistinct';
import { compareUtf8, decodeUtf8, encodeUtf8, hasBytePrefix, utf8Chunks } from './utf8Order';
import { yieldIfSliceSpent } from './yieldSlice';

export interface LabelValuesOptions {
  selection?: Selection;
  /** Only values starting with this (case-sensitive, as typed into a completion box). */
  prefix?: string;
  /** At most this many values (a positive integer). */
  limit: number;
}

export interface LabelValuePage {
  /** The first values in sorted order (JavaScript's `<`). */
  values: string[];
  /** Whether more values than `limit` exist. */
  truncated: boolean;
}

/** What is kept per block: its first values for one query, and whether they are all the block has. */
interface PartValues {
  values: string[];
  complete: boolean;
}

/**
 * The first `limit` distinct values of one label among the selected rows, sorted, and whether there are more:
 * what completion shows, answered without computing every distinct value of a label that may have a million.
 *
 * Each block's first `limit + 1` values are found by one pass over its dictionary codes that keeps only the smallest
 * values seen (smallestDistinct.ts), comparing UTF-8 bytes so that most values are never decoded, and skipping
 * slices whose smallest value cannot get in. Blocks never change, so that answer is kept per block (in the source's
 * `partResults`) and the next call with the same selection and prefix reads no rows of it; rows in memory are read
 * every time. The first `limit + 1` of the union of the parts' first `limit + 1` are the answer's.
 */
export async function firstLabelValues(source: ScanSource, key: string, options: LabelValuesOptions): Promise<LabelValuePage> {
  if (!LABEL_KEY_PATTERN.test(key)) throw new Error(`invalid label name ${JSON.stringify(key)}`);
  const { limit, prefix = '' } = options;
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`limit must be a positive integer, not ${limit}`);
  const column = labelColumn(key);
  const names = new Set(source.columnNames());
  if (!names.has(column)) return { values: [], truncated: false };
  const predicate = options.selection === undefined ? undefined : selectionPredicate(options.selection);
  const reader = new ValueReader(column, predicate, prefix, [...new Set([column, ...(predicate ? predicateColumns(predicate) : [])])].filter(c => names.has(c)));
  const capacity = limit + 1;
  const merged = new SmallestDistinct(capacity);
  const cache = source.partResults;
  const queryKey = `labelValues\u0000${column}\u0000${predicate ? formatPredicate(predicate) : ''}\u0000${prefix}`;
  const whole: ScanPart = { key: undefined, scan: request => source.scan(request), unreadable: false };
  for (const part of source.parts?.() ?? [whole]) {
    if (part.key === undefined || cache === undefined) {
      // Nothing is kept for rows in memory, which grow. They are not pruned either: their statistics are computed on
      // first use, over every column, which costs more than reading their one batch. Anything else is pruned by the
      // answer's own bar as it falls.
      await reader.read(source, part, merged, part.key !== undefined || part === whole);
      continue;
    }
    let found = cache.get(part.key, queryKey) as PartValues | undefined;
    if (found === undefined || (!found.complete && found.values.length < capacity)) {
      const own = new SmallestDistinct(capacity);
      await reader.read(source, part, own, true);
      found = { values: own.sorted(), complete: !own.full };
      if (!part.unreadable) cache.set(part.key, queryKey, found, bytesOf(found.values));
    }
    for (const value of found.values) merged.offer(value);
  }
  const sorted = merged.sorted();
  return { values: sorted.slice(0, limit), truncated: sorted.length > limit };
}

/** Reads the values of one column among the selected rows with one prefix into an accumulator. */
class ValueReader {
  private readonly selected: CompiledPredicate | undefined;
  private readonly prefixUtf8: Uint8Array;

  constructor(
    private readonly column: string,
    private readonly predicate: Predicate | undefined,
    private readonly prefix: string,
    private readonly columns: string[],
  ) {
    this.selected = predicate === undefined ? undefined : compilePredicate(predicate);
    this.prefixUtf8 = encodeUtf8(wellFormedHead(prefix));
  }

  /** Reads `part` of `source` (the query's snapshot: its slices of the thread are counted per snapshot). */
  async read(source: ScanSource, part: ScanPart, into: SmallestDistinct, prune: boolean): Promise<void> {
    const mayMatch = prune ? (stats: BlockStats): boolean => this.mayHold(stats, into) : undefined;
    for await (const batch of part.scan({ columns: this.columns, ...(mayMatch ? { mayMatch } : {}) })) {
      // As every scan does: other requests get the thread between batches once this one has held it for a slice.
      const pause = yieldIfSliceSpent(source);
      if (pause) await pause;
      this.readBatch(batch, into);
    }
  }

  /** Whether a block or slice with these statistics may hold a value that would get into `into`. */
  private mayHold(stats: BlockStats, into: SmallestDistinct): boolean {
    const column = stats.columns[this.column];
    if (column === undefined || column.nullCount >= stats.rows) return false;
    if (this.predicate !== undefined && !mayMatch(this.predicate, stats)) return false;
    const { min, max } = column;
    if (typeof min !== 'string' || typeof max !== 'string') return true;
    // Values starting with the prefix are the strings from the prefix up to the first one past them.
    if (max < this.prefix || (min > this.prefix && !min.startsWith(this.prefix))) return false;
    const bar = into.bar;
    return bar === undefined || min < bar;
  }

  private readBatch(batch: RecordBatch, into: SmallestDistinct): void {
    const data = columnData(batch, this.column);
    if (data.kind !== 'dictionary') return;
    const rows = this.selected === undefined ? null : this.selected.select(batch, null);
    if (rows !== null && rows.length === 0) return;
    const { indices, validity, offset, dictionary } = data;
    // Which dictionary entries the selected rows use, so that each distinct value is looked at once.
    const used = new Uint8Array(dictionary.length);
    if (rows === null) {
      const n = batch.numRows;
      if (validity === null) for (let i = 0; i < n; i++) used[indices[i]!] = 1;
      else for (let i = 0; i < n; i++) if (isValid(validity, offset, i)) used[indices[i]!] = 1;
    } else {
      if (validity === null) for (let k = 0; k < rows.length; k++) used[indices[rows[k]!]!] = 1;
      else for (let k = 0; k < rows.length; k++) if (isValid(validity, offset, rows[k]!)) used[indices[rows[k]!]!] = 1;
    }
    const prefix = this.prefixUtf8;
    for (const chunk of utf8Chunks(dictionary)) {
      const { first, offsets, bytes } = chunk;
      for (let j = 0; j < chunk.length; j++) {
        if (used[first + j] === 0) continue;
        if (chunk.validity !== null && !isValid(chunk.validity, chunk.offset, j)) continue;
        const start = offsets[j]!;
        const end = offsets[j + 1]!;
        if (prefix.length > 0 && !hasBytePrefix(bytes, start, end, prefix)) continue;
        const bar = into.barUtf8;
        if (bar !== undefined && compareUtf8(bytes, start, end, bar, 0, bar.length) >= 0) continue;
        const value = decodeUtf8(bytes, start, end);
        // Only the prefix's well-formed head was compared as bytes.
        if (value.startsWith(this.prefix)) into.offer(value);
      }
    }
  }
}

/**
 * The prefix up to its first lone surrogate, which has no UTF-8 bytes of its own: a prefix typed or cut in the middle
 * of a surrogate pair still starts the values holding the whole pair, so only the head before it is compared as
 * bytes, and the decoded value is checked against the whole prefix.
 */
function wellFormedHead(prefix: string): string {
  for (let i = 0; i < prefix.length; i++) {
    const unit = prefix.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    const next = prefix.charCodeAt(i + 1);
    if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
    else return prefix.slice(0, i);
  }
  return prefix;
}

/** Memory a list of strings holds, roughly: a V8 string's header and characters, and the array's slot. */
function bytesOf(values: readonly string[]): number {
  let bytes = 64;
  for (const value of values) bytes += 32 + 2 * value.length;
  return bytes;
}
