import type { Data, RecordBatch } from 'apache-arrow';
import { SAMPLE_COLUMNS, labelColumn, type BlockStats } from '../schema';
import { statsOfBatch } from '../block/blockStats';
import { PartLabels, type LabelInterner } from '../write/labelInterner';
import type { EncodedWrite, InternedLabelColumn } from '../write/sampleWrite';
import { NumberColumn, StringColumn, float64Data, recordBatch, uint32Data } from './columnBuilders';

/** Rows per in-memory batch: large enough for tight vectorised loops, small enough to grow cheaply. */
export const MAX_BATCH_ROWS = 1 << 17;
/** Bytes per row of the static columns: 8 for Float64, 4 for Uint32 and for a string column's dictionary code. */
const STATIC_ROW_BYTES = SAMPLE_COLUMNS.reduce((sum, c) => sum + (c.type === 'float64' ? 8 : 4), 0);

type StaticColumn = NumberColumn<Float64Array> | NumberColumn<Uint32Array> | StringColumn;

/**
 * The rows of one in-memory batch: writes with the same set of label keys append to the same builder, so a
 * batch holds only the label columns its rows use and memory grows with rows × labels per row, never with
 * rows × all keys ever seen (1,000 keys spread over writes cost nothing for the rows that lack them).
 */
class BatchBuilder {
  rows = 0;
  /** The static columns, in the schema's order (SAMPLE_COLUMNS). */
  private readonly statics: StaticColumn[];
  readonly labels = new Map<string, StringColumn>();
  private cached: { rows: number; batch: RecordBatch; stats: BlockStats } | undefined;

  /** The first allocation fits the first write exactly: many small batches (sparse label keys) waste nothing. */
  constructor(readonly keySet: string, capacity: number) {
    this.statics = SAMPLE_COLUMNS.map(c =>
      c.type === 'string' ? new StringColumn(capacity, 0) : c.type === 'uint32' ? new NumberColumn(new Uint32Array(capacity)) : new NumberColumn(new Float64Array(capacity)),
    );
    for (const key of keySet === '' ? [] : keySet.split(',')) this.labels.set(key, new StringColumn(capacity, 0));
  }

  /** Rows the arrays hold (each static column grows alike). */
  get capacity(): number {
    const first = this.statics[0]!;
    return first instanceof StringColumn ? first.codes.length : first.values.length;
  }

  /** `labelIds` and `rowLabelIds`: the part-wide ids of the write's constant labels and of its dictionaries' entries. */
  append(write: EncodedWrite, from: number, to: number, labelIds: Record<string, number>, rowLabelIds: Record<string, Int32Array>): void {
    const count = to - from;
    const end = this.rows + count;
    if (end > this.capacity) {
      const capacity = Math.min(MAX_BATCH_ROWS, Math.max(end, this.capacity * 2));
      for (const column of this.statics) column.ensure(capacity);
      for (const column of this.labels.values()) column.ensure(capacity);
    }
    const start = this.rows;
    SAMPLE_COLUMNS.forEach((c, i) => {
      const column = this.statics[i]!;
      if (column instanceof StringColumn) column.codes.fill(column.code(write.constants[c.name] as string), start, end);
      else if (c.per === 'write') column.values.fill(write.constants[c.name] as number, start, end);
      else column.values.set(write.columns[c.name]!.subarray(from, to), start);
    });
    for (const [key, value] of Object.entries(write.labels)) {
      const column = this.labels.get(key)!;
      column.codes.fill(column.codeOfPart(labelIds[key]!, value), start, end);
    }
    for (const [key, encoded] of Object.entries(write.rowLabels)) {
      const column = this.labels.get(key)!;
      // Translate the write's dictionary to the batch's by part-wide id, then map codes row by row.
      const ids = rowLabelIds[key]!;
      const translate = new Int32Array(ids.length);
      for (let code = 0; code < ids.length; code++) translate[code] = column.codeOfPart(ids[code]!, encoded.dictionary[code]!);
      const codes = column.codes;
      const source = encoded.codes;
      for (let i = from; i < to; i++) {
        const code = source[i]!;
        const row = start + i - from;
        if (code < 0) {
          codes[row] = 0;
          column.markNull(row, row + 1);
        } else {
          codes[row] = translate[code]!;
        }
      }
    }
    this.rows = end;
  }

  bytes(): number {
    let bytes = this.capacity * (STATIC_ROW_BYTES + 4 * this.labels.size);
    for (const column of [...this.statics, ...this.labels.values()]) if (column instanceof StringColumn) bytes += column.dictionaryBytes;
    return bytes;
  }

