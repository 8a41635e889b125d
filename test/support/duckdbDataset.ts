import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

/** Runs `work` with a connection to a fresh in-memory DuckDB, closed afterwards. */
export async function withDuckDb<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return await work(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The rows of a query as objects, every BIGINT / HUGEINT made a number (exact below 2^53, as the tests' sums are). */
export async function rowsOf(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS();
  return rows.map(row => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
}

/** The ```sql blocks of a markdown file, in order. */
export function sqlBlocks(markdownPath: string): string[] {
  return [...readFileSync(markdownPath, 'utf8').matchAll(/^```sql\n([\s\S]*?)^```$/gm)].map(m => m[1]!);
}

/** The views that read the Parquet dataset `dir` (the views block of docs/design/parquet-dataset.md, pointed at `dir`). */
export function viewsOver(viewsSql: string, dirs: readonly string[]): string {
  const sql = dirs.length === 1 ? viewsSql.replaceAll("'icicle-dataset/", `'${dirs[0]}/`) : viewsSql.replace(/'icicle-dataset\/([^']*)'/g, (_, rest: string) => `[${dirs.map(d => `'${d}/${rest}'`).join(', ')}]`);
  if (sql === viewsSql) throw new Error('the views name no icicle-dataset/ path');
  return sql;
}
