import { createHash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { UserFacingError } from '../../common/errors';
import { MAX_PROFILE_BYTES, openProfileFile, readError, tooLargeOnceDecompressed } from '../readProfileFile';
import { finishParsed, jsonFormat, streamableFormat, type ParsedFile } from './detectFormat';
import { ProfileImportError, type ImportedProfile } from './importedProfile';
import { ChunkedByteLines, ChunkedLines, MAX_LINE_CHARS, type ByteLineParser, type LineParser } from './formats/textLines';
import { formatName } from '../../common/profileFormats';
import { fileAnchor } from './timeAnchor';

/**
 * Files at least this big are read as a stream when their format reads lines (`perf script`, collapsed stacks) or
 * chunks (a V8 profile as V8 writes it, a Chrome trace); smaller ones are read whole, where every format's detection and reader run
 * on the bytes in memory. A streamed file's size is bounded by the disk, not by V8's string limit
 * (MAX_PROFILE_BYTES is for files read whole): what is held is a 4 MB chunk, one unfinished line or node, and the
 * profile (for a V8 profile, its nodes as columns; for a Chrome trace, what its reader keeps of each event).
 */
export const STREAM_MIN_BYTES = 32 * 1024 * 1024;
/**
 * Files at least this big whose chunk reader can read a part of them on another thread (a V8 profile) are read by two
 * threads at once: below it, starting the second thread costs about what it saves.
 */
export const PARALLEL_MIN_BYTES = 192 * 1024 * 1024;
const CHUNK_BYTES = 4 * 1024 * 1024;
/** A gzip is streamed from an eighth of STREAM_MIN_BYTES: what it is likely to inflate to decides. */
const GZIP_RATIO_GUESS = 8;
/** How many times its compressed size a gzip may inflate to past the size a file read whole may have. */
const MAX_GZIP_RATIO = 64;
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
  // `gzipLimitBytes`: past this a gzip must keep to MAX_GZIP_RATIO (tests lower it to meet the bound on small files).
  // `parallelMinBytes`: PARALLEL_MIN_BYTES unless given (tests lower it to read small files in two parts).
  {
    minBytes = STREAM_MIN_BYTES,
    chunkBytes = CHUNK_BYTES,
    gzipLimitBytes = MAX_PROFILE_BYTES,
    parallelMinBytes = PARALLEL_MIN_BYTES,
  }: { minBytes?: number | undefined; chunkBytes?: number; gzipLimitBytes?: number; parallelMinBytes?: number } = {},
): Promise<StreamedFile | undefined> {
  const { handle, size, modifiedMs } = await openProfileFile(path, displayName);
  let inflating: AsyncIterator<Buffer> | undefined;
  try {
    if (size === 0 || size * GZIP_RATIO_GUESS < minBytes) return undefined;
    let head = Buffer.allocUnsafe(Math.min(size, HEAD_BYTES));
    head = head.subarray(0, (await handle.read(head, 0, head.length, 0)).bytesRead);
    const gzipped = head[0] === 0x1f && head[1] === 0x8b;
    if (!gzipped && size < minBytes) return undefined;
    /** A gzip's inflated bytes read before detection, to be fed first. */
    const early: Buffer[] = [];
    if (gzipped) {
      inflating = inflatedChunks(handle, displayName, chunkBytes, gzipLimitBytes)[Symbol.asyncIterator]();
      let length = 0;
      while (length < HEAD_BYTES) {
        const next = await inflating.next();
        if (next.done) break;
        early.push(next.value);
        length += next.value.length;
      }
      head = Buffer.concat(early).subarray(0, HEAD_BYTES);
    }
    const streamable = streamableFormat(head);
    if (streamable === undefined) return undefined;
    const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, size));
    const hash = createHash('sha256');
    /** Reads the file (a gzip's inflated bytes) from its start, chunk after chunk, hashing each. */
    const eachChunk = async (take: (bytes: Buffer) => void): Promise<void> => {
      const pass = (bytes: Buffer): void => {
        hash.update(bytes);
        take(bytes);
      };
      if (inflating) {
        for (const bytes of early) pass(bytes);
        for (let next = await inflating.next(); !next.done; next = await inflating.next()) pass(next.value);
        return;
      }
      // Two buffers: the next chunk is read while this one is parsed (a read of 4 MB left the parser idle ~5 ms a
      // chunk, 0.4 s of a 300 MB import). A buffer is read into again only after the chunk in it was passed on, as
      // with one buffer, so a reader still keeps nothing of a chunk past its push.
      const buffers = [chunk, Buffer.allocUnsafe(chunk.length)];
      let reading = handle.read(buffers[0]!, 0, chunk.length, 0);
      try {
        for (let position = 0, n = 0; ; n++) {
          const { bytesRead } = await reading;
          if (bytesRead === 0) break;
          position += bytesRead;
          const current = buffers[n % 2]!;
          reading = handle.read(buffers[(n + 1) % 2]!, 0, chunk.length, position);
          pass(current.subarray(0, bytesRead));
        }
      } finally {
        // A parse error leaves one read in flight: let it finish (its own error is not the one to report).
        await reading.catch(() => undefined);
      }
    };
    const { format } = streamable;
    const notes: string[] = [];
    let profiles: ImportedProfile[] | undefined;
    if (streamable.chunks) {
      // A gzip's bytes are not the file's: no part of them can be read from the file by another thread.
      const parser = streamable.chunks.parser(displayName, size, notes, gzipped ? undefined : { path, parallelMinBytes });
      await eachChunk(bytes => parser.push(bytes));
      // JSON whose whole-file detection would go to another reader (or be refused) is read whole, as it would be.
      const sniffed = parser.sniffedJson?.();
      if (sniffed?.json !== undefined && jsonFormat(sniffed.json) !== format) return undefined;
      profiles = await parser.finish();
      // Not laid out as the chunk reader reads it: the file is read whole, where detection says what it is.
      if (profiles === undefined) return undefined;
    } else {
      const tooLong = (): Error => new ProfileImportError(displayName, format, `a line is longer than ${MAX_LINE_CHARS / 2 ** 20}M characters, which no ${formatName(format)} has.`);
      const feed = streamable.byteLines ? byteFeed(streamable.byteLines(displayName, notes), tooLong) : textFeed(streamable.lines(displayName, notes), tooLong);
      await eachChunk(bytes => feed.push(bytes));
      profiles = feed.end();
    }
    return { parsed: finishParsed(format, profiles, notes, fileAnchor(modifiedMs)), profileId: hash.digest('hex').slice(0, 16) };
  } catch (error) {
    // A gzip that fails other than by its ratio is read whole, where gunzipIfCompressed says whether it is damaged
    // (a damaged deflate stream may inflate to garbage before its checksum fails) and the reader what is wrong.
    if (inflating !== undefined && !(error instanceof GzipBomb)) return undefined;
    throw readError(error, displayName, path);
  } finally {
    await inflating?.return?.();
    await handle.close();
  }
}

