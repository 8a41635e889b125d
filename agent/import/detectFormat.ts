import { looksLikeChromeTrace, parseChromeTrace } from './formats/chromeTrace/chromeTrace';
import { looksLikeCollapsed, parseCollapsed } from './formats/collapsed/collapsed';
import { cpuProfileToImported, looksLikeCpuProfile } from './formats/v8/cpuprofileImport';
import { looksLikePerfScript, parsePerfScript } from './formats/perf/perfScript';
import { decodeText } from './formats/parseSupport';
import { describeLegacyPprof, isPprof, parsePprof } from './formats/pprof/pprof';
import { looksLikeSpeedscope, parseSpeedscope } from './formats/speedscope/speedscope';
import { unsupportedFormatError } from './formats/unsupported/unsupportedFormats';
import { scanV8Profile } from './formats/v8/v8ProfileScanner';
import { separateIdle } from './idleTime';
import { placeProfiles, type TimeAnchor } from './timeAnchor';
import { ProfileImportError, type ImportedProfile, type ProfileFormat } from './importedProfile';

export interface ParsedFile {
  format: ProfileFormat;
  profiles: ImportedProfile[];
  /** Sentences about what the importer left out (skipped lines, samples naming unknown nodes), for the user. */
  notes: string[];
}

const READS = 'Icicle reads V8 CPU profiles (.cpuprofile), pprof, Chrome traces, `perf script` output, collapsed stacks and speedscope files.';

/**
 * Recognises a profile from its (decompressed) bytes, never from its name, and parses it: protobuf pprof; legacy
 * pprof (refused with what to do); JSON (V8 CPU profile, Chrome trace, speedscope; Firefox and heap profiles
 * refused with a reason); text (perf script, collapsed stacks). JSON is parsed once, here, and handed on. A file
 * that is none of these is refused with a ProfileImportError saying what Icicle reads. Profiles whose file does not
 * say when they were taken are placed by `anchor` (timeAnchor.ts); V8's idle samples are split from CPU time
 * (idleTime.ts).
 */
export function parseProfileBytes(bytes: Buffer, displayName: string, anchor: TimeAnchor): ParsedFile {
  const notes: string[] = [];
  const { format, profiles } = parseAnyFormat(bytes, displayName, notes);
  // V8's idle samples are waiting, not CPU time: they become a profile type of their own.
  return { format, profiles: placeProfiles(profiles, anchor).flatMap(separateIdle), notes };
}

function parseAnyFormat(bytes: Buffer, displayName: string, notes: string[]): Omit<ParsedFile, 'notes'> {
  if (bytes.length === 0) throw new ProfileImportError(displayName, 'unknown', `the file is empty. ${READS}`);
  const legacy = describeLegacyPprof(bytes);
  if (legacy !== undefined) throw new ProfileImportError(displayName, 'pprof', legacy);
  if (isPprof(bytes)) return { format: 'pprof', profiles: parsePprof(bytes, displayName) };
  // Collapsed stacks may be UTF-16; the sniffer reads the raw bytes, as far as its first lines go.
  if (looksLikeCollapsed(bytes)) return { format: 'collapsed', profiles: parseCollapsed(bytes, displayName, { notes }) };
  // A V8 profile as V8 writes it is read from its bytes; any other JSON, or an unusual V8 profile, is parsed below.
  if (firstByteIsBrace(bytes)) {
    const columns = scanV8Profile(bytes);
    if (columns) return { format: 'cpuprofile', profiles: [cpuProfileToImported({ columns }, displayName)] };
  }
  const text = decodeText(bytes);
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') return parseJsonProfile(text, displayName, notes);
  if (looksLikePerfScript(text.slice(0, 64 * 1024))) return { format: 'perf-script', profiles: parsePerfScript(text, displayName, { notes }) };
  throw new ProfileImportError(displayName, 'unknown', `it is not in a format Icicle recognises. ${READS}`);
}

function parseJsonProfile(text: string, displayName: string, notes: string[]): Omit<ParsedFile, 'notes'> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Not valid JSON: let the importer that most likely wrote it explain where it breaks and whether it looks cut off.
    if (text.trimStart().startsWith('[') || /"traceEvents"/.test(text.slice(0, 4096))) {
      return { format: 'chrome-trace', profiles: parseChromeTrace(text, displayName, { notes }) };
    }
    return { format: 'cpuprofile', profiles: [cpuProfileToImported(text, displayName)] };
  }
  const unsupported = unsupportedFormatError(json, displayName);
  if (unsupported) throw unsupported;
  if (looksLikeCpuProfile(json)) return { format: 'cpuprofile', profiles: [cpuProfileToImported({ json }, displayName)] };
  if (looksLikeSpeedscope(json)) return { format: 'speedscope', profiles: parseSpeedscope({ json }, displayName, { notes }) };
  if (looksLikeChromeTrace(json)) return { format: 'chrome-trace', profiles: parseChromeTrace({ json }, displayName, { notes }) };
  // An object with V8's top-level keys but the wrong shape: the V8 importer says precisely what is wrong.
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && ('nodes' in json || 'head' in json)) {
    return { format: 'cpuprofile', profiles: [cpuProfileToImported({ json }, displayName)] };
  }
  throw new ProfileImportError(displayName, 'unknown', `it is JSON, but not a profile Icicle recognises. ${READS}`);
}

function firstByteIsBrace(bytes: Buffer): boolean {
  let p = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (bytes[p] === 0x20 || bytes[p] === 0x0a || bytes[p] === 0x0d || bytes[p] === 0x09) p++;
  return bytes[p] === 0x7b;
}
