import { FRAME_KINDS, type FrameKind, type PackedCallTree } from './callTree';

/**
 * Nodes handled between two chances to pause (buildNumberedSteps): about a millisecond of work. (16,384 a step made
 * steps of 5 to 20 ms on a 85,000-node tree, and the child lists and pre-order walk over all nodes one more.)
 */
const NODES_PER_STEP = 4_096;

/** A stack frame as a call tree shows it; frames that compare equal merge into one call-tree node. */
export interface Frame {
  name: string;
  /** Script URL or file path; '' when the frame has no source. */
  url: string;
  /** 1-based; 0 when unknown. */
  line: number;
  /** 1-based; 0 when unknown. */
  column: number;
  kind: FrameKind;
}

const ROOT = 0;

/**
 * Builds a merged call tree: children of a node that run the same frame become one node, whatever order or
 * duplication the input had. Callers (the direct cpuprofile reader, the store's call-tree query) add nodes
 * parent-first and attribute self samples and time to them; `build()` renumbers the nodes in depth-first pre-order
 * and sums totals, giving the packed form.
 *
 * Everything lives in growable number arrays and one hash table of node ids keyed by (parent, frame), so the cost
 * is one probe per input node; no per-node objects are allocated.
 */
export class CallTreeBuilder {
  private readonly strings: string[] = [''];
  private readonly stringIds = new Map<string, number>([['', 0]]);
  private readonly frameIds = new Map<string, number>();
  private readonly frameName: number[] = [];
  private readonly frameUrl: number[] = [];
  private readonly frameLine: number[] = [];
  private readonly frameColumn: number[] = [];
  private readonly frameKind: number[] = [];

  private readonly nodeParent: number[] = [-1];
  private readonly nodeFrame: number[] = [-1];
  private readonly nodeSelfSamples: number[] = [0];
  private readonly nodeSelfValue: number[] = [0];
  /**
   * Children by (parent, frame): an open-addressing hash table in typed arrays. A Map keyed by one number made of
   * both ids needs keys beyond the small-integer range, each a heap number: for a 265,000-node tree that was most
   * of the build's time and garbage. A slot holds a node id, or -1 when empty; the node's parent and frame are the key.
   */
  private slots = new Int32Array(1024).fill(-1);

  /** The root node, to which importers attach top-level frames. */
  readonly root = ROOT;

  /** The node for `frame` under `parent`, created on first use. */
  child(parent: number, frame: Frame): number {
    return this.childOf(parent, this.frame(frame));
  }

