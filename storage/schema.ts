import { Dictionary, Float64, Int32, Uint32, Utf8 } from 'apache-arrow';

/**
 * The sample table's columns (Parca's data model). Static columns exist in every row; every label key seen in
 * a write becomes a dynamic column `labels.<key>`, and a row without that label reads as null.
 *
 * In memory (what query operators see) numbers are Float64 so that vectorised loops never touch BigInt:
 * timestamps are milliseconds since the epoch and values, durations and periods are exact integers far below
 * 2^53. On disk (Parquet blocks) the same columns are Int64 / Timestamp(ms), which is what other engines expect.
 */
export const COLUMN = {
  profileType: 'profile_type',
  timestamp: 'timestamp',
  duration: 'duration_ns',
  period: 'period_ns',
  value: 'value',
  stackId: 'stack_id',
  /** The line the leaf frame was executing (V8's positionTicks, pprof's leaf line); 0 when unknown. */
  line: 'line',
} as const;

export const STATIC_COLUMNS: readonly string[] = Object.values(COLUMN);
export const LABEL_PREFIX = 'labels.';

export function labelColumn(key: string): string {
  return LABEL_PREFIX + key;
}

export function isLabelColumn(name: string): boolean {
  return name.startsWith(LABEL_PREFIX);
}

/** Canonical column order of a block or batch: static columns, then label columns sorted by name. */
export function columnOrder(names: Iterable<string>): string[] {
  const labels = [...new Set([...names].filter(isLabelColumn))].sort();
  return [...STATIC_COLUMNS, ...labels];
}

// The label key rules are common/'s, shared with the agent's protocol boundary and the command line.
export { isInternalLabel, LABEL_KEY_PATTERN } from '../common/labelKeys';

/** Static columns held as Uint32 in memory and on disk (everything else numeric is Float64 / Int64). */
export const UINT32_COLUMNS: ReadonlySet<string> = new Set([COLUMN.stackId, COLUMN.line]);

/** Arrow types of the in-memory columns. String columns are dictionary-encoded with Int32 indices. */
export const stringColumnType = (): Dictionary<Utf8, Int32> => new Dictionary(new Utf8(), new Int32());
export const numberColumnType = (): Float64 => new Float64();
export const stackIdType = (): Uint32 => new Uint32();

/** Min/max statistics of one column of a block, used to skip blocks a filter cannot match. */
export interface ColumnStats {
  /** Smallest non-null value (numbers for numeric columns, strings for string columns); absent if all null. */
  min?: number | string;
  max?: number | string;
  nullCount: number;
  /** Every distinct value, when there are at most DISTINCT_LIMIT of them (strings only): exact pruning for = and in. */
  distinct?: string[];
}

export const DISTINCT_LIMIT = 64;

/** Statistics of a block (or of a batch of the active part): rows and per-column stats; absent columns are all null. */
export interface BlockStats {
  rows: number;
  columns: Record<string, ColumnStats>;
}
