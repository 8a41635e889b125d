import { FRAME_KINDS, type FrameKind, type PackedCallTree } from './callTree';

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
 * Everything lives in growable number arrays and one Map keyed by (parent, frame), so the cost is one map
 * lookup per input node; no per-node objects are allocated.
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
  private readonly childByKey = new Map<number, number>();

  /** The root node, to which importers attach top-level frames. */
  readonly root = ROOT;

  /** The node for `frame` under `parent`, created on first use. */
  child(parent: number, frame: Frame): number {
    return this.childOf(parent, this.frame(frame));
  }

  /** The node for an interned frame (see `frame`) under `parent`: for callers that intern each frame once. */
  childOf(parent: number, frameId: number): number {
    // A numeric key avoids building a string per node: parent and frame ids both stay far below 2^26.
    const key = parent * 67_108_864 + frameId;
    let node = this.childByKey.get(key);
    if (node === undefined) {
      node = this.nodeParent.length;
      this.nodeParent.push(parent);
      this.nodeFrame.push(frameId);
      this.nodeSelfSamples.push(0);
      this.nodeSelfValue.push(0);
      this.childByKey.set(key, node);
    }
    return node;
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
    const n = this.nodeParent.length;
    const children = this.childLists();
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
    const order = new Int32Array(n); // order[newIndex] = old node
    const newIndexOf = new Int32Array(n);
    // Iterative pre-order walk: children are pushed in reverse so they come out in insertion order.
    const stack = [ROOT];
    let next = 0;
    while (stack.length > 0) {
      const node = stack.pop()!;
      newIndexOf[node] = next;
      order[next++] = node;
      const kids = children[node];
      if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
    }
    const rootKind = FRAME_KINDS.indexOf('root');
    for (let i = 0; i < n; i++) {
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
      const p = tree.parent[i]!;
      tree.totalSamples[p]! += tree.totalSamples[i]!;
      tree.totalValue[p]! += tree.totalValue[i]!;
    }
    return tree;
  }

  private childLists(): (number[] | undefined)[] {
    const lists: (number[] | undefined)[] = new Array(this.nodeParent.length);
    for (let node = 1; node < this.nodeParent.length; node++) {
      const p = this.nodeParent[node]!;
      (lists[p] ??= []).push(node);
    }
    return lists;
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
