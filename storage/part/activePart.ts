import type { RecordBatch } from 'apache-arrow';
import { COLUMN, labelColumn, type BlockStats } from '../schema';
import { statsOfBatch } from '../block/blockStats';
import type { EncodedWrite } from '../write/sampleWrite';
import { NumberColumn, StringColumn, float64Data, recordBatch, uint32Data } from './columnBuilders';

/** Rows per in-memory batch: large enough for tight vectorised loops, small enough to grow cheaply. */
const MAX_BATCH_ROWS = 1 << 17;
/** Bytes per row of the static columns: timestamp, value, duration, period (f64), stack id, line (u32), profile type (i32). */
const STATIC_ROW_BYTES = 8 * 4 + 4 + 4 + 4;

/**
 * The rows of one in-memory batch: writes with the same set of label keys append to the same builder, so a
 * batch holds only the label columns its rows use and memory grows with rows × labels per row, never with
 * rows × all keys ever seen (1,000 keys spread over writes cost nothing for the rows that lack them).
 */
class BatchBuilder {
  rows = 0;
  readonly timestamps: NumberColumn<Float64Array>;
  readonly values: NumberColumn<Float64Array>;
  readonly durations: NumberColumn<Float64Array>;
  readonly periods: NumberColumn<Float64Array>;
  readonly stackIds: NumberColumn<Uint32Array>;
  readonly lines: NumberColumn<Uint32Array>;
  readonly profileTypes: StringColumn;
  readonly labels = new Map<string, StringColumn>();
  private cached: { rows: number; batch: RecordBatch; stats: BlockStats } | undefined;

  /** The first allocation fits the first write exactly: many small batches (sparse label keys) waste nothing. */
  constructor(readonly keySet: string, capacity: number) {
    this.timestamps = new NumberColumn(new Float64Array(capacity));
    this.values = new NumberColumn(new Float64Array(capacity));
    this.durations = new NumberColumn(new Float64Array(capacity));
    this.periods = new NumberColumn(new Float64Array(capacity));
    this.stackIds = new NumberColumn(new Uint32Array(capacity));
    this.lines = new NumberColumn(new Uint32Array(capacity));
    this.profileTypes = new StringColumn(capacity, 0);
    for (const key of keySet === '' ? [] : keySet.split(',')) this.labels.set(key, new StringColumn(capacity, 0));
  }

  get capacity(): number {
    return this.timestamps.values.length;
  }

  append(write: EncodedWrite, from: number, to: number): void {
    const count = to - from;
    const end = this.rows + count;
    if (end > this.capacity) {
      const capacity = Math.min(MAX_BATCH_ROWS, Math.max(end, this.capacity * 2));
      for (const column of [this.timestamps, this.values, this.durations, this.periods, this.stackIds, this.lines]) column.ensure(capacity);
      this.profileTypes.ensure(capacity);
      for (const column of this.labels.values()) column.ensure(capacity);
    }
    const start = this.rows;
    this.timestamps.values.set(write.timestamps.subarray(from, to), start);
    this.values.values.set(write.values.subarray(from, to), start);
    this.durations.values.fill(write.durationNs, start, end);
    this.periods.values.fill(write.periodNs, start, end);
    this.stackIds.values.set(write.stackIds.subarray(from, to), start);
    this.lines.values.set(write.lines.subarray(from, to), start);
    this.profileTypes.codes.fill(this.profileTypes.code(write.profileType), start, end);
    for (const [key, value] of Object.entries(write.labels)) {
      const column = this.labels.get(key)!;
      column.codes.fill(column.code(value), start, end);
    }
    for (const [key, encoded] of Object.entries(write.rowLabels)) {
      const column = this.labels.get(key)!;
      // Translate the write's dictionary to the batch's once per distinct value, then map codes row by row.
      const translate = Int32Array.from(encoded.dictionary, value => column.code(value));
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
    let bytes = this.capacity * (STATIC_ROW_BYTES + 4 * this.labels.size) + this.profileTypes.dictionaryBytes;
    for (const column of this.labels.values()) bytes += column.dictionaryBytes;
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
        [COLUMN.profileType, this.profileTypes.toData(n)],
        [COLUMN.timestamp, float64Data(this.timestamps.values, n)],
        [COLUMN.duration, float64Data(this.durations.values, n)],
        [COLUMN.period, float64Data(this.periods.values, n)],
        [COLUMN.value, float64Data(this.values.values, n)],
        [COLUMN.stackId, uint32Data(this.stackIds.values, n)],
        [COLUMN.line, uint32Data(this.lines.values, n)],
        ...[...this.labels].map(([key, column]) => [labelColumn(key), column.toData(n)] as [string, ReturnType<StringColumn['toData']>]),
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
  /** Tx ids whose rows the part holds. */
  firstTxId = 0;
  lastTxId = 0;
  minTimestamp = Infinity;

  append(write: EncodedWrite, txId: number): void {
    const keySet = [...Object.keys(write.labels), ...Object.keys(write.rowLabels)].sort().join(',');
    const n = write.timestamps.length;
    let from = 0;
    while (from < n) {
      let builder = this.open.get(keySet);
      if (!builder || builder.rows >= MAX_BATCH_ROWS) {
        builder = new BatchBuilder(keySet, Math.min(MAX_BATCH_ROWS, n - from));
        this.builders.push(builder);
        this.open.set(keySet, builder);
      }
      const to = Math.min(n, from + MAX_BATCH_ROWS - builder.rows);
      builder.append(write, from, to);
      from = to;
    }
    for (let i = 0; i < n; i++) if (write.timestamps[i]! < this.minTimestamp) this.minTimestamp = write.timestamps[i]!;
    this.rows += n;
    if (this.firstTxId === 0) this.firstTxId = txId;
    this.lastTxId = txId;
  }

  /** Memory held by the part, for the flush threshold. */
  bytes(): number {
    let bytes = 0;
    for (const builder of this.builders) bytes += builder.bytes();
    return bytes;
  }

  /** The committed rows as record batches with statistics (zero-copy views of the builders' arrays). */
  snapshot(): { batch: RecordBatch; stats: BlockStats }[] {
    return this.builders.filter(b => b.rows > 0).map(b => b.snapshot());
  }
}
