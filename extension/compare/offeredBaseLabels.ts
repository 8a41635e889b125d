import { quoteLabelValue } from '../../common/selector';
import { TRACK_LABEL_KEYS } from '../../common/timeOrder';

/** One label of a dataset as the agent lists it (SourceLabelsRequest): its values, the first ones when truncated. */
export interface ListedLabel {
  key: string;
  values: readonly string[];
  truncated: boolean;
}

/** A selector offered as a base, and the label it selects by. */
export interface OfferedSelector {
  key: string;
  value: string;
  selector: string;
}

/** Runs are told apart by branch first ("my branch against CI's main"); then by commit, then the other labels. */
export const BRANCH_KEY = 'branch';
/** The label Icicle puts a run's commit in (common/gitLabels.ts), a full hash; a CI job may label short ones. */
export const COMMIT_KEY = 'commit';
const FIRST_KEYS = [BRANCH_KEY, COMMIT_KEY];

/**
 * Labels never offered: each value is one run, process or thread (a base of one run has no spread to test against),
 * where a profile was read from, or one comparison's runs of both branches together. They can still be typed.
 */
const NOT_OFFERED = new Set<string>([...TRACK_LABEL_KEYS, 'source', 'source_root', 'format', 'compare_id']);

/** A label other than branch with more values than this is typed, not listed: a picker of hundreds is unusable. */
export const MAX_VALUES_OF_OTHER_LABEL = 8;
/** At most this many selectors of labels other than branch per dataset. */
export const MAX_OTHER_SELECTORS = 24;

/**
 * The selectors the base picker offers for a dataset: every `branch` value, then, for each other run label (commit
 * first, then by name) with a few values, each value; labels with many values, those that no longer fit and those of
 * NOT_OFFERED are left to a typed selector. Keeps the list short enough to read.
 */
export function offeredSelectors(labels: readonly ListedLabel[]): OfferedSelector[] {
  const rank = (key: string) => (FIRST_KEYS.includes(key) ? FIRST_KEYS.indexOf(key) : FIRST_KEYS.length);
  const ordered = [...labels].sort((a, b) => rank(a.key) - rank(b.key) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const offered: OfferedSelector[] = [];
  let others = 0;
  for (const label of ordered) {
    const isBranch = label.key === BRANCH_KEY;
    if (!isBranch) {
      // A label is offered whole or not at all: half of a label's values would read as all of them.
      if (NOT_OFFERED.has(label.key) || label.truncated || label.values.length > MAX_VALUES_OF_OTHER_LABEL || others + label.values.length > MAX_OTHER_SELECTORS) continue;
      others += label.values.length;
    }
    for (const value of label.values) offered.push({ key: label.key, value, selector: `{${label.key}=${quoteLabelValue(value)}}` });
  }
  return offered;
}
