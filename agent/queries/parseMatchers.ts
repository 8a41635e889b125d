import { IcicleErrorCode, UserFacingError } from '../../common/errors';
import { parseSelector, type LabelMatcher } from '../../common/selector';

/** A selector from a request (the selection bar, a comparison, the source's picker) read into matchers, or refused in words. */
export function parseMatchers(selector: string): LabelMatcher[] {
  try {
    return parseSelector(selector);
  } catch (error) {
    // A syntax error names its position; an invalid regular expression says what is wrong with it.
    if (error instanceof Error) {
      throw new UserFacingError(IcicleErrorCode.InvalidParams, `The selection ${JSON.stringify(selector.slice(0, 200))} is not a label selector: ${error.message}`);
    }
    throw error;
  }
}
