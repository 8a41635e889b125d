import { encodeUtf8 } from './utf8Order';

/**
 * The `capacity` smallest distinct strings offered, in JavaScript's `<` order: a max-heap of the kept values and a
 * set of them. Once full, the largest kept value is the bar a new value must pass, and it is also kept as UTF-8
 * bytes so that callers reading a dictionary can reject most values without decoding them.
 */
export class SmallestDistinct {
  private readonly heap: string[] = [];
  private readonly kept = new Set<string>();
  private barBytes: Uint8Array | undefined;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`capacity must be a positive integer, not ${capacity}`);
  }

  get full(): boolean {
    return this.heap.length >= this.capacity;
  }

  get size(): number {
    return this.heap.length;
  }

  /** The largest kept value once full (a value must be smaller to get in), else undefined. */
  get bar(): string | undefined {
    return this.full ? this.heap[0] : undefined;
  }

  /** The bar as UTF-8, encoded once each time it changes. */
  get barUtf8(): Uint8Array | undefined {
    if (!this.full) return undefined;
    return (this.barBytes ??= encodeUtf8(this.heap[0]!));
  }

  offer(value: string): void {
    if (this.kept.has(value)) return;
    const heap = this.heap;
    if (heap.length < this.capacity) {
      heap.push(value);
      this.kept.add(value);
      this.siftUp(heap.length - 1);
      if (heap.length === this.capacity) this.barBytes = undefined;
      return;
    }
    if (!(value < heap[0]!)) return;
    this.kept.delete(heap[0]!);
    this.kept.add(value);
    heap[0] = value;
    this.siftDown(0);
    this.barBytes = undefined;
  }

  /** The kept values, ascending. */
  sorted(): string[] {
    return [...this.heap].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const value = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!(heap[parent]! < value)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = value;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const value = heap[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && heap[child]! < heap[child + 1]!) child++;
      if (!(value < heap[child]!)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = value;
  }
}
