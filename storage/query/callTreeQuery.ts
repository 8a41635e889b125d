import { FRAME_KINDS, type FrameKind, type PackedCallTree } from '../../common/callTree';
import type { MetadataStore, StoredFrame } from '../metadata/metadataStore';
import { mergeStacks, type MergedStacks } from './mergeStacks';
import type { ScanSource } from './scanSource';
import type { Selection } from './selection';

/** Decides a frame's kind (user, dependency, runtime, ...); the agent passes its language-specific classifier. */
export type FrameClassifier = (frame: StoredFrame) => FrameKind;

/** Parent and frame ids stay far below 2^26, so (parent, frame) packs into one exact number key. */
const KEY_SCALE = 67_108_864;

/**
 * The merged call tree of the selected samples, in the packed pre-order form of common/callTree.ts.
 *
 * Stacks are merged once per distinct stack id (mergeStacks), not per sample, then walked root first (the
 * metadata stores them leaf first). Frames that look the same in a flame graph — same function, file, line,
 * column and kind — merge under the same parent even when the store holds them as different frames (another
 * module or address). Values are nanoseconds of CPU time, so micros are value / 1000; sample counts are rows.
 */
export async function callTreeForSelection(source: ScanSource, selection: Selection, classify: FrameClassifier): Promise<PackedCallTree> {
  return buildCallTree(source.metadata, await mergeStacks(source, selection), classify);
}

export function buildCallTree(metadata: MetadataStore, merged: MergedStacks, classify: FrameClassifier): PackedCallTree {
  const strings: string[] = [''];
  const stringIds = new Map<string, number>([['', 0]]);
  const internString = (s: string): number => {
    let id = stringIds.get(s);
    if (id === undefined) {
      id = strings.length;
      strings.push(s);
      stringIds.set(s, id);
    }
    return id;
  };

  // Canonical frames: one per distinct (name, file, line, column, kind), computed once per stored frame id.
  const canonicalOf = new Int32Array(metadata.frameCount + 1).fill(-1);
  const canonicalIds = new Map<string, number>();
  const frameName: number[] = [];
  const frameUrl: number[] = [];
  const frameLine: number[] = [];
  const frameColumn: number[] = [];
  const frameKind: number[] = [];
  const canonical = (frameId: number): number => {
    let c = canonicalOf[frameId]!;
    if (c >= 0) return c;
    const frame = metadata.frame(frameId);
    const kind = FRAME_KINDS.indexOf(classify(frame));
    if (kind < 0) throw new Error(`the frame classifier returned an unknown kind for ${frame.functionName}`);
    const name = internString(frame.functionName);
    const url = internString(frame.file);
    const key = `${name},${url},${frame.line},${frame.column},${kind}`;
    let id = canonicalIds.get(key);
    if (id === undefined) {
      id = frameName.length;
      frameName.push(name);
      frameUrl.push(url);
      frameLine.push(frame.line);
      frameColumn.push(frame.column);
      frameKind.push(kind);
      canonicalIds.set(key, id);
    }
    canonicalOf[frameId] = c = id;
    return c;
  };

  const nodeParent: number[] = [-1];
  const nodeFrame: number[] = [-1];
  const nodeSelfSamples: number[] = [0];
  const nodeSelfValue: number[] = [0];
  const childByKey = new Map<number, number>();
  for (let s = 0; s < merged.stackIds.length; s++) {
    const stackId = merged.stackIds[s]!;
    let node = 0;
    // Stack 0 means "no stack": its samples stay on the root.
    if (stackId !== 0) {
      const frames = metadata.stack(stackId);
      for (let k = frames.length - 1; k >= 0; k--) {
        const frame = canonical(frames[k]!);
        const key = node * KEY_SCALE + frame;
        let child = childByKey.get(key);
        if (child === undefined) {
          child = nodeParent.length;
          nodeParent.push(node);
          nodeFrame.push(frame);
          nodeSelfSamples.push(0);
          nodeSelfValue.push(0);
          childByKey.set(key, child);
        }
        node = child;
      }
    }
    nodeSelfSamples[node]! += merged.samples[s]!;
    nodeSelfValue[node]! += merged.values[s]!;
  }

  // Renumber in depth-first pre-order (children in first-seen order), then sum totals bottom-up.
  const n = nodeParent.length;
  const children: (number[] | undefined)[] = new Array(n);
  for (let node = 1; node < n; node++) (children[nodeParent[node]!] ??= []).push(node);
  const order = new Int32Array(n);
  const newIndexOf = new Int32Array(n);
  const stack = [0];
  let next = 0;
  while (stack.length > 0) {
    const node = stack.pop()!;
    newIndexOf[node] = next;
    order[next++] = node;
    const kids = children[node];
    if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
  const rootName = internString('(root)');
  const rootKind = FRAME_KINDS.indexOf('root');
  const tree: PackedCallTree = {
    strings,
    parent: new Array<number>(n),
    name: new Array<number>(n),
    url: new Array<number>(n),
    line: new Array<number>(n),
    column: new Array<number>(n),
    kind: new Array<number>(n),
    selfSamples: new Array<number>(n),
    totalSamples: new Array<number>(n),
    selfMicros: new Array<number>(n),
    totalMicros: new Array<number>(n),
  };
  for (let i = 0; i < n; i++) {
    const old = order[i]!;
    const frame = nodeFrame[old]!;
    const oldParent = nodeParent[old]!;
    tree.parent[i] = oldParent < 0 ? -1 : newIndexOf[oldParent]!;
    tree.name[i] = frame < 0 ? rootName : frameName[frame]!;
    tree.url[i] = frame < 0 ? 0 : frameUrl[frame]!;
    tree.line[i] = frame < 0 ? 0 : frameLine[frame]!;
    tree.column[i] = frame < 0 ? 0 : frameColumn[frame]!;
    tree.kind[i] = frame < 0 ? rootKind : frameKind[frame]!;
    tree.selfSamples[i] = tree.totalSamples[i] = nodeSelfSamples[old]!;
    tree.selfMicros[i] = tree.totalMicros[i] = nodeSelfValue[old]! / 1000;
  }
  for (let i = n - 1; i > 0; i--) {
    const p = tree.parent[i]!;
    tree.totalSamples[p]! += tree.totalSamples[i]!;
    tree.totalMicros[p]! += tree.totalMicros[i]!;
  }
  return tree;
}
