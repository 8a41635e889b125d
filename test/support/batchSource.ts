import type { Data, RecordBatch } from 'apache-arrow';
import { MetadataStore } from '../../storage/metadata/metadataStore';
import { COLUMN, DISTINCT_LIMIT, STATIC_COLUMNS, labelColumn, type BlockStats, type ColumnStats } from '../../storage/schema';
import { dictionaryColumn, makeBatch, numberColumn } from '../../storage/query/arrowBuild';
import { dataColumn } from '../../storage/query/columnData';
import type { ScanRequest, ScanSource } from '../../storage/query/scanSource';

/** One sample as tests write it; absent labels are simply not in `labels`. */
export interface SampleRow {
  timestamp: number;
  value: number;
  stackId: number;
  labels?: Readonly<Record<string, string>>;
  profileType?: string;
  durationNs?: number;
  periodNs?: number;
  /** The line the leaf was executing (the `line` column); a batch has the column only when some row sets it. */
  line?: number;
}

/**
 * A ScanSource over record batches held in memory: a real implementation of the interface, used by the query
 * engine's tests and benchmark in place of the store. Each batch plays the role of a block: its statistics
 * are computed when it is added and `mayMatch` is honoured, and counters say how many batches a scan read and
 * skipped, so pruning is observable.
 */
export class BatchSource implements ScanSource {
  readonly metadata: MetadataStore;
  private readonly batches: { batch: RecordBatch; stats: BlockStats }[] = [];
  batchesRead = 0;
  batchesSkipped = 0;

  constructor(metadata: MetadataStore = new MetadataStore()) {
    this.metadata = metadata;
  }

  /** Adds a batch (in the in-memory types of schema.ts) as one block. */
  append(batch: RecordBatch): void {
    this.batches.push({ batch, stats: computeStats(batch) });
  }

  /** Adds rows as one batch; label columns are the union of the rows' label keys, sorted. */
  appendRows(rows: readonly SampleRow[]): RecordBatch {
    const batch = batchFromRows(rows);
    this.append(batch);
    return batch;
  }

  get batchCount(): number {
    return this.batches.length;
  }

  columnNames(): string[] {
    const names = new Set<string>(STATIC_COLUMNS);
    for (const { batch } of this.batches) for (const f of batch.schema.fields) names.add(f.name);
    return [...names];
  }

  async *scan(request: ScanRequest): AsyncIterable<RecordBatch> {
    for (const { batch, stats } of this.batches) {
      if (request.mayMatch && !request.mayMatch(stats)) {
        this.batchesSkipped++;
        continue;
      }
      this.batchesRead++;
      const names: string[] = [];
      const children: Data[] = [];
      for (const name of request.columns) {
        const index = batch.schema.fields.findIndex(f => f.name === name);
        if (index < 0) continue;
        names.push(name);
        children.push(batch.data.children[index] as Data);
      }
      yield makeBatch(names, children, batch.numRows);
    }
  }
}

/** Builds a batch with the static columns and one dictionary column per label key present in any row. */
export function batchFromRows(rows: readonly SampleRow[]): RecordBatch {
  const n = rows.length;
  const keys = [...new Set(rows.flatMap(r => Object.keys(r.labels ?? {})))].sort();
  const names: string[] = [];
  const columns: Data[] = [];
  const strings = (get: (r: SampleRow) => string | undefined): Data => {
    const dictionary: string[] = [];
    const index = new Map<string, number>();
    const indices = new Int32Array(n);
    const nulls = new Uint8Array(n);
    let anyNull = false;
    rows.forEach((r, i) => {
      const v = get(r);
      if (v === undefined) {
        nulls[i] = 1;
        anyNull = true;
        return;
      }
      let j = index.get(v);
      if (j === undefined) {
        j = dictionary.length;
        dictionary.push(v);
        index.set(v, j);
      }
      indices[i] = j;
    });
    return dictionaryColumn(dictionary, indices, anyNull ? nulls : undefined);
  };
  const numbers = (get: (r: SampleRow) => number): Data => numberColumn(Float64Array.from(rows, get));
  names.push(COLUMN.profileType, COLUMN.timestamp, COLUMN.duration, COLUMN.period, COLUMN.value, COLUMN.stackId);
  columns.push(
    strings(r => r.profileType ?? 'cpu'),
    numbers(r => r.timestamp),
    numbers(r => r.durationNs ?? 0),
    numbers(r => r.periodNs ?? 0),
    numbers(r => r.value),
    numberColumn(Uint32Array.from(rows, r => r.stackId)),
  );
  if (rows.some(r => r.line !== undefined)) {
    names.push(COLUMN.line);
    columns.push(numberColumn(Uint32Array.from(rows, r => r.line ?? 0)));
  }
  for (const key of keys) {
    names.push(labelColumn(key));
    columns.push(strings(r => r.labels?.[key]));
  }
  return makeBatch(names, columns, n);
}

/** Min, max, null count and (for strings, when few) the distinct values of every column of a batch. */
export function computeStats(batch: RecordBatch): BlockStats {
  const columns: Record<string, ColumnStats> = {};
  batch.schema.fields.forEach((field, index) => {
    const column = dataColumn(batch.data.children[index] as Data, field.name);
    const n = batch.numRows;
    const valid = (i: number): boolean => {
      if (column.kind === 'absent' || column.validity === null) return true;
      const bit = column.offset + i;
      return ((column.validity[bit >> 3]! >> (bit & 7)) & 1) === 1;
    };
    let nullCount = 0;
    if (column.kind === 'number') {
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < n; i++) {
        if (!valid(i)) {
          nullCount++;
          continue;
        }
        const v = column.values[i]!;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      columns[field.name] = nullCount === n ? { nullCount } : { min, max, nullCount };
    } else if (column.kind === 'dictionary') {
      // Mark the dictionary entries in use, then decode only those.
      const usedIndex = new Uint8Array(column.dictionary.length);
      for (let i = 0; i < n; i++) {
        if (!valid(i)) {
          nullCount++;
          continue;
        }
        usedIndex[column.indices[i]!] = 1;
      }
      const used = new Set<string>();
      usedIndex.forEach((u, j) => {
        if (u === 1) used.add(column.dictionary.get(j) as string);
      });
      const sorted = [...used].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const stats: ColumnStats = { nullCount };
      if (sorted.length > 0) {
        stats.min = sorted[0]!;
        stats.max = sorted[sorted.length - 1]!;
      }
      if (sorted.length <= DISTINCT_LIMIT) stats.distinct = sorted;
      columns[field.name] = stats;
    }
  });
  return { rows: batch.numRows, columns };
}
