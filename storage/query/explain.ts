import { formatPredicate } from './expression';
import type { AggregateSpec, GroupKey, LogicalPlan } from './logicalPlan';
import { optimize } from './optimizer';

/** Counters an execution records per plan node (see execute.ts), shown by `explain(plan, { analyze })`. */
export interface NodeStats {
  /** Rows the node produced. */
  rows: number;
  /** Scans only: batches read, and blocks the prune predicate skipped. */
  batchesRead?: number;
  batchesPruned?: number;
}

export interface ExplainOptions {
  /** Print the plan as given instead of optimising it first. */
  raw?: boolean;
  /** Per-node counters from an execution of exactly this (optimised) plan, appended to each line. */
  analyze?: ReadonlyMap<LogicalPlan, NodeStats>;
}

/**
 * The plan as an indented text tree, root first, two spaces per level. The text is deterministic (column lists
 * in plan order, literals JSON-quoted) because golden logic tests compare it.
 */
export function explain(plan: LogicalPlan, options: ExplainOptions = {}): string {
  const tree = options.raw || options.analyze ? plan : optimize(plan);
  const lines: string[] = [];
  let node: LogicalPlan | undefined = tree;
  for (let depth = 0; node !== undefined; depth++) {
    const stats = options.analyze?.get(node);
    lines.push('  '.repeat(depth) + describeNode(node) + (stats ? ` ${describeStats(stats)}` : ''));
    node = node.kind === 'scan' ? undefined : node.input;
  }
  return lines.join('\n') + '\n';
}

export function describeNode(node: LogicalPlan): string {
  switch (node.kind) {
    case 'scan': {
      const columns = node.columns === '*' ? '*' : `[${node.columns.join(', ')}]`;
      return `Scan ${columns}${node.prune ? ` prune(${formatPredicate(node.prune)})` : ''}`;
    }
    case 'filter':
      return `Filter ${formatPredicate(node.predicate)}`;
    case 'project':
      return `Project [${node.columns.join(', ')}]`;
    case 'aggregate': {
      const aggregates = node.aggregates.map(formatAggregate).join(', ');
      const keys = node.groupBy.length > 0 ? ` by [${node.groupBy.map(formatGroupKey).join(', ')}]` : '';
      return `Aggregate${keys}${aggregates ? ` ${aggregates}` : ''}`;
    }
    case 'distinct':
      return `Distinct [${node.columns.join(', ')}]`;
    case 'limit':
      return `Limit ${node.count}`;
  }
}

function formatAggregate(a: AggregateSpec): string {
  return `${a.fn}(${a.column ?? ''}) AS ${a.as}`;
}

function formatGroupKey(k: GroupKey): string {
  const expr = k.bucket === undefined ? k.column : `bucket(${k.column}, ${k.bucket})`;
  return expr === k.as ? expr : `${expr} AS ${k.as}`;
}

function describeStats(stats: NodeStats): string {
  const parts: string[] = [];
  if (stats.batchesRead !== undefined) parts.push(`batches=${stats.batchesRead}`);
  if (stats.batchesPruned !== undefined) parts.push(`pruned=${stats.batchesPruned}`);
  parts.push(`rows=${stats.rows}`);
  return `(${parts.join(' ')})`;
}
