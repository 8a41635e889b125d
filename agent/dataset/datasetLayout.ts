/**
 * The Icicle Parquet dataset's fixed names (v1): a folder that any Parquet engine reads, Hive-partitioned. Users'
 * queries depend on these names, so they are declared once here for the reader and the writer alike.
 *
 *   DIR/_icicle/dataset.json   {"format":"icicle-parquet-dataset","version":1}
 *   DIR/samples/profile_type=<P>/date=<YYYY-MM-DD>/<name>.parquet
 *   DIR/stacks/<name>.parquet  stack_id BIGINT, frame_ids LIST<BIGINT> (leaf first)
 *   DIR/frames/<name>.parquet  frame_id BIGINT, function_name, file, line, "column", module, address, function_line,
 *                              function_column (where the frame's function is defined, as Icicle placed it; 0 unknown)
 *
 * The writer (agent/export/parquetDataset/) derives its names from these. Stack and frame ids are content hashes, so the same id is the same row in every dataset and duplicates are harmless.
 * The whole contract, with its SQL, is docs/design/parquet-dataset.md.
 */
export const DATASET_FORMAT = 'icicle-parquet-dataset';
export const DATASET_VERSION = 1;

/** The dataset's own description, relative to its folder. */
export const DATASET_MARKER = ['_icicle', 'dataset.json'] as const;

export const DATASET_TABLES = { samples: 'samples', stacks: 'stacks', frames: 'frames' } as const;

/** The samples' partition columns, outermost first; they are in the folder names, not inside the files. */
export const PARTITION_COLUMNS = { profileType: 'profile_type', date: 'date' } as const;

/** The stacks table's columns. */
export const STACK_COLUMNS = { id: 'stack_id', frameIds: 'frame_ids' } as const;

/** The frames table's columns. */
export const FRAME_COLUMNS = {
  id: 'frame_id',
  functionName: 'function_name',
  file: 'file',
  line: 'line',
  column: 'column',
  module: 'module',
  address: 'address',
  functionLine: 'function_line',
  functionColumn: 'function_column',
} as const;

/**
 * A folder name's partition value: percent-decoded (Hive, DuckDB and Icicle's writer encode ':', '/', '=' and '%';
 * some writers leave ':' as it is, which reads the same). A value whose escapes do not decode is taken as written, as DuckDB does.
 */
export function decodePartitionValue(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `key=value` of a partition folder, decoded; undefined for a folder that is not a partition. */
export function partitionOf(folder: string): { key: string; value: string } | undefined {
  const at = folder.indexOf('=');
  if (at <= 0) return undefined;
  return { key: folder.slice(0, at), value: decodePartitionValue(folder.slice(at + 1)) };
}
