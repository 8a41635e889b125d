import { and, predicateColumns, type Predicate } from './expression';

/**
 * The logical plan: an immutable tree of relational operators, built bottom-up with `PlanBuilder`:
 *
 *   scan(columns) → filter(predicate) → project(columns) → aggregate(groupBy, aggregates) → distinct(columns) → limit(n)
 *
 * Nodes are frozen plain objects so that the optimizer rewrites by building new nodes, and a plan can be
 * shared, cached and printed without defensive copies.
 *
 * Column references are checked when the plan is built: project, aggregate and distinct may name only columns
 * their input produces (when the input's columns are known). A filter may name any column of the source,
 * because the optimizer adds the filter's columns to the scan.
 */
export type LogicalPlan = ScanNode | FilterNode | ProjectNode | AggregateNode | DistinctNode | LimitNode;

export interface ScanNode {
  readonly kind: 'scan';
  /** The columns to read, or '*' for every column of the source. */
  readonly columns: readonly string[] | '*';
  /** Predicate checked against block statistics (set by the optimizer); blocks it rules out are skipped. */
  readonly prune?: Predicate;
}

export interface FilterNode {
  readonly kind: 'filter';
  readonly input: LogicalPlan;
  readonly predicate: Predicate;
}

export interface ProjectNode {
  readonly kind: 'project';
  readonly input: LogicalPlan;
  readonly columns: readonly string[];
}

export type AggregateFunction = 'sum' | 'count' | 'min' | 'max';

export interface AggregateSpec {
  readonly fn: AggregateFunction;
  /** The argument; absent only for count(), which counts rows (count(column) counts non-null values). */
  readonly column?: string;
  readonly as: string;
}

/** A grouping key: a column, or a numeric column floored to multiples of `bucket` (time series). */
export interface GroupKey {
  readonly column: string;
  readonly bucket?: number;
  readonly as: string;
}

export interface AggregateNode {
  readonly kind: 'aggregate';
  readonly input: LogicalPlan;
  readonly groupBy: readonly GroupKey[];
  readonly aggregates: readonly AggregateSpec[];
}

export interface DistinctNode {
  readonly kind: 'distinct';
  readonly input: LogicalPlan;
  readonly columns: readonly string[];
}

export interface LimitNode {
  readonly kind: 'limit';
  readonly input: LogicalPlan;
  readonly count: number;
}

export const sum = (column: string, as: string = column): AggregateSpec => Object.freeze({ fn: 'sum', column, as });
export const min = (column: string, as: string = column): AggregateSpec => Object.freeze({ fn: 'min', column, as });
export const max = (column: string, as: string = column): AggregateSpec => Object.freeze({ fn: 'max', column, as });
/** count() of rows, or count(column) of its non-null values. */
export const count = (as = 'count', column?: string): AggregateSpec =>
  Object.freeze(column === undefined ? { fn: 'count', as } : { fn: 'count', column, as });

export function groupKey(column: string, bucket?: number, as: string = bucket === undefined ? column : 'bucket'): GroupKey {
  if (bucket !== undefined && !(bucket > 0 && Number.isFinite(bucket))) throw new Error(`bucket width must be positive, got ${bucket}`);
  return Object.freeze(bucket === undefined ? { column, as } : { column, bucket, as });
}

/** The columns a node produces, or '*' when they depend on the source (a scan of every column). */
export function outputColumns(plan: LogicalPlan): readonly string[] | '*' {
  switch (plan.kind) {
    case 'scan':
      return plan.columns;
    case 'filter':
    case 'limit':
      return outputColumns(plan.input);
    case 'project':
    case 'distinct':
      return plan.columns;
    case 'aggregate':
      return [...plan.groupBy.map(k => k.as), ...plan.aggregates.map(a => a.as)];
  }
}

export class PlanBuilder {
  private constructor(readonly plan: LogicalPlan) {}

  static scan(columns: readonly string[] | '*' = '*'): PlanBuilder {
    if (columns !== '*') assertUnique(columns, 'scan');
    return new PlanBuilder(Object.freeze({ kind: 'scan', columns: columns === '*' ? '*' : Object.freeze([...columns]) }));
  }

  static from(plan: LogicalPlan): PlanBuilder {
    return new PlanBuilder(plan);
  }

  filter(predicate: Predicate): PlanBuilder {
    return new PlanBuilder(Object.freeze({ kind: 'filter', input: this.plan, predicate }));
  }

  /** Keeps only rows satisfying every predicate; no predicates leaves the plan as it is. */
  where(...predicates: (Predicate | undefined)[]): PlanBuilder {
    const present = predicates.filter((p): p is Predicate => p !== undefined);
    return present.length === 0 ? this : this.filter(and(...present));
  }

  project(...columns: string[]): PlanBuilder {
    assertUnique(columns, 'project');
    this.assertAvailable(columns, 'project');
    return new PlanBuilder(Object.freeze({ kind: 'project', input: this.plan, columns: Object.freeze(columns) }));
  }

  aggregate(groupBy: readonly (string | GroupKey)[], aggregates: readonly AggregateSpec[]): PlanBuilder {
    const keys = groupBy.map(k => (typeof k === 'string' ? groupKey(k) : k));
    assertUnique([...keys.map(k => k.as), ...aggregates.map(a => a.as)], 'aggregate');
    this.assertAvailable(
      [...keys.map(k => k.column), ...aggregates.flatMap(a => (a.column === undefined ? [] : [a.column]))],
      'aggregate',
    );
    for (const a of aggregates) {
      if (a.fn !== 'count' && a.column === undefined) throw new Error(`${a.fn}() needs a column`);
    }
    return new PlanBuilder(
      Object.freeze({ kind: 'aggregate', input: this.plan, groupBy: Object.freeze(keys), aggregates: Object.freeze([...aggregates]) }),
    );
  }

  distinct(...columns: string[]): PlanBuilder {
    if (columns.length === 0) throw new Error('distinct needs at least one column');
    assertUnique(columns, 'distinct');
    this.assertAvailable(columns, 'distinct');
    return new PlanBuilder(Object.freeze({ kind: 'distinct', input: this.plan, columns: Object.freeze(columns) }));
  }

  limit(count: number): PlanBuilder {
    if (!Number.isInteger(count) || count < 0) throw new Error(`limit must be a non-negative integer, got ${count}`);
    return new PlanBuilder(Object.freeze({ kind: 'limit', input: this.plan, count }));
  }

  build(): LogicalPlan {
    return this.plan;
  }

  private assertAvailable(columns: readonly string[], operator: string): void {
    const available = outputColumns(this.plan);
    if (available === '*') return;
    for (const c of columns) {
      if (!available.includes(c)) {
        throw new Error(`${operator} refers to column ${JSON.stringify(c)}, which its input does not produce (${available.join(', ')})`);
      }
    }
  }
}

export const scan = PlanBuilder.scan;

/** Every column a node reads from its input (not its output). */
export function columnsRead(plan: Exclude<LogicalPlan, ScanNode>): Set<string> {
  switch (plan.kind) {
    case 'filter':
      return predicateColumns(plan.predicate);
    case 'project':
    case 'distinct':
      return new Set(plan.columns);
    case 'aggregate':
      return new Set([
        ...plan.groupBy.map(k => k.column),
        ...plan.aggregates.flatMap(a => (a.column === undefined ? [] : [a.column])),
      ]);
    case 'limit':
      return new Set();
  }
}

function assertUnique(columns: readonly string[], operator: string): void {
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) throw new Error(`${operator} names column ${JSON.stringify(c)} twice`);
    seen.add(c);
  }
}
