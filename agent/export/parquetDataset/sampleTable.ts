import {
  Dictionary, Field, Int32, Int64, RecordBatch, Schema, Struct, Table, TimestampMillisecond, Utf8, makeData, vectorFromArray, type Data, type Vector,
} from 'apache-arrow';
import { float64ToInt64 } from '../../../storage/block/int64Columns';
import { COLUMN } from '../../../storage/schema';
import type { DatasetIds } from './datasetIds';
import { numberColumn, type SampleGroup } from './sampleGroups';

/** The samples table's columns before its labels, in order (docs/design/parquet-dataset.md). */
export const SAMPLE_TABLE_COLUMNS = ['timestamp', 'value', 'stack_id', 'line', 'duration_ns', 'period_ns'] as const;

/**
 * One group's rows as the samples table: timestamps as UTC milliseconds (Parquet's isAdjustedToUTC), numbers as
 * int64, the stack as its dataset id, then one dictionary-encoded column per label the group has (sorted by name).
 */
export function sampleTable(group: SampleGroup, ids: DatasetIds): Table {
  const n = group.rows;
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  const durations = new Float64Array(n);
  const periods = new Float64Array(n);
  const stacks = new BigInt64Array(n);
  const stackWords = new Int32Array(stacks.buffer);
  const lines = new Int32Array(n);
  const labelNames = [...group.labelColumns].sort();
  const labels = labelNames.map(() => new LabelColumnBuilder(n));
  let at = 0;
  for (const { batch, rows } of group.parts) {
    const ts = numberColumn(batch, COLUMN.timestamp)!;
    const value = numberColumn(batch, COLUMN.value)!;
    const duration = numberColumn(batch, COLUMN.duration)!;
    const period = numberColumn(batch, COLUMN.period)!;
    const stack = numberColumn(batch, COLUMN.stackId)!;
    const line = numberColumn(batch, COLUMN.line)!;
    const labelVectors = labelNames.map(name => batch.getChild(name));
    for (let k = 0; k < rows.length; k++, at++) {
      const i = rows[k]!;
      timestamps[at] = ts.values[ts.offset + i]!;
      values[at] = value.values[value.offset + i]!;
      durations[at] = duration.values[duration.offset + i]!;
      periods[at] = period.values[period.offset + i]!;
      ids.copyStackWords(stack.values[stack.offset + i]!, stackWords, 2 * at);
      lines[at] = line.values[line.offset + i]!;
    }
    labelVectors.forEach((vector, l) => labels[l]!.add(vector, rows, at - rows.length));
  }
  const int64 = (source: Float64Array): Data => makeData({ type: new Int64(), length: n, nullCount: 0, data: float64ToInt64(source, n) });
  const columns: [Field, Data][] = [
    [new Field('timestamp', new TimestampMillisecond('UTC'), false), makeData({ type: new TimestampMillisecond('UTC'), length: n, nullCount: 0, data: float64ToInt64(timestamps, n) })],
    [new Field('value', new Int64(), false), int64(values)],
    [new Field('stack_id', new Int64(), false), makeData({ type: new Int64(), length: n, nullCount: 0, data: stacks })],
    [new Field('line', new Int32(), false), makeData({ type: new Int32(), length: n, nullCount: 0, data: lines })],
    [new Field('duration_ns', new Int64(), false), int64(durations)],
    [new Field('period_ns', new Int64(), false), int64(periods)],
    ...labelNames.map((name, l): [Field, Data] => [new Field(name, new Dictionary(new Utf8(), new Int32()), true), labels[l]!.build()]),
  ];
  return tableOf(columns, n);
}

/** A one-batch table of the given fields and their data. */
export function tableOf(columns: [Field, Data][], rows: number): Table {
  const fields = columns.map(([field]) => field);
  const schema = new Schema(fields);
  return new Table(schema, new RecordBatch(schema, makeData({ type: new Struct(fields), length: rows, nullCount: 0, children: columns.map(([, data]) => data) })));
}

/**
 * A label column gathered as dictionary indices: each source batch's dictionary is mapped into the column's own once,
 * so a row costs an index copy, not a string (ten million rows of a label take 40 MB, not ten million strings).
 */
class LabelColumnBuilder {
  private readonly indices: Int32Array;
  private readonly valid: Uint8Array;
  private readonly values: string[] = [];
  private readonly codes = new Map<string, number>();
  private nulls = 0;

  constructor(private readonly length: number) {
    this.indices = new Int32Array(length);
    this.valid = new Uint8Array(Math.ceil(length / 8));
  }

  /** The rows `rows` of `vector` (absent: all null), at `at` onwards. */
  add(vector: Vector | null, rows: Uint32Array, at: number): void {
    if (!vector) {
      this.nulls += rows.length;
      return;
    }
    const data = vector.data[0]!;
    const dictionary = data.dictionary;
    const sourceIndices = data.values as Int32Array;
    const mapped = dictionary ? new Int32Array(dictionary.length).fill(-1) : undefined;
    for (let k = 0; k < rows.length; k++) {
      const i = rows[k]!;
      if (!vector.isValid(i)) {
        this.nulls++;
        continue;
      }
      let code: number;
      if (mapped && dictionary) {
        const d = sourceIndices[data.offset + i]!;
        code = mapped[d]!;
        if (code < 0) mapped[d] = code = this.code(dictionary.get(d) as string);
      } else code = this.code(String(vector.get(i)));
      this.indices[at + k] = code;
      this.valid[(at + k) >> 3]! |= 1 << ((at + k) & 7);
    }
  }

  build(): Data {
    const dictionary = vectorFromArray(this.values, new Utf8());
    return makeData({ type: new Dictionary(new Utf8(), new Int32()), length: this.length, nullCount: this.nulls, nullBitmap: this.valid, data: this.indices, dictionary });
  }

  private code(value: string): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.codes.set(value, code);
    }
    return code;
  }
}
