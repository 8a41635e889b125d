import type { ImportedProfile, ProfileImportError } from '../importedProfile';
import { decodeText, type ImportNotes } from './parseSupport';
import type { ByteLineParser, LineParser } from './textLines';

/**
 * A profile file as detection sees it (agent/import/detectFormat.ts): its bytes, and the text and JSON computed from
 * them at most once, on first use, and shared by every sniffer and the reader that parses it.
 */
export class ProfileFile {
  private decoded: string | undefined;
  private parsed: { value: unknown } | null | undefined;

  constructor(readonly bytes: Buffer) {}

  /** The text, whatever its encoding (byte order marks, UTF-16). */
  get text(): string {
    return (this.decoded ??= decodeText(this.bytes));
  }

  /** Parses the text as JSON, once: whether it is JSON. */
  parseJson(): boolean {
    if (this.parsed === undefined) {
      try {
        this.parsed = { value: JSON.parse(this.text) as unknown };
      } catch {
        this.parsed = null;
      }
    }
    return this.parsed !== null;
  }

  /** The JSON, once detection has parsed it (parseJson); undefined before, or when the text is not JSON. */
  get json(): { value: unknown } | undefined {
    return this.parsed ?? undefined;
  }
}

/**
 * How sure a JSON sniffer is: 'sure' claims the file at once; 'likely' claims it only when no reader is sure (a V8
 * profile of the wrong shape, which the V8 reader explains better than "not a profile").
 */
export type Claim = 'sure' | 'likely' | false;

/**
 * How the agent recognises and reads one format (the registry: agent/import/formatReaders.ts). Detection asks the
 * sniffers stage by stage, each stage in the registry's order: the raw bytes; then, for text starting like JSON, the
 * parsed JSON (or the text when it does not parse); else the start of the text.
 */
export interface FormatReader {
  /** A variant of the format Icicle does not read (legacy pprof), from the bytes: why it is refused; else undefined. */
  refuse?(bytes: Buffer): string | undefined;
  sniff: {
    /** From the bytes before any decoding: binary formats, and text whose bytes say enough. */
    bytes?(file: ProfileFile): boolean;
    /** From the parsed JSON. */
    json?(json: unknown): Claim;
    /** From text that starts like JSON but does not parse, so that its likely writer explains where it breaks. */
    brokenJson?(text: string): Claim;
    /** From the first 64 KB of a text that does not start like JSON. */
    text?(head: string): boolean;
  };
  /** Reads a file the sniff claimed, from its JSON when detection parsed it, else from its text or bytes. */
  parse(file: ProfileFile, displayName: string, notes: ImportNotes): ImportedProfile[];
  /**
   * The same reader fed line by line, for a line format whose files may be too big to hold (agent/import/streamImport.ts
   * reads them in chunks); a format with it must read a file through `parse` exactly as through its lines.
   */
  lines?(displayName: string, notes: ImportNotes): LineParser;
  /** As `lines`, for a reader that reads the lines' UTF-8 bytes (`perf script`: strings only of what is new). */
  byteLines?(displayName: string, notes: ImportNotes): ByteLineParser;
  /**
   * The same reader fed the file's bytes chunk by chunk, for a format whose files may be too big to hold but are not
   * lines (a V8 profile's JSON): `starts` says from the first 256 KB whether the file opens as the reader can stream
   * it; the parser's `finish` gives undefined when the file turned out otherwise, and it is then read whole.
   */
  chunks?: { starts(head: Buffer): boolean; parser(displayName: string, fileBytes: number, notes: ImportNotes, source?: ChunkSource): ChunkParser };
}

/**
 * The file a chunk parser's bytes come from, when they are the file's own (not a gzip's inflated bytes): a parser may
 * read part of it on another thread (a V8 profile of at least `parallelMinBytes`, v8ProfileStream.ts).
 */
export interface ChunkSource {
  path: string;
  parallelMinBytes: number;
}

/** A reader fed a file's bytes in order (FormatReader.chunks); `push` may keep no reference to a chunk. */
export interface ChunkParser {
  push(chunk: Buffer): void;
  /**
   * For a reader of JSON whose claim depends on the whole file (a Chrome trace, whose other members another
   * format's sniffer could claim): called after the last push, before `finish`, the file's top level as detection's
   * JSON sniffers see it, its long arrays cut short (`{ json: undefined }` when detection would claim it from its
   * text, not its JSON); undefined when the file is not for this parser. The caller declines the file when detection
   * would give that JSON to another reader.
   */
  sniffedJson?(): { json: unknown } | undefined;
  /** The file's profiles, or undefined when it is not laid out as this parser reads it (the file is read whole). */
  finish(): ImportedProfile[] | undefined | Promise<ImportedProfile[] | undefined>;
}

/** A format Icicle recognises only to refuse it, with a message that says what to do instead. */
export interface FormatRefusal {
  /** From the parsed JSON. */
  sniffJson(json: unknown): boolean;
  error(displayName: string): ProfileImportError;
}
