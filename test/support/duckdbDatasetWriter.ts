import type { RecordBatch } from 'apache-arrow';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { functionPositions } from '../../agent/queries/stacks/functionPositions';
import { compilePredicate, selectionPredicate, type ScanSource, type Selection } from '../../storage/query';
import { COLUMN, isLabelColumn } from '../../storage/schema';
import { withDuckDb } from './duckdbDataset';

/**
 * A reference writer of the Icicle Parquet dataset (v1), independent of Icicle's own: the rows come from a store
 * through its read API (samples from a scan, frames and stacks from its metadata, which live in metadata.log and not
 * in the blocks), and DuckDB writes every Parquet file, partitions included. Ids are the contract's content hashes
 * (first 8 bytes of SHA-256, signed, here of the row's JSON). A frame's function_line and function_column are where
 * Icicle places its function (docs/design/parquet-dataset.md). Samples are written in one file per partition and label key set, so files differ
 * in their label columns, as the contract allows.
 */
export interface DuckDatasetOptions {
  /** Only these samples (default: all). */
  selection?: Selection;
  /** What `_icicle/dataset.json` says (default the contract's); `null` writes no description at all. */
  description?: unknown;
  /** 'ms' (the contract's TIMESTAMP, milliseconds) or 'us' (TIMESTAMP WITH TIME ZONE, microseconds, as DuckDB's default). */
  timestampUnit?: 'ms' | 'us';
  /** Writes the stacks and frames tables twice, in two files each: a reader must take a repeated id as one row. */
  duplicateTables?: boolean;
}

export interface DuckDatasetSummary {
  samples: number;
  stacks: number;
  frames: number;
}

function hash(text: string): bigint {
  return createHash('sha256').update(text).digest().readBigInt64BE(0);
}

