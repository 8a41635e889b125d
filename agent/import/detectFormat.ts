import { READABLE_SENTENCE, type ProfileFormat } from '../../common/profileFormats';
import { FORMAT_READERS } from './formatReaders';
import { ProfileFile, type Claim, type FormatReader } from './formats/formatReader';
import { unsupportedFormatError } from './formats/unsupported/unsupportedFormats';
import { separateIdle } from './idleTime';
import { placeProfiles, type TimeAnchor } from './timeAnchor';
import { ProfileImportError, type ImportedProfile } from './importedProfile';

export interface ParsedFile {
  format: ProfileFormat;
  profiles: ImportedProfile[];
  /** Sentences about what the importer left out (skipped lines, samples naming unknown nodes), for the user. */
  notes: string[];
}

const READS = `${READABLE_SENTENCE}.`;

/** The readers in detection order. */
const READERS = Object.entries(FORMAT_READERS) as [ProfileFormat, FormatReader][];

/**
 * Recognises a profile from its (decompressed) bytes, never from its name, and parses it, asking the format readers
 * (formatReaders.ts) stage by stage: the raw bytes (protobuf pprof, legacy pprof refused with what to do, collapsed
 * stacks, V8's own layout); then, for text starting like JSON, the JSON, parsed once here and handed on (V8 CPU
 * profile, speedscope, Chrome trace; Firefox and heap profiles refused with a reason), or, when it does not parse,
 * the likely writer's reader to say where it breaks; else the text (perf script). A file that is none of these is
 * refused with a ProfileImportError saying what Icicle reads. Profiles whose file does not say when they were taken
 * are placed by `anchor` (timeAnchor.ts); V8's idle samples are split from CPU time (idleTime.ts).
 */
export function parseProfileBytes(bytes: Buffer, displayName: string, anchor: TimeAnchor): ParsedFile {
  const notes: string[] = [];
  const { format, profiles } = parseAnyFormat(bytes, displayName, notes);
  return finishParsed(format, profiles, notes, anchor);
}

/** A file's profiles as read, placed in time; V8's idle samples are waiting, not CPU time: a profile type of their own. */
export function finishParsed(format: ProfileFormat, profiles: ImportedProfile[], notes: string[], anchor: TimeAnchor): ParsedFile {
  return { format, profiles: placeProfiles(profiles, anchor).flatMap(separateIdle), notes };
}

/** How a file can be read as a stream (streamImport.ts): by its format's line reader (of text or bytes), or its chunk reader. */
export type Streamable =
  | { format: ProfileFormat; lines: NonNullable<FormatReader['lines']>; byteLines?: undefined; chunks?: undefined }
  | { format: ProfileFormat; byteLines: NonNullable<FormatReader['byteLines']>; lines?: undefined; chunks?: undefined }
  | { format: ProfileFormat; chunks: NonNullable<FormatReader['chunks']>; lines?: undefined; byteLines?: undefined };

/**
 * How a file can be read as a stream, from its first bytes (`head`, 256 KB or the whole file): when detection would
 * give it to a reader that reads lines (FormatReader.lines or byteLines: collapsed stacks, perf script), or to one that reads
 * chunks and sees the file open as it can stream it (FormatReader.chunks: a V8 profile as V8 writes it, a Chrome
 * trace, whose reader checks its JSON with jsonFormat when it has read it); undefined
 * for anything else, which is read whole: compressed or UTF-16 files, refusals, binary formats, other JSON, and text
 * formats without a line reader. Detection's own order and sniffers decide, on the same first 64K characters
 * parseProfileBytes gives the text sniffers.
 */
export function streamableFormat(head: Buffer): Streamable | undefined {
  if (head.length < 2 || (head[0] === 0x1f && head[1] === 0x8b)) return undefined;
  if (head[0] === 0 || head[1] === 0 || (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return undefined;
  if (READERS.some(([, reader]) => reader.refuse?.(head) !== undefined)) return undefined;
  const file = new ProfileFile(head);
  const streamable = (found: [ProfileFormat, FormatReader] | undefined): Streamable | undefined => {
    if (found === undefined) return undefined;
    const [format, { lines, byteLines, chunks }] = found;
    if (byteLines) return { format, byteLines };
    if (lines) return { format, lines };
    if (chunks?.starts(head)) return { format, chunks };
    return undefined;
  };
  // A byte sniffer sees only the head here: one that needs the whole file (the V8 scanner) claims a big file by its
  // chunk reader's `starts` instead, at its place in the order.
  const byBytes = READERS.find(([, reader]) => reader.sniff.bytes?.(file) || reader.chunks?.starts(head));
  if (byBytes) return streamable(byBytes);
  const text = file.text;
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') return undefined;
  return streamable(READERS.find(([, reader]) => reader.sniff.text?.(text.slice(0, 64 * 1024))));
}

function parseAnyFormat(bytes: Buffer, displayName: string, notes: string[]): Omit<ParsedFile, 'notes'> {
  if (bytes.length === 0) throw new ProfileImportError(displayName, 'unknown', `the file is empty. ${READS}`);
  for (const [format, reader] of READERS) {
    const refused = reader.refuse?.(bytes);
    if (refused !== undefined) throw new ProfileImportError(displayName, format, refused);
  }
  const file = new ProfileFile(bytes);
  const read = (format: ProfileFormat): Omit<ParsedFile, 'notes'> => ({ format, profiles: FORMAT_READERS[format].parse(file, displayName, notes) });
  const byBytes = READERS.find(([, reader]) => reader.sniff.bytes?.(file));
  if (byBytes) return read(byBytes[0]);
  const text = file.text;
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') {
    if (!file.parseJson()) {
      // Not valid JSON: the reader of the format that most likely wrote it explains where it breaks and whether it looks cut off.
      const claimed = strongestClaim(reader => reader.sniff.brokenJson?.(text) ?? false);
      if (claimed) return read(claimed);
      throw new ProfileImportError(displayName, 'unknown', `it is not in a format Icicle recognises. ${READS}`);
    }
    const json = file.json!.value;
    const refused = unsupportedFormatError(json, displayName);
    if (refused) throw refused;
    const claimed = strongestClaim(reader => reader.sniff.json?.(json) ?? false);
    if (claimed) return read(claimed);
    throw new ProfileImportError(displayName, 'unknown', `it is JSON, but not a profile Icicle recognises. ${READS}`);
  }
  const head = text.slice(0, 64 * 1024);
  const byText = READERS.find(([, reader]) => reader.sniff.text?.(head));
  if (byText) return read(byText[0]);
  throw new ProfileImportError(displayName, 'unknown', `it is not in a format Icicle recognises. ${READS}`);
}

/**
 * The format detection gives a file whose text is this JSON (parseAnyFormat's JSON stage); undefined when it refuses
 * it or no reader claims it. A streamed JSON reader's file is checked with it (FormatReader.chunks' sniffedJson).
 */
export function jsonFormat(json: unknown): ProfileFormat | undefined {
  if (unsupportedFormatError(json, '') !== undefined) return undefined;
  return strongestClaim(reader => reader.sniff.json?.(json) ?? false);
}

/** The first reader sure of the file, else the first that finds it likely. */
function strongestClaim(claim: (reader: FormatReader) => Claim): ProfileFormat | undefined {
  let likely: ProfileFormat | undefined;
  for (const [format, reader] of READERS) {
    const answer = claim(reader);
    if (answer === 'sure') return format;
    if (answer === 'likely') likely ??= format;
  }
  return likely;
}
