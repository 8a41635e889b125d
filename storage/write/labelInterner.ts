/**
 * One label key's values in the active part, each with a part-wide id given once. A write's per-row labels are
 * interned here as they are dictionary-encoded, so the part's batch builders translate a write's dictionary by
 * id (a typed-array lookup) instead of looking every distinct value up again in each builder's own map (issue 20:
 * that second interning cost about as much as the first).
 */
export class LabelInterner {
  readonly values: string[] = [];
  private readonly ids = new Map<string, number>();
  /** Per id, the write (generation) that last used it and its code in that write's dictionary. */
  stamps = new Int32Array(0);
  locals = new Int32Array(0);
  private generation = 0;
  /** Memory held, for the part's flush threshold: the map entry, the string and the two per-id slots. */
  bytes = 0;

  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
      this.bytes += 56 + value.length * 2;
      if (id >= this.stamps.length) this.grow(id + 1);
    }
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
    this.stamps = stamps;
    this.locals = locals;
  }
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
