import { DuckDBInstance } from '@duckdb/node-api';
const i = await DuckDBInstance.create(':memory:'); const c = await i.connect();
const d='/tmp/dsx/ds';
for (const q of [
 `SELECT profile_type, date, count(*) n, sum(value) v FROM read_parquet('${d}/samples/**/*.parquet', hive_partitioning=true, union_by_name=true) GROUP BY ALL ORDER BY n DESC LIMIT 8`,
 `DESCRIBE SELECT * FROM read_parquet('${d}/samples/**/*.parquet', hive_partitioning=true, union_by_name=true)`,
 `SELECT file, count(*) FROM read_parquet('${d}/frames/*.parquet') GROUP BY 1 ORDER BY 2 DESC LIMIT 5`,
 `SELECT count(*) FROM read_parquet('${d}/frames/*.parquet') WHERE function_line=0 AND file<>''`,
]) console.log((await c.runAndReadAll(q)).getRowObjectsJS());
