/**
 * ArrayBuffers the block worker handed back once it had merged a flush's batches, kept for copying the next flush's
 * batches into (toTransferBatch). A batch's copy sent to the worker used to be fresh memory each time, freed in the
 * worker: on this project's virtual machines every 4 KiB of fresh memory costs a page fault on first touch (a 4.3M-row
 * import touched ~260 MB of it per run on the agent's thread). Buffers are matched by exact size (full batches all
 * have the same), held up to `maxBytes`, and let go after `idleMs` without use.
 */
export class TransferPool {
  private readonly bySize = new Map<number, ArrayBuffer[]>();
  private bytes = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly maxBytes: number,
    private readonly idleMs: number,
  ) {}

  /** A buffer of exactly `byteLength` bytes (its contents are stale: the caller overwrites them), or a new one. */
  take(byteLength: number): ArrayBuffer {
    const buffer = this.bySize.get(byteLength)?.pop();
    if (buffer === undefined) return new ArrayBuffer(byteLength);
    this.bytes -= byteLength;
    this.touch();
    return buffer;
  }

  /** Buffers the worker is done with; detached ones (transferred elsewhere since) and those past the bound are dropped. */
  give(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) {
      if (buffer.byteLength === 0 || this.bytes + buffer.byteLength > this.maxBytes) continue;
      const list = this.bySize.get(buffer.byteLength);
      if (list) list.push(buffer);
      else this.bySize.set(buffer.byteLength, [buffer]);
      this.bytes += buffer.byteLength;
    }
    this.touch();
  }

  /** Bytes held now (for tests). */
  get heldBytes(): number {
    return this.bytes;
  }

  release(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.bySize.clear();
    this.bytes = 0;
  }

  private touch(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.release(), this.idleMs);
    this.timer.unref?.();
  }
}
