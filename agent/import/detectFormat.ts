import { cpuProfileToImported, looksLikeCpuProfile } from './formats/cpuprofileImport';
import { decodeText, isRecord } from './formats/parseSupport';
import { describeLegacyPprof, isPprof, parsePprof } from './formats/pprof';
import { ProfileImportError, type ImportedProfile, type ProfileFormat } from './importedProfile';

export interface ParsedFile {
  format: ProfileFormat;
  profiles: ImportedProfile[];
}

/**
 * Recognises a profile from its (decompressed) bytes, never from its name alone, and parses it: protobuf pprof;
 * legacy pprof (refused with what to do); JSON (V8 CPU profile, Chrome trace, speedscope; Firefox and heap
 * profiles refused with a reason); text (perf script, collapsed stacks). A file that is none of these is refused
 * with a ProfileImportError saying what Icicle reads.
 */
export function parseProfileBytes(bytes: Buffer, displayName: string, startMs: number): ParsedFile {
  if (bytes.length === 0) throw new ProfileImportError(displayName, 'unknown', 'the file is empty.');
  const legacy = describeLegacyPprof(bytes);
  if (legacy !== undefined) throw new ProfileImportError(displayName, 'pprof', legacy);
  if (isPprof(bytes)) return { format: 'pprof', profiles: parsePprof(bytes, displayName) };
  const text = decodeText(bytes);
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // A JSON-looking file that does not parse: let the importer its name suggests explain where it breaks.
      if (/\.cpuprofile$/i.test(displayName) || first === '{') return { format: 'cpuprofile', profiles: [cpuProfileToImported(text, displayName, startMs)] };
      throw new ProfileImportError(displayName, 'unknown', 'it starts like JSON but is not valid JSON.');
    }
    if (looksLikeCpuProfile(json)) return { format: 'cpuprofile', profiles: [cpuProfileToImported({ json }, displayName, startMs)] };
    void isRecord;
  }
  throw new ProfileImportError(
    displayName,
    'unknown',
    'Icicle reads V8 CPU profiles (.cpuprofile), pprof, Chrome traces, `perf script` output, collapsed stacks and speedscope files.',
  );
}
