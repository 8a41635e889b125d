import type { Data, RecordBatch, Table } from 'apache-arrow';
import { COLUMN, type BlockStats } from '../schema';
import { gather, makeBatch, unifiedTable } from './arrowBuild';
import type { NodeStats } from './explain';
import { groupKey, type LogicalPlan, type ScanNode } from './logicalPlan';
import { aggregateOperator, filterOperator, limitOperator, projectOperator, type Chunk } from './operators';
import { optimize } from './optimizer';
import { mayMatch } from './pruning';
import type { ScanSource } from './scanSource';
import { yieldIfSliceSpent } from './yieldSlice';

export interface QueryResult {
  /** The rows, with the plan's output columns in order. */
  table: Table;
  /** The optimised plan that ran. */
  plan: LogicalPlan;
  /** Counters per node of `plan`, for `explain(plan, { analyze: stats })`. */
  stats: Map<LogicalPlan, NodeStats>;
}

export interface ExecuteOptions {
  /** Run the plan as given (tests of the optimizer compare both). Default: optimise first. */
  optimize?: boolean;
}

/** Optimises and runs a logical plan against a snapshot, returning the result as an Arrow table. */
export async function executePlan(plan: LogicalPlan, source: ScanSource, options: ExecuteOptions = {}): Promise<QueryResult> {
  const physical = options.optimize === false ? plan : optimize(plan);
  const stats = new Map<LogicalPlan, NodeStats>();
  const stream = build(physical, source, stats);
  const batches: RecordBatch[] = [];
  for await (const chunk of stream) batches.push(materialize(chunk));
  const table = unifiedTable(resolvedColumns(physical, source), batches);
  return { table, plan: physical, stats };
}

/** Runs a plan and hands each result chunk (batch + selection) to the caller without building a table. */
export async function* executeChunks(plan: LogicalPlan, source: ScanSource, stats = new Map<LogicalPlan, NodeStats>()): AsyncGenerator<Chunk> {
  yield* build(optimize(plan), source, stats);
}

function build(plan: LogicalPlan, source: ScanSource, stats: Map<LogicalPlan, NodeStats>): AsyncIterable<Chunk> {
  const nodeStats: NodeStats = { rows: 0 };
  stats.set(plan, nodeStats);
  switch (plan.kind) {
    case 'scan':
      return scanOperator(plan, source, nodeStats);
    case 'filter':
      return filterOperator(build(plan.input, source, stats), plan.predicate, nodeStats);
    case 'project':
      return projectOperator(build(plan.input, source, stats), plan.columns, nodeStats);
    case 'aggregate':
      return aggregateOperator(build(plan.input, source, stats), plan.groupBy, plan.aggregates, source.metadata.stackCount, nodeStats, source);
    case 'distinct':
      return aggregateOperator(build(plan.input, source, stats), plan.columns.map(c => groupKey(c)), [], 0, nodeStats, source);
    case 'limit':
      return limitOperator(build(plan.input, source, stats), plan.count, nodeStats);
  }
}

async function* scanOperator(plan: ScanNode, source: ScanSource, stats: NodeStats): AsyncGenerator<Chunk> {
  stats.batchesRead = 0;
  stats.batchesPruned = 0;
  const prune = plan.prune;
  const available = source.columnNames();
  // Ask only for columns that exist somewhere (a label nobody wrote reads as null without the store's help),
  // and for at least one, so that batches still carry their row counts.
  const present = plan.columns === '*' ? available : plan.columns.filter(c => available.includes(c));
  const columns = present.length > 0 ? present : [COLUMN.timestamp];
  const request = {
    columns,
    ...(prune === undefined
      ? {}
      : {
          mayMatch: (blockStats: BlockStats): boolean => {
            const keep = mayMatch(prune, blockStats);
            if (!keep) stats.batchesPruned! += 1;
            return keep;
          },
        }),
  };
  for await (const batch of source.scan(request)) {
    // Other requests get the thread between batches once this one has held it for a slice (yieldSlice.ts).
    const pause = yieldIfSliceSpent(source);
    if (pause) await pause;
    stats.batchesRead! += 1;
    if (batch.numRows === 0) continue;
    stats.rows += batch.numRows;
    yield { batch, rows: null };
  }
}

/** A chunk's selected rows as a batch of their own. */
function materialize(chunk: Chunk): RecordBatch {
  if (chunk.rows === null) return chunk.batch;
  const rows = chunk.rows;
  const batch = chunk.batch;
  const children = batch.data.children.map(child => gather(child as Data, rows));
  return makeBatch(batch.schema.fields.map(f => f.name), children, rows.length);
}

/** The result's column names: the plan's output, with a scan of every column resolved against the source. */
function resolvedColumns(plan: LogicalPlan, source: ScanSource): readonly string[] {
  switch (plan.kind) {
    case 'scan':
      return plan.columns === '*' ? source.columnNames() : plan.columns;
    case 'filter':
    case 'limit':
      return resolvedColumns(plan.input, source);
    case 'project':
    case 'distinct':
      return plan.columns;
    case 'aggregate':
      return [...plan.groupBy.map(k => k.as), ...plan.aggregates.map(a => a.as)];
  }
}
