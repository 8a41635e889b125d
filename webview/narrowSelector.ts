import { formatSelector, parseSelector } from '../common/selector';

/**
 * The selector narrowed to one value of a label, `{…, key="value"}`, for the By Label tab: matchers on other labels
 * are kept, any on this label are replaced (a value chosen among a route's is that route's, whatever narrowed to it
 * before). A null value selects the samples without the label (`key=""`, as Prometheus reads an absent label).
 */
export function narrowSelector(selector: string, key: string, value: string | null): string {
  const kept = parseSelector(selector).filter(matcher => matcher.key !== key);
  return formatSelector([...kept, { key, op: '=', value: value ?? '' }]);
}
