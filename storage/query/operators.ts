import type { Data, RecordBatch } from 'apache-arrow';
import { makeBatch, nullColumn } from './arrowBuild';
import type { NodeStats } from './explain';
import { HashAggregate } from './hashAggregate';
import type { AggregateSpec, GroupKey } from './logicalPlan';
import { compilePredicate, selectionLength, type RowSelection } from './predicateEval';
import type { Predicate } from './expression';
import { runSliced } from './yieldSlice';

/**
 * Physical operators. Data flows between them as chunks: a record batch plus a selection vector, so that a
 * filter never copies columns. Rows are gathered into new arrays only at the very end (execute.ts), and only
 * for plans whose result is row data rather than an aggregate.
 *
 * Each operator is an async generator over its input's chunks; a LIMIT that has enough rows returns, which
 * closes every generator below it and, through `for await`, the store's scan.
 */
export interface Chunk {
  readonly batch: RecordBatch;
  /** Rows of `batch` that are part of the stream (ascending), or null for all of them. */
  readonly rows: RowSelection;
}

export function chunkLength(chunk: Chunk): number {
  return selectionLength(chunk.rows, chunk.batch.numRows);
}

export async function* filterOperator(input: AsyncIterable<Chunk>, predicate: Predicate, stats: NodeStats): AsyncGenerator<Chunk> {
  const compiled = compilePredicate(predicate);
  for await (const chunk of input) {
    const rows = compiled.select(chunk.batch, chunk.rows);
    const n = selectionLength(rows, chunk.batch.numRows);
    if (n === 0) continue;
    stats.rows += n;
    yield { batch: chunk.batch, rows };
  }
}

/** Keeps the named columns, in order; a column a batch lacks (a label not yet written then) becomes nulls. */
export async function* projectOperator(input: AsyncIterable<Chunk>, columns: readonly string[], stats: NodeStats): AsyncGenerator<Chunk> {
  for await (const chunk of input) {
    const { batch } = chunk;
    const children: Data[] = columns.map(name => {
      const index = batch.schema.fields.findIndex(f => f.name === name);
      return index < 0 ? nullColumn(name, batch.numRows) : (batch.data.children[index] as Data);
    });
    stats.rows += chunkLength(chunk);
    yield { batch: makeBatch(columns, children, batch.numRows), rows: chunk.rows };
  }
}

export async function* limitOperator(input: AsyncIterable<Chunk>, count: number, stats: NodeStats): AsyncGenerator<Chunk> {
  if (count === 0) return;
  let remaining = count;
  for await (const chunk of input) {
    const n = chunkLength(chunk);
    if (n <= remaining) {
      remaining -= n;
      stats.rows += n;
      yield chunk;
    } else {
      // Truncate the selection rather than the batch: no column is copied.
      const rows = chunk.rows === null ? identity(remaining) : chunk.rows.subarray(0, remaining);
      stats.rows += remaining;
      remaining = 0;
      yield { batch: chunk.batch, rows };
    }
    if (remaining === 0) return;
  }
}

export async function* aggregateOperator(
  input: AsyncIterable<Chunk>,
  groupBy: readonly GroupKey[],
  aggregates: readonly AggregateSpec[],
  stackCount: number,
  stats: NodeStats,
  /** What stands for the query (its source) in yieldSlice.ts: the result is put together in its slices too. */
  query: object,
): AsyncGenerator<Chunk> {
  const aggregate = new HashAggregate(groupBy, aggregates, stackCount);
  for await (const chunk of input) aggregate.add(chunk.batch, chunk.rows);
  const batch = await runSliced(query, aggregate.finishSteps());
  stats.rows += batch.numRows;
  if (batch.numRows > 0) yield { batch, rows: null };
}

function identity(n: number): Uint32Array {
  const rows = new Uint32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}
