import type { Data, Utf8, Vector } from 'apache-arrow';

/**
 * Comparing UTF-8 encoded strings without decoding them, in the order JavaScript's `<` gives the decoded strings
 * (UTF-16 code units), which is the order of every sorted answer and every string statistic in the store.
 *
 * Byte order of UTF-8 is code-point order, which agrees with UTF-16 order except in one place: a supplementary
 * character (four UTF-8 bytes, lead byte F0–F4, a surrogate pair D800–DBFF… in UTF-16) sorts after U+E000–U+FFFF
 * by code point (three bytes, lead byte EE or EF) but before them by code unit. The first byte where two strings
 * differ is a lead byte of both whenever their lead bytes differ, so correcting that one case at the first
 * difference is enough. The strings must be well-formed UTF-8, which every string the store writes is (Arrow
 * encodes with TextEncoder, which writes lone surrogates as U+FFFD).
 */
export function compareUtf8(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const aLength = aEnd - aStart;
  const bLength = bEnd - bStart;
  const n = aLength < bLength ? aLength : bLength;
  for (let i = 0; i < n; i++) {
    const x = a[aStart + i]!;
    const y = b[bStart + i]!;
    if (x === y) continue;
    if (x >= 0xf0 && (y === 0xee || y === 0xef)) return -1;
    if (y >= 0xf0 && (x === 0xee || x === 0xef)) return 1;
    return x - y;
  }
  return aLength - bLength;
}

/** Whether the bytes from `start` to `end` begin with all of `prefix`. */
export function hasBytePrefix(bytes: Uint8Array, start: number, end: number, prefix: Uint8Array): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[start + i] !== prefix[i]) return false;
  return true;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  return decoder.decode(bytes.subarray(start, end));
}

/**
 * One chunk of a string dictionary, read raw: entry j (counted from `first`, the chunk's first entry in the whole
 * dictionary) is `bytes[offsets[j - first]]` up to `bytes[offsets[j - first + 1]]`, as Arrow's own getter reads it.
 */
export interface Utf8Chunk {
  readonly first: number;
  readonly length: number;
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;
  /** Validity of the entries, or null when none is null; bit (offset + j - first) is entry j. */
  readonly validity: Uint8Array | null;
  readonly offset: number;
}

/** The chunks of a dictionary of strings, in order, for loops that read entries as bytes. */
export function utf8Chunks(dictionary: Vector): Utf8Chunk[] {
  const chunks: Utf8Chunk[] = [];
  let first = 0;
  for (const data of dictionary.data as Data<Utf8>[]) {
    const validity = data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0 ? data.nullBitmap : null;
    chunks.push({ first, length: data.length, offsets: data.valueOffsets, bytes: data.values, validity, offset: data.offset });
    first += data.length;
  }
  return chunks;
}