const sql = (text: string): string => `'${text.replace(/'/g, "''")}'`;
const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export async function writeDatasetWithDuckDB(source: ScanSource, dir: string, options: DuckDatasetOptions = {}): Promise<DuckDatasetSummary> {
  const scratch = mkdtempSync(join(tmpdir(), 'icicle-duck-dataset-'));
  try {
    return await withDuckDb(async connection => {
      await connection.run(`SET TimeZone = 'UTC'`);
      mkdirSync(join(dir, '_icicle'), { recursive: true });
      if (options.description !== null) writeFileSync(join(dir, '_icicle', 'dataset.json'), JSON.stringify(options.description ?? { format: 'icicle-parquet-dataset', version: 1 }));
      const metadata = source.metadata;
      const definitionOf = functionPositions(metadata);
      const frameIds = new Map<number, bigint>();
      const stackIds = new Map<number, bigint>();
      const stackRows: string[] = [];
      const frameRows: string[] = [];
      const frameId = (id: number): bigint => {
        let hashed = frameIds.get(id);
        if (hashed === undefined) {
          const frame = metadata.frame(id);
          const definition = definitionOf(frame);
          const fields = { function_name: frame.functionName, file: frame.file, line: frame.line, column: frame.column, module: frame.module, address: String(frame.address), function_line: definition.line, function_column: definition.column };
          frameIds.set(id, (hashed = hash(JSON.stringify(fields))));
          frameRows.push(JSON.stringify({ frame_id: String(hashed), ...fields }));
        }
        return hashed;
      };
      const stackId = (id: number): bigint => {
        let hashed = stackIds.get(id);
        if (hashed === undefined) {
          const frames = Array.from(metadata.stack(id), frameId);
          stackIds.set(id, (hashed = hash(frames.join(','))));
          stackRows.push(JSON.stringify({ stack_id: String(hashed), frame_ids: frames.map(String) }));
        }
        return hashed;
      };
      // One group of sample rows per label key set: each becomes its own files.
      const groups = new Map<string, { labels: string[]; rows: string[] }>();
      const predicate = options.selection && selectionPredicate(options.selection);
      const compiled = predicate && compilePredicate(predicate);
      let samples = 0;
      for await (const batch of source.scan({ columns: source.columnNames() })) {
        const selected = compiled?.select(batch, null) ?? null;
        const rows = selected ?? Uint32Array.from({ length: batch.numRows }, (_, i) => i);
        for (const i of rows) {
          const row = rowOf(batch, i);
          const labels = Object.keys(row).filter(isLabelColumn).filter(k => row[k] !== null).sort();
          const key = labels.join('\n');
          let group = groups.get(key);
          if (!group) groups.set(key, (group = { labels, rows: [] }));
          group.rows.push(
            JSON.stringify({
              profile_type: row[COLUMN.profileType],
              ts: row[COLUMN.timestamp],
              value: row[COLUMN.value],
              stack_id: String(stackId(row[COLUMN.stackId] as number)),
              line: row[COLUMN.line] ?? 0,
              duration_ns: row[COLUMN.duration] ?? 0,
              period_ns: row[COLUMN.period] ?? 0,
              ...Object.fromEntries(labels.map(k => [k, row[k]])),
            }),
          );
          samples++;
        }
      }
      const timestamp = options.timestampUnit === 'us' ? 'epoch_ms(ts)::TIMESTAMPTZ' : 'epoch_ms(ts)::TIMESTAMP_MS';
      let g = 0;
      for (const { labels, rows } of groups.values()) {
        const file = join(scratch, `samples${g}.ndjson`);
        writeFileSync(file, rows.join('\n') + '\n');
        const columns = [`profile_type: 'VARCHAR'`, `ts: 'BIGINT'`, `value: 'BIGINT'`, `stack_id: 'VARCHAR'`, `line: 'INTEGER'`, `duration_ns: 'BIGINT'`, `period_ns: 'BIGINT'`, ...labels.map(k => `${sql(k)}: 'VARCHAR'`)];
        await connection.run(
          `COPY (SELECT profile_type, ${timestamp} AS timestamp, value, stack_id::BIGINT AS stack_id, line, duration_ns, period_ns, ${labels.map(ident).join(', ')}${labels.length ? ', ' : ''}
                        CAST(epoch_ms(ts) AS DATE) AS date
                 FROM read_json(${sql(file)}, format = 'newline_delimited', columns = {${columns.join(', ')}}))
           TO ${sql(join(dir, 'samples'))} (FORMAT parquet, PARTITION_BY (profile_type, date), COMPRESSION zstd, FILENAME_PATTERN 'g${g}_{i}', OVERWRITE_OR_IGNORE true)`,
        );
        g++;
      }
      mkdirSync(join(dir, 'stacks'), { recursive: true });
      mkdirSync(join(dir, 'frames'), { recursive: true });
      const copies = options.duplicateTables ? ['part-0', 'part-1'] : ['part-0'];
      writeFileSync(join(scratch, 'stacks.ndjson'), stackRows.join('\n') + '\n');
      writeFileSync(join(scratch, 'frames.ndjson'), frameRows.join('\n') + '\n');
      for (const name of copies) {
        await connection.run(
          `COPY (SELECT stack_id::BIGINT AS stack_id, list_transform(frame_ids, x -> x::BIGINT) AS frame_ids
                 FROM read_json(${sql(join(scratch, 'stacks.ndjson'))}, format = 'newline_delimited', columns = {stack_id: 'VARCHAR', frame_ids: 'VARCHAR[]'}))
           TO ${sql(join(dir, 'stacks', `${name}.parquet`))} (FORMAT parquet, COMPRESSION zstd)`,
        );
        await connection.run(
          `COPY (SELECT frame_id::BIGINT AS frame_id, function_name, file, line, "column", module, address::BIGINT AS address, function_line, function_column
                 FROM read_json(${sql(join(scratch, 'frames.ndjson'))}, format = 'newline_delimited',
                                columns = {frame_id: 'VARCHAR', function_name: 'VARCHAR', file: 'VARCHAR', line: 'INTEGER', "column": 'INTEGER', module: 'VARCHAR', address: 'VARCHAR', function_line: 'INTEGER', function_column: 'INTEGER'}))
           TO ${sql(join(dir, 'frames', `${name}.parquet`))} (FORMAT parquet, COMPRESSION zstd)`,
        );
      }
      return { samples, stacks: stackRows.length, frames: frameRows.length };
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function rowOf(batch: RecordBatch, i: number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const field of batch.schema.fields) row[field.name] = batch.getChild(field.name)?.get(i) ?? null;
  return row;
}
