import { compileLabelRegex, parseSelector, type LabelMatcher } from './selector';

/**
 * Whether samples that carry `labels` (and maybe other labels besides, which are not known here) could be selected
 * by `selector`: false only when a matcher on one of the known keys refuses its value. Used to skip views that new
 * samples cannot change (SamplesStoredNotification's labels). A selector that does not parse may match anything.
 */
export function selectorMayMatch(selector: string, labels: Readonly<Record<string, string>>): boolean {
  let matchers: LabelMatcher[];
  try {
    matchers = parseSelector(selector);
  } catch {
    return true;
  }
  return matchers.every(matcher => !Object.hasOwn(labels, matcher.key) || matcherAccepts(matcher, labels[matcher.key]!));
}

/**
 * One matcher on one value, as the store applies it (storage/query/selection.ts: regular expressions anchored). A
 * sample without the label has the value '' (Prometheus' rule).
 */
export function matcherAccepts(matcher: LabelMatcher, value: string): boolean {
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return compileLabelRegex(matcher.value).test(value);
    case '!~':
      return !compileLabelRegex(matcher.value).test(value);
  }
}
