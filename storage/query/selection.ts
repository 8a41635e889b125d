import type { LabelMatcher } from '../../common/selector';
import { COLUMN, LABEL_KEY_PATTERN, labelColumn } from '../schema';
import { and, compare, gte, lt, regex, type Predicate } from './expression';

/** What a product query looks at: one profile type, the rows whose labels match, within a time range. */
export interface Selection {
  profileType?: string;
  matchers: readonly LabelMatcher[];
  /** Half-open: startMs ≤ timestamp < endMs, so adjacent ranges never count a sample twice. */
  timeRange?: { startMs: number; endMs: number };
}

/**
 * The predicate a selection stands for, or undefined when it selects everything. Matchers keep Prometheus'
 * meaning (expression.ts): an absent label reads as '', so `{pid!="3"}` keeps rows without a pid.
 */
export function selectionPredicate(selection: Selection): Predicate | undefined {
  const parts: Predicate[] = [];
  if (selection.profileType !== undefined) parts.push(compare(COLUMN.profileType, '=', selection.profileType));
  for (const m of selection.matchers) {
    if (!LABEL_KEY_PATTERN.test(m.key)) throw new Error(`invalid label name ${JSON.stringify(m.key)}`);
    const column = labelColumn(m.key);
    parts.push(m.op === '=~' || m.op === '!~' ? regex(column, m.op, m.value) : compare(column, m.op, m.value));
  }
  if (selection.timeRange !== undefined) {
    const { startMs, endMs } = selection.timeRange;
    parts.push(gte(COLUMN.timestamp, startMs), lt(COLUMN.timestamp, endMs));
  }
  return parts.length === 0 ? undefined : and(...parts);
}

export const everything: Selection = Object.freeze({ matchers: Object.freeze([]) });
