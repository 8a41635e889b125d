import { createHash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { openProfileFile, readError } from '../readProfileFile';
import { finishParsed, streamableFormat, type ParsedFile } from './detectFormat';
import { ProfileImportError, type ImportedProfile } from './importedProfile';
import { ChunkedByteLines, ChunkedLines, MAX_LINE_CHARS, type ByteLineParser, type LineParser } from './formats/textLines';
import { formatName } from '../../common/profileFormats';
import { fileAnchor } from './timeAnchor';

/**
 * Files at least this big are read as a stream when their format reads lines (`perf script`, collapsed stacks);
 * smaller ones are read whole, where every format's detection and reader run on the bytes in memory. A streamed
 * file's size is bounded by the disk, not by memory or V8's string limit (MAX_PROFILE_BYTES is for files read
 * whole): what is held is a 4 MB chunk, one unfinished line and the profile.
 */
export const STREAM_MIN_BYTES = 32 * 1024 * 1024;
const CHUNK_BYTES = 4 * 1024 * 1024;
/** What detection looks at: 64K characters are at most 256 KB of UTF-8. */
const HEAD_BYTES = 256 * 1024;

export interface StreamedFile {
  parsed: ParsedFile;
  /** The same `profile_id` profileIdOf gives the file's bytes, hashed as they pass. */
  profileId: string;
}

/**
 * Reads a profile file as a stream, when it is at least `minBytes` long and detection (streamableFormat) gives its
 * first bytes to a line reader: the file is read in chunks, hashed for its `profile_id`, decoded as UTF-8 and fed to
 * the reader line by line. Undefined for a file that is not for this path (the caller reads it whole, as before);
 * errors are written for the user, as readProfileFile's are. A profile whose file does not say when it was taken
 * ends when the file was last written (fileAnchor).
 */
export async function parseStreamedFile(
  path: string,
  displayName: string,
  /** `minBytes`: STREAM_MIN_BYTES unless given; `chunkBytes`: what one read takes (tests split lines and characters with tiny ones). */
  { minBytes = STREAM_MIN_BYTES, chunkBytes = CHUNK_BYTES }: { minBytes?: number | undefined; chunkBytes?: number } = {},
): Promise<StreamedFile | undefined> {
  const { handle, size, modifiedMs } = await openProfileFile(path, displayName);
  try {
    if (size === 0 || size < minBytes) return undefined;
    const head = Buffer.allocUnsafe(Math.min(size, HEAD_BYTES));
    const { bytesRead: headBytes } = await handle.read(head, 0, head.length, 0);
    const streamable = streamableFormat(head.subarray(0, headBytes));
    if (streamable === undefined) return undefined;
    const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, size));
    const [format, reader] = streamable;
    const notes: string[] = [];
    const tooLong = (): Error => new ProfileImportError(displayName, format, `a line is longer than ${MAX_LINE_CHARS / 2 ** 20}M characters, which no ${formatName(format)} has.`);
    const feed = reader.byteLines ? byteFeed(reader.byteLines(displayName, notes), tooLong) : textFeed(reader.lines!(displayName, notes), tooLong);
    const hash = createHash('sha256');
    for (let position = 0; ; ) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const bytes = chunk.subarray(0, bytesRead);
      hash.update(bytes);
      feed.push(bytes);
    }
    const profiles = feed.end();
    return { parsed: finishParsed(format, profiles, notes, fileAnchor(modifiedMs)), profileId: hash.digest('hex').slice(0, 16) };
  } catch (error) {
    throw readError(error, displayName, path);
  } finally {
    await handle.close();
  }
}

/** A file's chunks on their way to a line reader; `end` gives what it read. */
interface Feed {
  push(bytes: Buffer): void;
  end(): ImportedProfile[];
}

/** Chunks decoded as UTF-8 (a character cut between chunks is joined) and given as lines of text. */
function textFeed(parser: LineParser, tooLong: () => Error): Feed {
  const lines = new ChunkedLines(parser.line, tooLong);
  const decoder = new StringDecoder('utf8');
  let first = true;
  return {
    push(bytes) {
      let text = decoder.write(bytes);
      // A UTF-8 byte order mark is no part of the text (decodeText drops it too).
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      lines.push(text);
    },
    end() {
      lines.push(decoder.end());
      lines.end();
      return parser.finish();
    },
  };
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** Chunks given as lines of bytes, without a UTF-8 byte order mark (decodeText drops it too). */
function byteFeed(parser: ByteLineParser, tooLong: () => Error): Feed {
  const lines = new ChunkedByteLines(parser.line, tooLong);
  // The file's first bytes, held until there are enough of them to say whether they are a byte order mark.
  let start: number[] | undefined = [];
  return {
    push(bytes) {
      if (start !== undefined) {
        const taken = Math.min(UTF8_BOM.length - start.length, bytes.length);
        for (let i = 0; i < taken; i++) start.push(bytes[i]!);
        bytes = bytes.subarray(taken);
        if (start.length < UTF8_BOM.length) return;
        if (start.some((byte, i) => byte !== UTF8_BOM[i])) lines.push(Buffer.from(start));
        start = undefined;
      }
      lines.push(bytes);
    },
    end() {
      if (start !== undefined) lines.push(Buffer.from(start));
      lines.end();
      return parser.finish();
    },
  };
}
