/**
 * Buffers a thread reuses from one block encoding to the next instead of allocating them afresh. Memory fresh from
 * the system costs a page fault per 4 KiB on first touch, and on this project's virtual machines (pages handed back
 * to the host when freed) that made copying into a new 64 MB buffer ~10× slower than copying into one already
 * touched: 2 s of the block worker's 12 s for a 300 MB import went to filling fresh buffers. The buffers are let go
 * after `idleMs` without use, so an idle thread does not keep the largest block's worth of memory.
 */
export class ScratchBuffers {
  private readonly buffers = new Map<string, ArrayBuffer>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly idleMs: number) {}

  /**
   * An ArrayBuffer of at least `bytes` bytes for `slot`, the same one as the last time when it is big enough. Its
   * contents are whatever the last user left: the caller overwrites what it uses. Until the next `take` of the same
   * slot, the caller may use it freely; after that, another user may overwrite it.
   */
  take(slot: string, bytes: number): ArrayBuffer {
    let buffer = this.buffers.get(slot);
    if (buffer === undefined || buffer.byteLength < bytes) {
      // A little headroom, so that blocks growing by a few rows do not allocate each time.
      buffer = new ArrayBuffer(Math.ceil((bytes * 1.125) / 8) * 8);
      this.buffers.set(slot, buffer);
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.release(), this.idleMs);
    this.timer.unref?.();
    return buffer;
  }

  /** A typed array of `length` zeros over the slot's reused buffer (zeroing touched memory is cheap; fresh is not). */
  zeroed<T extends Float64Array | Uint32Array | Int32Array>(slot: string, make: TypedArrayOf<T>, length: number): T {
    return new make(this.take(slot, make.BYTES_PER_ELEMENT * length), 0, length).fill(0) as T;
  }

  /** Lets every buffer go (they are allocated again when next taken). */
  release(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.buffers.clear();
  }

  /** Bytes held now (for tests). */
  get heldBytes(): number {
    let sum = 0;
    for (const buffer of this.buffers.values()) sum += buffer.byteLength;
    return sum;
  }
}

/** The constructor of a typed array type, over a given buffer. */
export interface TypedArrayOf<T> {
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/**
 * A typed array of `length` zeros: from `scratch`'s slot when given (valid until that slot is next taken), else new.
 */
export function zeroedArray<T extends Float64Array | Uint32Array | Int32Array>(scratch: ScratchBuffers | undefined, slot: string, make: TypedArrayOf<T>, length: number): T {
  return scratch ? scratch.zeroed(slot, make, length) : new make(new ArrayBuffer(make.BYTES_PER_ELEMENT * length), 0, length);
}
