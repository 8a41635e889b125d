import { and, type Predicate } from './expression';
import { columnsRead, outputColumns, type LogicalPlan } from './logicalPlan';

/**
 * Rewrites a logical plan into an equivalent one that reads less:
 *
 * 1. Adjacent filters merge into one AND (one pass over each batch instead of two).
 * 2. Projection pushdown: each node is told which of its columns its parent uses, so the scan reads exactly
 *    the columns some operator needs: a filter's columns are added, unused ones are dropped, and a project
 *    narrows to what its parent reads.
 * 3. Predicate pushdown: the filters directly above the scan (through projects, which do not change rows)
 *    become the scan's `prune` predicate, which the scan hands to the store as `mayMatch` so that blocks the
 *    statistics rule out are never read. The filters stay in place: pruning is per block, not per row.
 *
 * If pruning columns changes what the root produces (a filter added its column to a bare scan), a project on
 * top restores the columns the caller asked for.
 */
export function optimize(plan: LogicalPlan): LogicalPlan {
  const merged = mergeFilters(plan);
  const wanted = outputColumns(plan);
  let pruned = pruneColumns(merged, wanted === '*' ? '*' : new Set(wanted));
  const produced = outputColumns(pruned);
  if (wanted !== '*' && (produced === '*' || !sameList(produced, wanted))) {
    pruned = Object.freeze({ kind: 'project', input: pruned, columns: wanted });
  }
  return pushPredicates(pruned, []);
}

function mergeFilters(plan: LogicalPlan): LogicalPlan {
  switch (plan.kind) {
    case 'scan':
      return plan;
    case 'filter': {
      const input = mergeFilters(plan.input);
      if (input.kind === 'filter') {
        return Object.freeze({ kind: 'filter', input: input.input, predicate: and(input.predicate, plan.predicate) });
      }
      return Object.freeze({ ...plan, input });
    }
    default:
      return Object.freeze({ ...plan, input: mergeFilters(plan.input) });
  }
}

/** Rebuilds `plan` so that it produces (at least) `required` columns and reads no column nobody needs. */
function pruneColumns(plan: LogicalPlan, required: Set<string> | '*'): LogicalPlan {
  switch (plan.kind) {
    case 'scan': {
      if (required === '*') return plan;
      // Declared columns keep their order (so a bare scan is unchanged); columns added for operators follow, sorted.
      const declared = plan.columns === '*' ? [] : plan.columns.filter(c => required.has(c));
      const added = [...required].filter(c => !declared.includes(c)).sort();
      return Object.freeze({ ...plan, columns: Object.freeze([...declared, ...added]) });
    }
    case 'filter': {
      const needed = required === '*' ? '*' : union(required, columnsRead(plan));
      if (needed === '*') {
        // A scan of every column already includes the filter's columns; an explicit scan list must gain them.
        const input = pruneColumns(plan.input, inputNeedsAll(plan.input, columnsRead(plan)));
        return Object.freeze({ ...plan, input });
      }
      return Object.freeze({ ...plan, input: pruneColumns(plan.input, needed) });
    }
    case 'project': {
      const columns = required === '*' ? plan.columns : plan.columns.filter(c => required.has(c));
      // A project must produce at least one column to carry row counts; keep the first if none is used.
      const kept = columns.length > 0 ? columns : plan.columns.slice(0, 1);
      return Object.freeze({ kind: 'project', input: pruneColumns(plan.input, new Set(kept)), columns: Object.freeze(kept) });
    }
    case 'aggregate':
      return Object.freeze({ ...plan, input: pruneColumns(plan.input, columnsRead(plan)) });
    case 'distinct':
      return Object.freeze({ ...plan, input: pruneColumns(plan.input, columnsRead(plan)) });
    case 'limit':
      return Object.freeze({ ...plan, input: pruneColumns(plan.input, required) });
  }
}

/** What a filter asks of its input when its parent wants every column: all of the input's columns plus its own. */
function inputNeedsAll(input: LogicalPlan, filterColumns: Set<string>): Set<string> | '*' {
  const produced = outputColumns(input);
  return produced === '*' ? '*' : union(new Set(produced), filterColumns);
}

function pushPredicates(plan: LogicalPlan, above: Predicate[]): LogicalPlan {
  switch (plan.kind) {
    case 'scan': {
      // The prune predicate is derived only from the filters above, so optimising twice changes nothing.
      if (above.length === 0) return plan;
      return Object.freeze({ ...plan, prune: and(...above) });
    }
    case 'filter':
      return Object.freeze({ ...plan, input: pushPredicates(plan.input, [...above, plan.predicate]) });
    case 'project':
      return Object.freeze({ ...plan, input: pushPredicates(plan.input, above) });
    default:
      // Aggregates, distinct and limit change which rows exist, so nothing above them constrains the scan.
      return Object.freeze({ ...plan, input: pushPredicates(plan.input, []) });
  }
}

function union(a: Set<string>, b: Set<string>): Set<string> {
  const out = new Set(a);
  for (const x of b) out.add(x);
  return out;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
