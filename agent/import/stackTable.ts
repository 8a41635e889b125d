/**
 * The interned stacks of an imported profile (ProfileBuilder): each distinct list of frame ids once, as a view into
 * slabs of SLAB_IDS ids. A huge V8 profile has a quarter of a million stacks and fifteen million ids: as plain arrays,
 * one each, they cost more in garbage collection than the conversion itself, and the store copies them anyway.
 *
 * Stacks are keyed by a hash taken root first (the last id first), so that an importer that walks a tree from its
 * root can hash a node's stack from its parent's hash and its own frame (extendStackHash) instead of from every id.
 */
export class StackTable {
  /** Per stack id, its frame ids, leaf first: views that are never written once made. */
  readonly stacks: Uint32Array[] = [];
  private slab = new Uint32Array(SLAB_IDS);
  private slabUsed = 0;
  /** Stack ids by hash; collisions, and different nodes with the same frames, are told apart by comparing the ids. */
  private readonly ids = new Map<number, number | number[]>();

  /**
   * The id of the stack of the first `length` frame ids, added when new. `hash` is stackHash of those ids, given by a
   * caller that computed it incrementally; it must be right, or equal stacks would be interned twice.
   */
  intern(frameIds: ArrayLike<number>, length = frameIds.length, hash = stackHash(frameIds, length)): number {
    const bucket = this.ids.get(hash);
    if (bucket !== undefined) {
      if (typeof bucket === 'number') {
        if (sameIds(this.stacks[bucket]!, frameIds, length)) return bucket;
      } else {
        for (const candidate of bucket) if (sameIds(this.stacks[candidate]!, frameIds, length)) return candidate;
      }
    }
    if (this.slabUsed + length > this.slab.length) {
      this.slab = new Uint32Array(Math.max(SLAB_IDS, length));
      this.slabUsed = 0;
    }
    const stored = this.slab.subarray(this.slabUsed, this.slabUsed + length);
    for (let i = 0; i < length; i++) stored[i] = frameIds[i]!;
    this.slabUsed += length;
    const id = this.stacks.length;
    this.stacks.push(stored);
    if (bucket === undefined) this.ids.set(hash, id);
    else if (typeof bucket === 'number') this.ids.set(hash, [bucket, id]);
    else bucket.push(id);
    return id;
  }
}

/** Frame ids per slab: 256 KiB, as the store's MetadataStore. */
const SLAB_IDS = 65536;

/** The hash of the empty prefix, which extendStackHash extends root first. */
export const STACK_HASH_SEED = 0x811c9dc5 | 0;

/** The hash of a prefix (root first) extended by the next frame towards the leaf: one step of FNV-1a. */
export function extendStackHash(prefixHash: number, frameId: number): number {
  return Math.imul(prefixHash ^ frameId, 0x01000193);
}

/**
 * A stack's key from its full prefix hash and its length. A signed 32-bit key stays a small integer in V8 (an unsigned
 * one past 2^31 is a heap number, slower to look up).
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

function sameIds(stored: Uint32Array, frameIds: ArrayLike<number>, length: number): boolean {
  if (stored.length !== length) return false;
  for (let i = 0; i < length; i++) if (stored[i] !== frameIds[i]) return false;
  return true;
}
