import type { ChangeRow } from '../../common/protocol/compareViewProtocol';

/**
 * The compare panel's rows in the order a reader wants them: what changed first, the rest folded away. A comparison
 * of a real program lists a hundred functions, most of which did not move; listing them all first buried the few
 * that did and pushed the differential flame graph out of sight.
 */
export interface ChangeGroups {
  /** Significant changes (or, when significance is unknown, every row that moved), largest effect first. */
  shown: ChangeRow[];
  /** Tested and not significant: the difference is within the runs' noise. Largest first. */
  withinNoise: ChangeRow[];
  /** The same cost on both sides, to the display's precision. */
  zero: ChangeRow[];
}

/**
 * A delta smaller than this share of the larger side's mean total is floating-point error, and counts as zero: means
 * of equal runs do not always subtract to exactly 0. Anything the table would show as a difference is larger.
 */
const ZERO_SHARE = 1e-9;

export function groupChanges(changes: readonly ChangeRow[], runTotal: number): ChangeGroups {
  const groups: ChangeGroups = { shown: [], withinNoise: [], zero: [] };
  const epsilon = Math.max(runTotal, 0) * ZERO_SHARE;
  for (const row of changes) {
    if (Math.abs(row.delta) <= epsilon) groups.zero.push(row);
    else if (row.verdict === 'unchanged') groups.withinNoise.push(row);
    else groups.shown.push(row);
  }
  // Effect first: the largest absolute change per run, whichever its direction; then by name, so equal rows keep an order.
  const byEffect = (x: ChangeRow, y: ChangeRow): number => Math.abs(y.delta) - Math.abs(x.delta) || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0);
  groups.shown.sort(byEffect);
  groups.withinNoise.sort(byEffect);
  groups.zero.sort((x, y) => Math.max(y.a.mean, y.b.mean) - Math.max(x.a.mean, x.b.mean) || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return groups;
}