  /** The node for an interned frame (see `frame`) under `parent`: for callers that intern each frame once. */
  childOf(parent: number, frameId: number): number {
    const mask = this.slots.length - 1;
    let slot = slotOf(parent, frameId) & mask;
    for (;;) {
      const found = this.slots[slot]!;
      if (found < 0) break;
      if (this.nodeParent[found] === parent && this.nodeFrame[found] === frameId) return found;
      slot = (slot + 1) & mask;
    }
    const node = this.nodeParent.length;
    this.nodeParent.push(parent);
    this.nodeFrame.push(frameId);
    this.nodeSelfSamples.push(0);
    this.nodeSelfValue.push(0);
    this.slots[slot] = node;
    // At most half full, so that probes stay short.
    if (2 * (node + 1) > this.slots.length) this.grow();
    return node;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let node = 1; node < this.nodeParent.length; node++) {
      let slot = slotOf(this.nodeParent[node]!, this.nodeFrame[node]!) & mask;
      while (slots[slot]! >= 0) slot = (slot + 1) & mask;
      slots[slot] = node;
    }
    this.slots = slots;
  }

  /** Attributes samples and their value (time, bytes...) to `node` as its own (leaf) cost. */
  addSelf(node: number, samples: number, value: number): void {
    this.nodeSelfSamples[node]! += samples;
    this.nodeSelfValue[node]! += value;
  }

  get nodeCount(): number {
    return this.nodeParent.length;
  }

  build(): PackedCallTree {
    return this.buildNumbered().tree;
  }

  /**
   * The packed tree, and where each node the builder handed out (`child`, `childOf`) ended up in it: for callers that
   * keep node ids, such as the flame chart's samples, which refer to their leaf nodes.
   */
  buildNumbered(): { tree: PackedCallTree; indexOf: Int32Array } {
    const steps = this.buildNumberedSteps();
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * As buildNumbered, one step per NODES_PER_STEP nodes, so that a caller on a thread that serves others may pause
   * between steps: a tree of 100,000 nodes takes tens of milliseconds.
   */
  *buildNumberedSteps(): Generator<void, { tree: PackedCallTree; indexOf: Int32Array }> {
    const n = this.nodeParent.length;
    const children = yield* this.childLists();
    // Ten arrays of n: on a 251,000-node tree their allocation (and the collection it may set off) is 20 ms, a step
    // of its own. (Growing them index by index instead spread that over the steps but made the build slower.)
    const tree: PackedCallTree = {
      strings: this.strings,
      parent: new Array<number>(n),
      name: new Array<number>(n),
      url: new Array<number>(n),
      line: new Array<number>(n),
      column: new Array<number>(n),
      kind: new Array<number>(n),
      selfSamples: new Array<number>(n),
      totalSamples: new Array<number>(n),
      selfValue: new Array<number>(n),
      totalValue: new Array<number>(n),
    };
    yield;
    const order = new Int32Array(n); // order[newIndex] = old node
    const newIndexOf = new Int32Array(n);
    // Iterative pre-order walk: children are pushed in reverse so they come out in insertion order.
    const stack = new Int32Array(n);
    let top = 0;
    stack[top++] = ROOT;
    let next = 0;
    while (top > 0) {
      if (next % NODES_PER_STEP === NODES_PER_STEP - 1) yield;
      const node = stack[--top]!;
      newIndexOf[node] = next;
      order[next++] = node;
      for (let i = children.start[node + 1]! - 1; i >= children.start[node]!; i--) stack[top++] = children.nodes[i]!;
    }
    const rootKind = FRAME_KINDS.indexOf('root');
    for (let i = 0; i < n; i++) {
      if (i % NODES_PER_STEP === NODES_PER_STEP - 1) yield;
      const old = order[i]!;
      const frame = this.nodeFrame[old]!;
      const oldParent = this.nodeParent[old]!;
      tree.parent[i] = oldParent < 0 ? -1 : newIndexOf[oldParent]!;
      tree.name[i] = frame < 0 ? this.internString('(root)') : this.frameName[frame]!;
      tree.url[i] = frame < 0 ? 0 : this.frameUrl[frame]!;
      tree.line[i] = frame < 0 ? 0 : this.frameLine[frame]!;
      tree.column[i] = frame < 0 ? 0 : this.frameColumn[frame]!;
      tree.kind[i] = frame < 0 ? rootKind : this.frameKind[frame]!;
      tree.selfSamples[i] = tree.totalSamples[i] = this.nodeSelfSamples[old]!;
      tree.selfValue[i] = tree.totalValue[i] = this.nodeSelfValue[old]!;
    }
    // In pre-order every child follows its parent, so one backward pass sums totals bottom-up.
    for (let i = n - 1; i > 0; i--) {
      if (i % NODES_PER_STEP === 0) yield;
      const p = tree.parent[i]!;
      tree.totalSamples[p]! += tree.totalSamples[i]!;
      tree.totalValue[p]! += tree.totalValue[i]!;
    }
    return { tree, indexOf: newIndexOf };
  }

  /**
   * Every node's children in insertion order, as one array: node p's are `nodes[start[p]]` up to `nodes[start[p + 1]]`.
   * One array per parent would be a hundred thousand small allocations for a big profile's tree.
   */
  private *childLists(): Generator<void, { start: Int32Array; nodes: Int32Array }> {
    const n = this.nodeParent.length;
    const start = new Int32Array(n + 1);
    // In steps too: on a 251,000-node tree the three passes took 22-26 ms.
    for (let node = 1; node < n; node++) {
      if (node % NODES_PER_STEP === 0) yield;
      start[this.nodeParent[node]! + 1]!++;
    }
    for (let p = 0; p < n; p++) start[p + 1]! += start[p]!;
    yield;
    const fill = start.slice(0, n);
    const nodes = new Int32Array(Math.max(0, n - 1));
    for (let node = 1; node < n; node++) {
      if (node % NODES_PER_STEP === 0) yield;
      nodes[fill[this.nodeParent[node]!]!++] = node;
    }
    yield;
    return { start, nodes };
  }

  /** Interns a frame, returning its id for `childOf`. */
  frame(frame: Frame): number {
    // Interning the strings first makes the frame key short (four numbers) however long the names are.
    const name = this.internString(frame.name);
    const url = this.internString(frame.url);
    const key = `${name},${url},${frame.line},${frame.column},${frame.kind}`;
    let id = this.frameIds.get(key);
    if (id === undefined) {
      id = this.frameName.length;
      this.frameName.push(name);
      this.frameUrl.push(url);
      this.frameLine.push(frame.line);
      this.frameColumn.push(frame.column);
      this.frameKind.push(FRAME_KINDS.indexOf(frame.kind));
      this.frameIds.set(key, id);
    }
    return id;
  }

  private internString(text: string): number {
    let id = this.stringIds.get(text);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(text);
      this.stringIds.set(text, id);
    }
    return id;
  }
}

/** A well-mixed 32-bit hash of a (parent, frame) pair; the table masks it to its size. */
function slotOf(parent: number, frameId: number): number {
  let h = Math.imul(parent, 0x9e3779b1) ^ Math.imul(frameId + 0x7f4a7c15, 0x85ebca77);
  // The products carry their inputs' low bits only upwards; folding the high half down spreads them over the mask.
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) >>> 0;
}
