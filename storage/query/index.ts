/**
 * storage/query: the query engine over ScanSource snapshots. See each module for its part:
 * expression.ts (predicates) → logicalPlan.ts (builder) → optimizer.ts → execute.ts (operators.ts,
 * hashAggregate.ts, predicateEval.ts, pruning.ts) → explain.ts. Icicle's own queries, built on it, are in agent/queries/.
 */
export type { ScanRequest, ScanSource } from './scanSource';
export * from './expression';
export {
  PlanBuilder,
  count,
  groupKey,
  max,
  min,
  outputColumns,
  scan,
  sum,
  type AggregateFunction,
  type AggregateNode,
  type AggregateSpec,
  type DistinctNode,
  type FilterNode,
  type GroupKey,
  type LimitNode,
  type LogicalPlan,
  type ProjectNode,
  type ScanNode,
} from './logicalPlan';
export { optimize } from './optimizer';
export { explain, type ExplainOptions, type NodeStats } from './explain';
export { executeChunks, executePlan, type ExecuteOptions, type QueryResult } from './execute';
export type { Chunk } from './operators';
export { mayMatch } from './pruning';
export { compilePredicate, type CompiledPredicate, type RowSelection } from './predicateEval';
export { parsePlan, parsePredicate } from './planText';
export { everything, selectionPredicate, type Selection } from './selection';
export { firstLabelValues, type LabelValuePage, type LabelValuesOptions } from './firstLabelValues';
export { numbers, strings } from './resultColumns';
export { runSliced, yieldIfSliceSpent } from './yieldSlice';