  /**
   * The committed rows as an Arrow batch with its statistics, both cached until more rows arrive. Statistics are
   * computed on first use: a flush does not need them (the block worker computes the block's own).
   */
  snapshot(): { batch: RecordBatch; stats: BlockStats } {
    if (this.cached?.rows === this.rows) return this.cached;
    const n = this.rows;
    const batch = recordBatch(
      [
        ...SAMPLE_COLUMNS.map((c, i) => [c.name, columnData(this.statics[i]!, n)] as [string, Data]),
        ...[...this.labels].map(([key, column]) => [labelColumn(key), column.toData(n)] as [string, Data]),
      ],
      n,
    );
    let stats: BlockStats | undefined;
    this.cached = {
      rows: n,
      batch,
      get stats(): BlockStats {
        return (stats ??= statsOfBatch(batch));
      },
    };
    return this.cached;
  }
}

/**
 * The active part: every committed write not yet flushed to a block, in memory as Arrow-ready columns.
 * Appends happen only after the write-ahead log acknowledged the write, in tx order, synchronously, so a reader
 * taking a snapshot between two event-loop turns sees every write up to the watermark and nothing partial.
 */
export class ActivePart {
  private readonly builders: BatchBuilder[] = [];
  /** The builder still taking rows for each label key set. */
  private readonly open = new Map<string, BatchBuilder>();
  rows = 0;
  /** Every label value of the part with its part-wide id: writes are encoded against it (Store.write). */
  readonly labels = new PartLabels();
  /** Tx ids whose rows the part holds. */
  firstTxId = 0;
  lastTxId = 0;

  append(write: EncodedWrite, txId: number): void {
    const keySet = [...Object.keys(write.labels), ...Object.keys(write.rowLabels)].sort().join(',');
    const labelIds: Record<string, number> = {};
    for (const [key, value] of Object.entries(write.labels)) labelIds[key] = this.labels.of(key).id(value);
    // A write encoded against this part brings its ids; another (replayed from the log, encoded by an importer,
    // or encoded against a part frozen since) is interned here, once per distinct value.
    const rowLabelIds: Record<string, Int32Array> = {};
    for (const [key, encoded] of Object.entries(write.rowLabels)) {
      const interner = this.labels.of(key);
      const interned = encoded as Partial<InternedLabelColumn>;
      rowLabelIds[key] = interned.interner === interner && interned.ids ? interned.ids : idsOf(encoded.dictionary, interner);
    }
    const n = write.rows;
    let from = 0;
    while (from < n) {
      let builder = this.open.get(keySet);
      if (!builder || builder.rows >= MAX_BATCH_ROWS) {
        // A key set that filled a batch is busy: its next batch starts full size rather than growing (copying) twice.
        builder = new BatchBuilder(keySet, builder ? MAX_BATCH_ROWS : Math.min(MAX_BATCH_ROWS, n - from));
        this.builders.push(builder);
        this.open.set(keySet, builder);
      }
      const to = Math.min(n, from + MAX_BATCH_ROWS - builder.rows);
      builder.append(write, from, to, labelIds, rowLabelIds);
      from = to;
    }
    this.rows += n;
    if (this.firstTxId === 0) this.firstTxId = txId;
    this.lastTxId = txId;
  }

  /** Memory held by the part, for the flush threshold. */
  bytes(): number {
    let bytes = this.labels.bytes();
    for (const builder of this.builders) bytes += builder.bytes();
    return bytes;
  }

  /** The committed rows as record batches with statistics (zero-copy views of the builders' arrays). */
  snapshot(): { batch: RecordBatch; stats: BlockStats }[] {
    return this.builders.filter(b => b.rows > 0).map(b => b.snapshot());
  }
}

/**
 * Each dictionary entry's part-wide id, in a plain loop: Int32Array.from with a mapping function takes V8's generic
 * path, 1.2 s of the agent thread's profile of 3M samples with trace ids (issue 21).
 */
function idsOf(dictionary: readonly string[], interner: LabelInterner): Int32Array {
  const ids = new Int32Array(dictionary.length);
  for (let code = 0; code < dictionary.length; code++) ids[code] = interner.id(dictionary[code]!);
  return ids;
}

function columnData(column: StaticColumn, length: number): Data {
  if (column instanceof StringColumn) return column.toData(length);
  return column.values instanceof Uint32Array ? uint32Data(column.values, length) : float64Data(column.values, length);
}