/**
 * The `profile_id` of a file that would be read as a stream (at least `minBytes`, not gzip), hashed in chunks at the
 * speed of the disk without parsing it, so that a big file already in the store is found without a parse; undefined
 * for any other file (read whole, its bytes are hashed before they are parsed anyway).
 */
export async function streamedProfileId(path: string, displayName: string, minBytes = STREAM_MIN_BYTES): Promise<string | undefined> {
  const { handle, size } = await openProfileFile(path, displayName);
  try {
    if (size === 0 || size < minBytes) return undefined;
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size));
    const hash = createHash('sha256');
    for (let position = 0; ; ) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      if (position === 0 && chunk[0] === 0x1f && chunk[1] === 0x8b) return undefined;
      position += bytesRead;
      hash.update(chunk.subarray(0, bytesRead));
    }
    return hash.digest('hex').slice(0, 16);
  } catch (error) {
    throw readError(error, displayName, path);
  } finally {
    await handle.close();
  }
}

/** A streamed gzip refused by its ratio (inflatedChunks). */
class GzipBomb extends UserFacingError {}

/**
 * A gzip file's inflated bytes, chunk by chunk. A gzip bomb is a ratio, not a size: past `limitBytes` (the size a
 * file read whole may inflate to), the inflated bytes may be at most MAX_GZIP_RATIO times the compressed bytes read,
 * else the file is refused as too large once decompressed. Real profiles inflate 10–30 times; zeros, 1,000.
 */
async function* inflatedChunks(handle: FileHandle, displayName: string, chunkBytes: number, limitBytes: number): AsyncGenerator<Buffer> {
  const source = handle.createReadStream({ start: 0, highWaterMark: Math.max(64, chunkBytes), autoClose: false });
  const gunzip = createGunzip({ chunkSize: Math.max(64, Math.min(chunkBytes, CHUNK_BYTES)) });
  let compressed = 0;
  source.on('data', (bytes: Buffer | string) => (compressed += bytes.length));
  pipeline(source, gunzip, () => {
    // Errors reach the loop below through gunzip.
  });
  let inflated = 0;
  try {
    for await (const bytes of gunzip as AsyncIterable<Buffer>) {
      inflated += bytes.length;
      if (inflated > limitBytes && inflated > MAX_GZIP_RATIO * compressed) {
        const refused = tooLargeOnceDecompressed(displayName);
        throw new GzipBomb(refused.code, refused.message);
      }
      yield bytes;
    }
  } finally {
    gunzip.destroy();
    source.destroy();
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
