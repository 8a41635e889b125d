import type { ChunkParser } from '../formatReader';
import { cpuProfileToImported } from './cpuprofileImport';
import { NOT_CANONICAL, V8ProfileScanner } from './v8ProfileScanner';

/**
 * The most a streamed V8 profile's unit (one node, one number) may take: a window cut inside a unit carries it on
 * to the next, so a file whose unit never ends (damage, or another layout) would otherwise be held whole.
 */
const MAX_UNIT_BYTES = 64 * 1024 * 1024;

/** Whether a file's first bytes open a V8 profile as V8 writes it, `{"nodes":[`, which a stream can read. */
export function startsAsV8Writes(head: Buffer): boolean {
  let p = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  const skip = (): void => {
    while (head[p] === 0x20 || head[p] === 0x0a || head[p] === 0x0d || head[p] === 0x09) p++;
  };
  skip();
  if (head[p++] !== 0x7b) return false;
  skip();
  return head.toString('latin1', p, p + 8) === '"nodes":';
}

/**
 * A V8 `.cpuprofile` read from its bytes as they come, chunk by chunk (agent/import/streamImport.ts), by the same
 * byte scanner that reads a whole file (v8ProfileScanner.ts), so that a profile of gigabytes is never held as a
 * buffer or a string: each chunk is scanned unit by unit (a node, a number of `samples`), and the unit a chunk cuts
 * is carried on to the next. Distinct call frames and URLs are kept by the scanner, not as positions in a chunk.
 * `finish` gives undefined for a file that is not laid out as V8 writes it (nodes first, strict JSON): it is then
 * read whole, where detection and the checked path say what is wrong with it.
 */
export function v8ProfileChunks(displayName: string, fileBytes: number): ChunkParser {
  let scanner: V8ProfileScanner | undefined;
  let carry = Buffer.alloc(0);
  let declined = false;
  let done = false;
  /** The window a carry and the next chunk are joined in, reused: a fresh 4 MB buffer a chunk costs page faults and GC. */
  let joined = Buffer.alloc(0);
  const join = (chunk: Buffer): Buffer => {
    const length = carry.length + chunk.length;
    if (joined.length < length) joined = Buffer.allocUnsafe(Math.max(length, 2 * joined.length));
    carry.copy(joined, 0);
    chunk.copy(joined, carry.length);
    return joined.subarray(0, length);
  };
  /** Scans what `window` holds; false when the file is not for this path. */
  const scan = (window: Buffer, last: boolean): boolean => {
    if (scanner === undefined) {
      // The byte order mark's three bytes are needed whole to be skipped.
      if (window.length < 3 && !last) {
        carry = Buffer.from(window);
        return true;
      }
      scanner = new V8ProfileScanner(window, fileBytes);
    } else {
      scanner.window(window, 0);
    }
    try {
      done = scanner.streamUnits();
    } catch (error) {
      if (error !== NOT_CANONICAL && !(error instanceof RangeError)) throw error;
      if (last) return false;
      scanner.dropPartial();
    }
    // Copied: the chunk's buffer is read into again.
    carry = Buffer.from(window.subarray(scanner.resume));
    return carry.length <= MAX_UNIT_BYTES;
  };
  return {
    push(chunk) {
      if (declined || chunk.length === 0) return;
      declined = !scan(carry.length === 0 ? chunk : join(chunk), false);
    },
    finish() {
      if (declined || !scan(carry, true) || !done) return undefined;
      return [cpuProfileToImported({ columns: scanner!.streamedProfile() }, displayName)];
    },
  };
}
