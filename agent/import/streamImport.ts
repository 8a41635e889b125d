import { createHash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { openProfileFile, readError } from '../readProfileFile';
import { finishParsed, streamableFormat, type ParsedFile } from './detectFormat';
import { ProfileImportError, type ImportedProfile } from './importedProfile';
import { ChunkedLines, MAX_LINE_CHARS } from './formats/textLines';
import { formatName } from '../../common/profileFormats';
import { fileAnchor } from './timeAnchor';

/**
 * Files at least this big are read as a stream when their format reads lines (`perf script`, collapsed stacks) or
 * chunks (a V8 profile as V8 writes it); smaller ones are read whole, where every format's detection and reader run
 * on the bytes in memory. A streamed file's size is bounded by the disk, not by V8's string limit
 * (MAX_PROFILE_BYTES is for files read whole): what is held is a 4 MB chunk, one unfinished line or node, and the
 * profile (for a V8 profile, its nodes as columns).
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
 * first bytes to a line reader or a chunk reader: the file is read in chunks, hashed for its `profile_id`, and fed
 * to the reader, decoded as UTF-8 line by line or as bytes. Undefined for a file that is not for this path, or that
 * the chunk reader finds laid out otherwise than it reads (the caller reads it whole, as before);
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
    const hash = createHash('sha256');
    /** Reads the file from its start, chunk after chunk, hashing each. */
    const eachChunk = async (take: (bytes: Buffer) => void): Promise<void> => {
      for (let position = 0; ; ) {
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        const bytes = chunk.subarray(0, bytesRead);
        hash.update(bytes);
        take(bytes);
      }
    };
    const { format } = streamable;
    const notes: string[] = [];
    let profiles: ImportedProfile[] | undefined;
    if (streamable.chunks) {
      const parser = streamable.chunks.parser(displayName, size);
      await eachChunk(bytes => parser.push(bytes));
      profiles = parser.finish();
      // Not laid out as the chunk reader reads it: the file is read whole, where detection says what it is.
      if (profiles === undefined) return undefined;
    } else {
      const parser = streamable.lines(displayName, notes);
      const tooLong = (): Error => new ProfileImportError(displayName, format, `a line is longer than ${MAX_LINE_CHARS / 2 ** 20}M characters, which no ${formatName(format)} has.`);
      const lines = new ChunkedLines(parser.line, tooLong);
      const decoder = new StringDecoder('utf8');
      let first = true;
      await eachChunk(bytes => {
        let text = decoder.write(bytes);
        // A UTF-8 byte order mark is no part of the text (decodeText drops it too).
        if (first && text.length > 0) {
          if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
          first = false;
        }
        lines.push(text);
      });
      lines.push(decoder.end());
      lines.end();
      profiles = parser.finish();
    }
    return { parsed: finishParsed(format, profiles, notes, fileAnchor(modifiedMs)), profileId: hash.digest('hex').slice(0, 16) };
  } catch (error) {
    throw readError(error, displayName, path);
  } finally {
    await handle.close();
  }
}
