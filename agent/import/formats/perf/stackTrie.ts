/**
 * Sequences of frame ids as paths in a tree, so that a reader that sees the same stacks millions of times (`perf
 * script`) finds a sample's stack one frame at a time as it reads the frames, and needs the stack's id only once
 * per distinct stack: each node is a sequence (its parent's plus one frame), reached from its parent by an exact
 * (parent, frame) lookup in an open-addressed table. Node 0 is the empty sequence. Bounded: past `maxNodes`,
 * `child` gives -1 and the caller interns such stacks itself.
 */
export class StackTrie {
  private parents: Int32Array = new Int32Array(1024);
  private frames: Int32Array = new Int32Array(1024);
  private stacks: Int32Array = new Int32Array(1024).fill(-1);
  private slots: Int32Array = new Int32Array(4096);
  private size = 1;

  constructor(private readonly maxNodes: number) {}

  /** The node of `node`'s sequence followed by `frame`, made when new; -1 when the tree is full. */
  child(node: number, frame: number): number {
    const mask = this.slots.length - 1;
    const parents = this.parents;
    const frames = this.frames;
    let slot = hashPair(node, frame) & mask;
    for (let entry = this.slots[slot]!; entry !== 0; entry = this.slots[slot]!) {
      if (parents[entry] === node && frames[entry] === frame) return entry;
      slot = (slot + 1) & mask;
    }
    if (this.size >= this.maxNodes) return -1;
    const entry = this.size++;
    if (entry === this.parents.length) this.grow();
    this.parents[entry] = node;
    this.frames[entry] = frame;
    this.slots[slot] = entry;
    // Kept at most half full, so that probe runs stay short.
    if (this.size * 2 > this.slots.length) this.rehash();
    return entry;
  }

  /** The stack id given to the node's sequence (setStack), or -1. */
  stack(node: number): number {
    return this.stacks[node]!;
  }

  setStack(node: number, stack: number): void {
    this.stacks[node] = stack;
  }

  private grow(): void {
    const length = this.parents.length * 2;
    const parents = new Int32Array(length);
    parents.set(this.parents);
    const frames = new Int32Array(length);
    frames.set(this.frames);
    const stacks = new Int32Array(length).fill(-1);
    stacks.set(this.stacks);
    this.parents = parents;
    this.frames = frames;
    this.stacks = stacks;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 1; entry < this.size; entry++) {
      let slot = hashPair(this.parents[entry]!, this.frames[entry]!) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry;
    }
    this.slots = slots;
  }
}

function hashPair(node: number, frame: number): number {
  let hash = Math.imul(node, 0x9e3779b1) ^ frame;
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  return hash ^ (hash >>> 13);
}
