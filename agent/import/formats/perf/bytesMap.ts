/**
 * Byte strings to small integers (0, 1, 2… in the order they were added), looked up without making a string: a
 * reader that sees the same few thousand lines millions of times (`perf script`'s frame lines) hashes each line's
 * bytes, finds it here and makes a string only of a line it has not seen. The keys' bytes are copied into one
 * buffer; the table is open-addressed on their hashes (read four bytes at a time), and a hit compares the bytes
 * themselves, so different keys never share an index. Bounded: once `maxKeys` keys or `maxBytes` of them are held, `add` refuses
 * (the caller reads such lines the slow way every time).
 */
export class BytesMap {
  private slots: Int32Array = new Int32Array(1024);
  private hashes: Int32Array = new Int32Array(256);
  private starts: Int32Array = new Int32Array(256);
  private lengths: Int32Array = new Int32Array(256);
  private keys: Uint8Array = new Uint8Array(64 * 1024);
  private keysView: DataView = new DataView(this.keys.buffer);
  private keyBytes = 0;
  /** The buffer last looked in, and a view of it that reads four bytes at a time. */
  private viewed: Uint8Array | undefined;
  private view: DataView = this.keysView;
  /** The hash and free slot of the key `find` last missed, for `add`. */
  private missedHash = 0;
  private missedSlot = -1;
  size = 0;

  constructor(
    private readonly maxKeys: number,
    private readonly maxBytes: number,
  ) {}

  /** The index of `bytes[start, end)`, or -1 when it was never added. */
  find(bytes: Uint8Array, start: number, end: number): number {
    if (bytes !== this.viewed) {
      this.viewed = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    const view = this.view;
    const length = end - start;
    let hash = length;
    let i = start;
    for (; i + 4 <= end; i += 4) {
      hash = Math.imul(hash ^ view.getInt32(i, true), 0x9e3779b1);
      hash ^= hash >>> 15;
    }
    let tail = 0;
    for (; i < end; i++) tail = (tail << 8) | bytes[i]!;
    hash = Math.imul(hash ^ tail, 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    hash ^= hash >>> 16;
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]! - 1;
      if (entry < 0) {
        this.missedHash = hash;
        this.missedSlot = slot;
        return -1;
      }
      if (this.hashes[entry] === hash && this.lengths[entry] === length && this.sameBytes(this.starts[entry]!, bytes, start, length)) return entry;
    }
  }

  /** Adds the key the last `find` missed (the same bytes) and returns its index, or -1 when the map is full. */
  add(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    if (this.missedSlot < 0 || this.size >= this.maxKeys || this.keyBytes + length > this.maxBytes) return -1;
    const entry = this.size++;
    if (entry === this.hashes.length) {
      this.hashes = grown(this.hashes, entry * 2);
      this.starts = grown(this.starts, entry * 2);
      this.lengths = grown(this.lengths, entry * 2);
    }
    if (this.keyBytes + length > this.keys.length) {
      const keys = new Uint8Array(Math.min(this.maxBytes, Math.max(this.keys.length * 2, this.keyBytes + length)));
      keys.set(this.keys.subarray(0, this.keyBytes));
      this.keys = keys;
      this.keysView = new DataView(keys.buffer);
    }
    this.keys.set(bytes.subarray(start, end), this.keyBytes);
    this.hashes[entry] = this.missedHash;
    this.starts[entry] = this.keyBytes;
    this.lengths[entry] = length;
    this.keyBytes += length;
    this.slots[this.missedSlot] = entry + 1;
    this.missedSlot = -1;
    // Kept at most half full, so that probe runs stay short.
    if (this.size * 2 > this.slots.length) this.rehash();
    return entry;
  }

  private sameBytes(at: number, bytes: Uint8Array, start: number, length: number): boolean {
    const keys = this.keysView;
    const view = this.view;
    let i = 0;
    for (; i + 4 <= length; i += 4) if (keys.getInt32(at + i, true) !== view.getInt32(start + i, true)) return false;
    for (; i < length; i++) if (this.keys[at + i] !== bytes[start + i]) return false;
    return true;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.size; entry++) {
      let slot = this.hashes[entry]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }
}

function grown(array: Int32Array, length: number): Int32Array {
  const copy = new Int32Array(length);
  copy.set(array);
  return copy;
}
