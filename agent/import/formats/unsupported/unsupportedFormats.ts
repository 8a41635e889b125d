import { PROFILE_FORMATS, READABLE_SENTENCE, type RefusedFormat } from '../../../../common/profileFormats';
import { ProfileImportError } from '../../importedProfile';
import type { FormatRefusal } from '../formatReader';
import { isRecord } from '../parseSupport';

/**
 * Profile formats people open by mistake, or expect to work, that Icicle does not import: recognising them lets the
 * user read what the file is and how to get a profile Icicle reads, instead of a JSON error or "not a profile".
 * Each sniffer takes the parsed JSON or the start of the file's text (a few kilobytes).
 */

/**
 * The Firefox Profiler's formats: the raw Gecko profile (`meta` with `interval`, `threads`), the processed profile
 * profiler.firefox.com saves (`meta.preprocessedProfileVersion`), and the older DevTools "Recorded Performance Data"
 * file whose `profile` field holds a Gecko profile.
 */
export function looksLikeFirefox(input: unknown): boolean {
  if (typeof input === 'string') {
    const head = input.slice(0, 65536);
    if (!/^\ufeff?\s*\{/.test(head)) return false;
    return /"preprocessedProfileVersion"\s*:/.test(head) || /"fileType"\s*:\s*"Recorded Performance Data"/.test(head) || (/"meta"\s*:\s*\{/.test(head) && /"(interval|processType|startTime)"\s*:/.test(head) && /"threads"\s*:\s*\[/.test(head)) || /^\s*\{\s*"label"\s*:[^{]*"duration"\s*:[^{]*"markers"\s*:/.test(head);
  }
  if (!isRecord(input)) return false;
  if (input['fileType'] === 'Recorded Performance Data') return true;
  const gecko = isRecord(input['profile']) && !Array.isArray(input['traceEvents']) ? input['profile'] : input;
  return isRecord(gecko['meta']) && Array.isArray(gecko['threads']);
}

export function firefoxProfileError(displayName: string): ProfileImportError {
  return new ProfileImportError(
    displayName,
    'unknown',
    `it is a ${PROFILE_FORMATS.firefox.name}. ${READABLE_SENTENCE}: open it in speedscope (https://www.speedscope.app reads Firefox profiles), save it with its Export button and open the .speedscope.json file.`,
  );
}

/**
 * The formats Icicle recognises only to refuse them (common/profileFormats.ts).
 */
export const FORMAT_REFUSALS: Record<RefusedFormat, FormatRefusal> = {
  firefox: { sniffJson: looksLikeFirefox, error: firefoxProfileError },
};

/** The error for a file in a format Icicle recognises but does not import, or undefined when it is none of them. */
export function unsupportedFormatError(input: unknown, displayName: string): ProfileImportError | undefined {
  for (const refusal of Object.values(FORMAT_REFUSALS)) if (refusal.sniffJson(input)) return refusal.error(displayName);
  return undefined;
}
