/**
 * One label key's values in the active part, each with a part-wide id given once. A write's per-row labels are
 * interned here as they are dictionary-encoded, so the part's batch builders translate a write's dictionary by
 * id (a typed-array lookup) instead of looking every distinct value up again in each builder's own map (issue 20:
 * that second interning cost about as much as the first).
 */
export class LabelInterner {
  readonly values: string[] = [];
  /**
   * An open-addressing table (linear probing, at most half full): per slot, an id plus one (0: empty). Per id, its
   * value's hash, so that growing never hashes a string again. A Map cost twice as much per new value once it held
   * a million (issue 21: a trace id and three span ids per request, nearly all new), growing and rehashing its entries.
   */
  private slots = new Int32Array(1024);
  private hashes = new Int32Array(0);
  /** Per id, the write (generation) that last used it and its code in that write's dictionary. */
  stamps = new Int32Array(0);
  locals = new Int32Array(0);
  private generation = 0;
  /** Memory held, for the part's flush threshold: the table entry, the string and the per-id slots. */
  bytes = 0;

  id(value: string): number {
    const hash = hashOf(value);
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (let entry = this.slots[slot]!; entry !== 0; entry = this.slots[slot]!) {
      if (this.hashes[entry - 1] === hash && this.values[entry - 1] === value) return entry - 1;
      slot = (slot + 1) & mask;
    }
    const id = this.values.length;
    this.values.push(value);
    this.bytes += 56 + value.length * 2;
    if (id >= this.stamps.length) this.grow(id + 1);
    this.hashes[id] = hash;
    this.slots[slot] = id + 1;
    if ((id + 1) * 2 > this.slots.length) this.growSlots();
    return id;
  }

  /** A fresh stamp for one write's dictionary: ids stamped with an older one are not in it yet. */
  nextGeneration(): number {
    return ++this.generation;
  }

  private grow(size: number): void {
    const length = Math.max(size, this.stamps.length * 2, 64);
    const stamps = new Int32Array(length);
    stamps.set(this.stamps);
    const locals = new Int32Array(length);
    locals.set(this.locals);
    const hashes = new Int32Array(length);
    hashes.set(this.hashes);
    this.stamps = stamps;
    this.locals = locals;
    this.hashes = hashes;
  }

  private growSlots(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.values.length; id++) {
      let slot = this.hashes[id]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }
}

/** FNV-1a over the UTF-16 code units, then a finishing mix so that the low bits (the slot) depend on every unit. */
function hashOf(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash;
}

/** The interners of one active part, one per label key. */
export class PartLabels {
  private readonly keys = new Map<string, LabelInterner>();

  of(key: string): LabelInterner {
    let interner = this.keys.get(key);
    if (!interner) this.keys.set(key, (interner = new LabelInterner()));
    return interner;
  }

  bytes(): number {
    let bytes = 0;
    for (const interner of this.keys.values()) bytes += interner.bytes;
    return bytes;
  }
}
