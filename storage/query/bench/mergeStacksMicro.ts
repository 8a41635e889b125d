/**
 * Micro-benchmark of the merge-stacks query (filter one label = value, sum(value) group by stack_id) against
 * a plain typed-array loop over the same arrays, and (when @duckdb/node-api loads) DuckDB over the same data
 * generated in SQL. Not a test: run with `node --import tsx storage/query/bench/mergeStacksMicro.ts`.
 *
 * Data: 10M rows in 10 batches, 20,000 stacks with a skewed (cubic) distribution, label_a with 50 values and
 * label_b with 10,000, each batch with its own dictionaries as blocks of the store would have.
 */
import type { RecordBatch } from 'apache-arrow';
import { labelColumn } from '../../schema';
import { dictionaryColumn, makeBatch, numberColumn } from '../arrowBuild';
import { mergeStacks } from '../mergeStacks';
import { BatchSource } from '../testing/batchSource';

const ROWS = Number(process.env['ROWS'] ?? 10_000_000);
const BATCHES = 10;
const STACKS = 20_000;
const A_VALUES = 50;
const B_VALUES = 10_000;
const RUNS = 5;
const TARGET = 'a7';

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

interface Generated {
  source: BatchSource;
  raw: { a: Int32Array; stack: Uint32Array; value: Float64Array; target: number }[];
}

function generate(): Generated {
  const source = new BatchSource();
  const frames = Array.from({ length: 200 }, (_, i) =>
    source.metadata.internFrame({ functionName: `f${i}`, file: `/w/file${i % 20}.js`, line: i + 1, column: 1, module: '', address: 0 }),
  );
  for (let s = 0; s < STACKS; s++) source.metadata.internStack([frames[s % 200]!, frames[Math.floor(s / 200) % 200]!, frames[(s * 7) % 200]!]);
  const aStrings = Array.from({ length: A_VALUES }, (_, i) => `a${i}`);
  const bStrings = Array.from({ length: B_VALUES }, (_, i) => `b${i}`);
  const rand = random(42);
  const per = ROWS / BATCHES;
  const raw: Generated['raw'] = [];
  for (let b = 0; b < BATCHES; b++) {
    const a = new Int32Array(per);
    const bl = new Int32Array(per);
    const stack = new Uint32Array(per);
    const value = new Float64Array(per);
    const ts = new Float64Array(per);
    for (let i = 0; i < per; i++) {
      const r = rand();
      stack[i] = 1 + Math.floor(STACKS * r * r * r);
      a[i] = Math.floor(A_VALUES * rand());
      bl[i] = Math.floor(B_VALUES * rand());
      value[i] = 10_000_000;
      ts[i] = 1_700_000_000_000 + b * per + i;
    }
    const batch: RecordBatch = makeBatch(
      ['profile_type', 'timestamp', 'value', 'stack_id', labelColumn('label_a'), labelColumn('label_b')],
      [
        dictionaryColumn(['cpu'], new Int32Array(per)),
        numberColumn(ts),
        numberColumn(value),
        numberColumn(stack),
        dictionaryColumn(aStrings, a),
        dictionaryColumn(bStrings, bl),
      ],
      per,
    );
    source.append(batch);
    raw.push({ a, stack, value, target: aStrings.indexOf(TARGET) });
  }
  return { source, raw };
}

function baseline(raw: Generated['raw']): Float64Array {
  const sums = new Float64Array(STACKS + 1);
  const counts = new Float64Array(STACKS + 1);
  for (const { a, stack, value, target } of raw) {
    for (let i = 0; i < a.length; i++) {
      if (a[i] === target) {
        sums[stack[i]!]! += value[i]!;
        counts[stack[i]!]! += 1;
      }
    }
  }
  return sums;
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)]!;
}

async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  const times: number[] = [];
  await fn(); // warm-up
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

async function duckdb(): Promise<{ withRows: number; inside: number; oneThread: number } | string> {
  let api: typeof import('@duckdb/node-api');
  try {
    api = await import('@duckdb/node-api');
  } catch (error) {
    return `unavailable (${(error as Error).message})`;
  }
  const instance = await api.DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`
    CREATE TABLE samples AS
    SELECT 1 + floor(${STACKS} * pow(random(), 3))::UINTEGER AS stack_id,
           'a' || floor(${A_VALUES} * random())::INTEGER AS label_a,
           'b' || floor(${B_VALUES} * random())::INTEGER AS label_b,
           10000000::DOUBLE AS value,
           (1700000000000 + range)::DOUBLE AS timestamp
    FROM range(${ROWS})`);
  const query = `SELECT stack_id, sum(value), count(*) FROM samples WHERE label_a = '${TARGET}' GROUP BY stack_id`;
  // Timed twice: with the result converted to JS rows (what a caller needs) and left inside DuckDB.
  const withRows = await time(async () => (await connection.runAndReadAll(query)).getRows());
  const inside = await time(async () => connection.run(query));
  // The engine runs on one thread; DuckDB on one thread is the per-core comparison.
  await connection.run('SET threads TO 1');
  const oneThread = await time(async () => (await connection.runAndReadAll(query)).getRows());
  connection.closeSync();
  return { withRows, inside, oneThread };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const { source, raw } = generate();
  console.log(`generated ${ROWS} rows in ${BATCHES} batches in ${(performance.now() - t0).toFixed(0)} ms`);
  const expected = baseline(raw);
  const got = await mergeStacks(source, { matchers: [{ key: 'label_a', op: '=', value: TARGET }] });
  for (let k = 0; k < got.stackIds.length; k++) {
    if (expected[got.stackIds[k]!] !== got.values[k]) throw new Error(`mismatch at stack ${got.stackIds[k]}`);
  }
  const loop = await time(() => baseline(raw));
  const engine = await time(() => mergeStacks(source, { matchers: [{ key: 'label_a', op: '=', value: TARGET }] }));
  const regex = await time(() => mergeStacks(source, { matchers: [{ key: 'label_b', op: '=~', value: 'b1.*7' }] }));
  console.log(`plain typed-array loop: ${loop.toFixed(1)} ms (median of ${RUNS})`);
  console.log(`engine mergeStacks {label_a="${TARGET}"}: ${engine.toFixed(1)} ms (${(engine / loop).toFixed(2)}x the loop)`);
  console.log(`engine mergeStacks {label_b=~"b1.*7"}: ${regex.toFixed(1)} ms`);
  const duck = await duckdb();
  if (typeof duck !== 'string') {
    console.log(`duckdb same query, rows read into JS: ${duck.withRows.toFixed(1)} ms (engine is ${(duck.withRows / engine).toFixed(2)}x faster)`);
    console.log(`duckdb same query, result left in DuckDB: ${duck.inside.toFixed(1)} ms (engine is ${(duck.inside / engine).toFixed(2)}x faster)`);
    console.log(`duckdb same query, one thread, rows read into JS: ${duck.oneThread.toFixed(1)} ms (engine is ${(duck.oneThread / engine).toFixed(2)}x faster)`);
  }
  else console.log(`duckdb: ${duck}`);
}

void main();
