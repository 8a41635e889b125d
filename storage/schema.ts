import { Dictionary, Float64, Int32, Uint32, Utf8 } from 'apache-arrow';

/**
 * The sample table's columns (Parca's data model). Static columns exist in every row; every label key seen in
 * a write becomes a dynamic column `labels.<key>`, and a row without that label reads as null.
 *
 * In memory (what query operators see) numbers are Float64 so that vectorised loops never touch BigInt:
 * timestamps are milliseconds since the epoch and values, durations and periods are exact integers far below
 * 2^53. On disk (Parquet blocks) the same columns are Int64 / Timestamp(ms), which is what other engines expect.
 *
 * Each static column is declared once, here, and everything else is derived from its declaration: the fields of a
 * write (`SampleWrite`), how it is checked, carried in the write-ahead log, held in the active part, gathered into a
 * block's rows and encoded in Parquet. Adding a column is adding an entry (in the canonical column order).
 */
export interface ColumnDescriptor {
  /** The key in `COLUMN`, by which code names the column. */
  readonly key: string;
  /** The column's name in batches, blocks and queries. */
  readonly name: string;
  /** The field of a `SampleWrite` that gives it. */
  readonly field: string;
  /** 'write': one value for every row of a write (the field is a scalar); 'row': one value per row (an array). */
  readonly per: 'write' | 'row';
  /**
   * In memory: 'string' is dictionary-encoded (Utf8, Int32 indices; only per write), 'float64' is Float64 (Int64 on
   * disk, or Timestamp(ms) when `disk` says so), 'uint32' is Uint32 in memory and on disk.
   */
  readonly type: 'string' | 'float64' | 'uint32';
  readonly disk?: 'timestamp';
  /** The value when a write leaves the field out; without one the field is required. */
  readonly default?: number;
  /**
   * How values are checked: 'whole' (an integer below 2^53), 'roundedWhole' (rounded first, so that a row is the
   * same in memory and on disk), 'stackId' (a stack the store's metadata holds), 'nonEmpty' (a string).
   */
  readonly check?: 'whole' | 'roundedWhole' | 'stackId' | 'nonEmpty';
  /** Parquet: whether values are dictionary-encoded (the default) and the encoding otherwise. */
  readonly parquet?: { readonly dictionary: false; readonly encoding?: 'DELTA_BINARY_PACKED' | 'DELTA_BYTE_ARRAY' };
}

/**
 * The static columns, in canonical order. Parquet encodings were measured on a million benchmark rows
 * (bench/storage; write time of parquet-wasm, bytes per row):
 * - labels and `value`: dictionaries; `timestamp`: DELTA_BINARY_PACKED; `stack_id`: plain — a dictionary of
 *   20,000 ids is both larger (5.3 against 4.3 bytes a row) and slower;
 * - the per-profile columns (`profile_type`, `duration_ns`, `period_ns`) are nearly constant: delta encodings
 *   store them in almost nothing without hashing every row into a dictionary (331 → 312 ms).
 */
export const SAMPLE_COLUMNS = [
  /** Parca's profile type, e.g. `cpu:samples:count:cpu:nanoseconds`. */
  { key: 'profileType', name: 'profile_type', field: 'profileType', per: 'write', type: 'string', check: 'nonEmpty', parquet: { dictionary: false, encoding: 'DELTA_BYTE_ARRAY' } },
  /** Milliseconds since the epoch; stored rounded to whole milliseconds. */
  { key: 'timestamp', name: 'timestamp', field: 'timestamps', per: 'row', type: 'float64', disk: 'timestamp', check: 'roundedWhole', parquet: { dictionary: false, encoding: 'DELTA_BINARY_PACKED' } },
  { key: 'duration', name: 'duration_ns', field: 'durationNs', per: 'write', type: 'float64', default: 0, check: 'whole', parquet: { dictionary: false, encoding: 'DELTA_BINARY_PACKED' } },
  { key: 'period', name: 'period_ns', field: 'periodNs', per: 'write', type: 'float64', default: 0, check: 'whole', parquet: { dictionary: false, encoding: 'DELTA_BINARY_PACKED' } },
  /** Whole numbers (nanoseconds, bytes, counts), as in pprof; negative values are allowed (delta profiles). */
  { key: 'value', name: 'value', field: 'values', per: 'row', type: 'float64', check: 'whole' },
  /** A stack the store's metadata holds (`Store.internStack`). */
  { key: 'stackId', name: 'stack_id', field: 'stackIds', per: 'row', type: 'uint32', check: 'stackId', parquet: { dictionary: false } },
  /** The line the leaf frame was executing (V8's positionTicks, pprof's leaf line); 0 when unknown. */
  { key: 'line', name: 'line', field: 'lines', per: 'row', type: 'uint32', default: 0 },
] as const satisfies readonly ColumnDescriptor[];

type SampleColumn = (typeof SAMPLE_COLUMNS)[number];

/** Column names by key: `COLUMN.stackId` is 'stack_id'. */
export const COLUMN = Object.fromEntries(SAMPLE_COLUMNS.map(c => [c.key, c.name])) as { readonly [C in SampleColumn as C['key']]: C['name'] };

/** What a write gives for a column: a string or number for the whole write, or a number per row. */
type FieldValue<C extends SampleColumn> = C['per'] extends 'row' ? ArrayLike<number> : C['type'] extends 'string' ? string : number;

/** The static columns' fields of a write (`SampleWrite`): required unless the column has a default. */
export type SampleColumnFields = { [C in SampleColumn as C extends { default: number } ? never : C['field']]: FieldValue<C> } & {
  [C in SampleColumn as C extends { default: number } ? C['field'] : never]?: FieldValue<C>;
};

export const STATIC_COLUMNS: readonly string[] = SAMPLE_COLUMNS.map(c => c.name);
const DESCRIPTORS: ReadonlyMap<string, ColumnDescriptor> = new Map(SAMPLE_COLUMNS.map(c => [c.name, c]));

/** The declaration of a static column; undefined for label columns. */
export function staticColumn(name: string): ColumnDescriptor | undefined {
  return DESCRIPTORS.get(name);
}

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
