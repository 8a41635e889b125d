import { NOT_CANONICAL, V8ProfileScanner } from './v8ProfileScanner';

/**
 * The most a streamed V8 profile's unit (one node, one number) may take: a window cut inside a unit carries it on
 * to the next, so a file whose unit never ends (damage, or another layout) would otherwise be held whole.
 */
const MAX_UNIT_BYTES = 64 * 1024 * 1024;

/**
 * A V8 profile's bytes read as they come, chunk by chunk, by the byte scanner (v8ProfileScanner.ts): each chunk is
 * scanned unit by unit (a node, a number of `samples`), and the unit a chunk cuts is carried on to the next. Used for
 * a whole streamed file, and for each part of a file two threads read at once (v8ParallelScan.ts): `inNodes` starts
 * the reading at a node's opening brace inside `nodes`.
 */
export class V8ProfileWindows {
  scanner: V8ProfileScanner | undefined;
  private carry = Buffer.alloc(0);
  /** Whether the bytes turned out not to be a profile as V8 writes it (the rest is not read). */
  declined = false;
  private done = false;
  /** The window a carry and the next chunk are joined in, reused: a fresh 4 MB buffer a chunk costs page faults and GC. */
  private joined = Buffer.alloc(0);

  constructor(
    private readonly fileBytes: number,
    private readonly inNodes = false,
  ) {}

  push(chunk: Buffer): void {
    if (this.declined || chunk.length === 0) return;
    this.declined = !this.scan(this.carry.length === 0 ? chunk : this.join(chunk), false);
  }

  /** After the last push: whether the bytes read were a whole profile as V8 writes it (else it is read whole). */
  end(): boolean {
    return !this.declined && this.scan(this.carry, true) && this.done;
  }

  /** Whether the bytes pushed so far ended right after a node and its comma: the next byte opens a node. */
  get endedBetweenNodes(): boolean {
    return !this.declined && this.carry.length === 0 && this.scanner !== undefined && this.scanner.betweenNodes;
  }

  private join(chunk: Buffer): Buffer {
    const length = this.carry.length + chunk.length;
    if (this.joined.length < length) this.joined = Buffer.allocUnsafe(Math.max(length, 2 * this.joined.length));
    this.carry.copy(this.joined, 0);
    chunk.copy(this.joined, this.carry.length);
    return this.joined.subarray(0, length);
  }

  /** Scans what `window` holds; false when the file is not for this path. */
  private scan(window: Buffer, last: boolean): boolean {
    let scanner = this.scanner;
    if (scanner === undefined) {
      // The byte order mark's three bytes are needed whole to be skipped.
      if (window.length < 3 && !last && !this.inNodes) {
        this.carry = Buffer.from(window);
        return true;
      }
      scanner = this.scanner = new V8ProfileScanner(window, this.fileBytes);
      if (this.inNodes) scanner.startInNodes();
    } else {
      scanner.window(window, 0);
    }
    try {
      this.done = scanner.streamUnits();
    } catch (error) {
      if (error !== NOT_CANONICAL && !(error instanceof RangeError)) throw error;
      if (last) return false;
      scanner.dropPartial();
    }
    // Copied: the chunk's buffer is read into again.
    this.carry = Buffer.from(window.subarray(scanner.resume));
    return this.carry.length <= MAX_UNIT_BYTES;
  }
}
