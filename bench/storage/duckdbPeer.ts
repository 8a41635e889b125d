import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import type { GeneratedCatalog, GeneratedSamples } from './generateSamples';
import type { MergeResult, PerLineResult } from './mergeResult';

/**
 * The peer: DuckDB in memory, in this process, through `@duckdb/node-api`. It gets the same rows as the store
 * through its Appender, row by row (what a client holding profile samples would do), and answers the same
 * queries in SQL. Stack ids are the store's (catalog index + 1), so results can be compared row for row.
 */
export class DuckDbPeer {
  private appender: DuckDBAppender | undefined;
  private mergeStatement: DuckDBPreparedStatement | undefined;
  private perLineStatement: DuckDBPreparedStatement | undefined;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(): Promise<DuckDbPeer> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(
      'CREATE TABLE samples (stack_id UINTEGER, timestamp BIGINT, value BIGINT, label_a VARCHAR, label_b VARCHAR)',
    );
    return new DuckDbPeer(instance, connection);
  }

  /** DuckDB's worker threads (it parallelises scans and aggregations; the store's query runs on one thread). */
  async threads(): Promise<number> {
    const reader = await this.connection.runAndReadAll("SELECT current_setting('threads')");
    return Number(reader.getRows()[0]![0]);
  }

  /** Appends rows [from, to) through the Appender; call `commit` before querying them. */
  async append(catalog: GeneratedCatalog, samples: GeneratedSamples, from: number, to: number): Promise<void> {
    this.appender ??= await this.connection.createAppender('samples');
    const appender = this.appender;
    const { stackIndex, timestamps, values, labelA, labelB } = samples;
    for (let i = from; i < to; i++) {
      appender.appendUInteger(stackIndex[i]! + 1);
      appender.appendBigInt(BigInt(timestamps[i]!));
      appender.appendBigInt(BigInt(values[i]!));
      appender.appendVarchar(catalog.labelA[labelA[i]!]!);
      appender.appendVarchar(catalog.labelB[labelB[i]!]!);
      appender.endRow();
    }
  }

  /** Makes appended rows visible (the Appender buffers them), which is part of the ingest time. */
  commit(): void {
    this.appender?.flushSync();
  }

  /**
   * Stacks and frames as relational tables, the way the store's metadata would look in SQL: one row per
   * (stack, depth) and one per frame. Loaded once, outside any timing (like the store's interning).
   */
  async loadStacks(catalog: GeneratedCatalog): Promise<void> {
    await this.connection.run('CREATE TABLE frames (frame_id UINTEGER, function_name VARCHAR, file VARCHAR, line INTEGER)');
    await this.connection.run('CREATE TABLE stack_frames (stack_id UINTEGER, depth USMALLINT, frame_id UINTEGER)');
    const frames = await this.connection.createAppender('frames');
    catalog.frames.forEach((frame, i) => {
      frames.appendUInteger(i + 1);
      frames.appendVarchar(frame.functionName);
      frames.appendVarchar(frame.file);
      frames.appendInteger(frame.line);
      frames.endRow();
    });
    frames.closeSync();
    const stackFrames = await this.connection.createAppender('stack_frames');
    catalog.stacks.forEach((stack, i) => {
      for (let depth = 0; depth < stack.length; depth++) {
        stackFrames.appendUInteger(i + 1);
        stackFrames.appendUSmallInt(depth);
        stackFrames.appendUInteger(stack[depth]! + 1);
        stackFrames.endRow();
      }
    });
    stackFrames.closeSync();
  }

  /** The merge-stacks query with one label filter; every result row is fetched and converted to JS numbers. */
  async mergeStacks(labelA: string): Promise<MergeResult> {
    this.mergeStatement ??= await this.connection.prepare('SELECT stack_id, sum(value) FROM samples WHERE label_a = $1 GROUP BY stack_id');
    this.mergeStatement.bindVarchar(1, labelA);
    const reader = await this.mergeStatement.runAndReadAll();
    const [ids, sums] = reader.getColumns() as [number[], bigint[]];
    return { stackIds: Uint32Array.from(ids), sums: Float64Array.from(sums, Number) };
  }

  /**
   * Per-line cost in one file, with the same work split as the store's side: total value per stack first, then
   * each stack expanded to its frames; a line counts once per stack even if recursion repeats it.
   */
  async perLine(file: string): Promise<PerLineResult> {
    this.perLineStatement ??= await this.connection.prepare(`
      WITH per_stack AS (SELECT stack_id, sum(value) AS total FROM samples GROUP BY stack_id),
           stack_lines AS (SELECT DISTINCT sf.stack_id, f.line FROM stack_frames sf JOIN frames f ON f.frame_id = sf.frame_id WHERE f.file = $1)
      SELECT sl.line, sum(p.total) FROM stack_lines sl JOIN per_stack p ON p.stack_id = sl.stack_id GROUP BY sl.line`);
    this.perLineStatement.bindVarchar(1, file);
    const reader = await this.perLineStatement.runAndReadAll();
    const [lines, sums] = reader.getColumns() as [number[], bigint[]];
    return { lines: Int32Array.from(lines), sums: Float64Array.from(sums, Number) };
  }

  /** Writes the samples table with DuckDB's own Parquet writer (ZSTD) and returns the milliseconds it took. */
  async copyToParquet(path: string): Promise<number> {
    const started = performance.now();
    await this.connection.run(`COPY samples TO '${path.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd)`);
    return performance.now() - started;
  }

  /** Bytes DuckDB's buffer manager holds (its tables live outside the JS heap). */
  async memoryBytes(): Promise<number> {
    const reader = await this.connection.runAndReadAll('SELECT sum(memory_usage_bytes)::DOUBLE FROM duckdb_memory()');
    return Number(reader.getRows()[0]![0]);
  }

  close(): void {
    this.appender?.closeSync();
    this.mergeStatement?.destroySync();
    this.perLineStatement?.destroySync();
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
