/**
 * Interned stacks: each distinct list of frame ids once, leaf first, as a view into slabs of ids, found again by a
 * hash in an open-addressed table. Both an import's ProfileBuilder and the store's MetadataStore keep their stacks
 * here: a huge V8 profile has a quarter of a million stacks and fifteen million ids, and as plain arrays, one each,
 * and a Map of their hashes, they cost more in allocation and garbage collection than the interning itself.
 *
 * Stacks are hashed root first (the last id first), so that an importer walking a tree from its root can hash a
 * node's stack from its parent's hash and its own frame (extendStackHash) instead of over every id.
 */
export class StackTable {
  /** Per stack (in the order added, from 0), its frame ids, leaf first: views that are never written once made. */
  readonly stacks: Uint32Array[] = [];
  /** Per stack, its key: an importer extends a stack's hash from its parent's (extendStackHash). */
  private keys = new Int32Array(1024);
  private slab = new Uint32Array(FIRST_SLAB_IDS);
  private slabUsed = 0;
  /** Per slot, a stack's index plus one (0: empty), and that stack's key, so that most probes compare no ids. */
  private slots = new Int32Array(1024);
  private slotKeys = new Int32Array(1024);

  get size(): number {
    return this.stacks.length;
  }

  /** The index of the stack of the first `length` ids of `frameIds`, whose key (stackHash) is `key`; -1 if absent. */
  find(frameIds: ArrayLike<number>, length: number, key: number): number {
    const mask = this.slots.length - 1;
    for (let slot = mix(key) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === 0) return -1;
      if (this.slotKeys[slot] === key && sameIds(this.stacks[entry - 1]!, frameIds, length)) return entry - 1;
    }
  }

  /** Adds the stack of the first `length` ids of `frameIds` (absent, as find said), keyed by `key`; its index. */
  add(frameIds: ArrayLike<number>, length: number, key: number): number {
    if (this.slabUsed + length > this.slab.length) {
      // Each slab as big as all before it (up to a bound): few allocations for a huge profile, little waste for a small one.
      this.slab = new Uint32Array(Math.max(Math.min(MAX_SLAB_IDS, 2 * this.slab.length), length));
      this.slabUsed = 0;
    }
    const stored = this.slab.subarray(this.slabUsed, this.slabUsed + length);
    // A loop per kind of input, each seeing one kind: `set` from a subarray measured slower (0.4 s for 0.5M stacks).
    if (frameIds instanceof Uint32Array) copyTyped(stored, frameIds, length);
    else copyIds(stored, frameIds, length);
    this.slabUsed += length;
    const index = this.stacks.length;
    this.stacks.push(stored);
    if (index === this.keys.length) {
      const keys = new Int32Array(2 * index);
      keys.set(this.keys);
      this.keys = keys;
    }
    this.keys[index] = key;
    this.place(index + 1, key);
    // Kept at most half full, so that probe runs stay short.
    if (this.stacks.length * 2 > this.slots.length) this.rehash();
    return index;
  }

  /** The key a stack was added with: stackHashKey of its prefix hash and its length, so the prefix hash is `key ^ length`. */
  key(index: number): number {
    return this.keys[index]!;
  }

  /** The index of the stack, added when new. `key` is stackHash of the ids; a caller that computed it incrementally passes it. */
  intern(frameIds: ArrayLike<number>, length = frameIds.length, key = stackHash(frameIds, length)): number {
    const found = this.find(frameIds, length, key);
    return found >= 0 ? found : this.add(frameIds, length, key);
  }

  private place(entry: number, key: number): void {
    const mask = this.slots.length - 1;
    let slot = mix(key) & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = entry;
    this.slotKeys[slot] = key;
  }

  private rehash(): void {
    const slots = this.slots;
    const keys = this.slotKeys;
    this.slots = new Int32Array(slots.length * 2);
    this.slotKeys = new Int32Array(slots.length * 2);
    for (let slot = 0; slot < slots.length; slot++) if (slots[slot] !== 0) this.place(slots[slot]!, keys[slot]!);
  }
}

/** Frame ids in the first slab (16 KiB), doubling up to MAX_SLAB_IDS (4 MiB). */
const FIRST_SLAB_IDS = 4096;
const MAX_SLAB_IDS = 1 << 20;

/** The hash of the empty prefix, which extendStackHash extends root first. */
export const STACK_HASH_SEED = 0x811c9dc5 | 0;

/** The hash of a prefix (root first) extended by the next frame towards the leaf: one step of FNV-1a. */
export function extendStackHash(prefixHash: number, frameId: number): number {
  return Math.imul(prefixHash ^ frameId, 0x01000193);
}

/**
 * A stack's key from its whole prefix hash and its length. A signed 32-bit key stays a small integer in V8 (an unsigned
 * one past 2^31 is a heap number, slower to handle).
 */
export function stackHashKey(prefixHash: number, length: number): number {
  return (prefixHash ^ length) | 0;
}

/** The key of the first `length` frame ids (leaf first), hashed root first as extendStackHash does. */
export function stackHash(frameIds: ArrayLike<number>, length: number): number {
  let hash = STACK_HASH_SEED;
  for (let i = length - 1; i >= 0; i--) hash = extendStackHash(hash, frameIds[i]!);
  return stackHashKey(hash, length);
}

/** A slot from a key: the table's mask keeps only low bits, so the high ones are mixed into them. */
function mix(key: number): number {
  const hash = Math.imul(key ^ (key >>> 16), 0x85ebca6b);
  return hash ^ (hash >>> 13);
}

function copyTyped(to: Uint32Array, from: Uint32Array, length: number): void {
  for (let i = 0; i < length; i++) to[i] = from[i]!;
}

function copyIds(to: Uint32Array, from: ArrayLike<number>, length: number): void {
  for (let i = 0; i < length; i++) to[i] = from[i]!;
}

function sameIds(stored: Uint32Array, frameIds: ArrayLike<number>, length: number): boolean {
  if (stored.length !== length) return false;
  for (let i = 0; i < length; i++) if (stored[i] !== frameIds[i]) return false;
  return true;
}
