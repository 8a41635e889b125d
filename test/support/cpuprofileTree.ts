import type { FrameKind, PackedCallTree, ProfileSummary } from '../../common/callTree';
import { CallTreeBuilder, type Frame } from '../../common/callTreeBuilder';
import { FunctionPositions } from '../../common/functionIdentity';
import { attributeSamples, invalid, readCpuProfileJson, type V8CallFrame, type V8Profile } from '../../agent/import/formats/v8/cpuprofile';
import { classifyJavaScriptFrame } from '../../agent/frameKind';

export interface ParsedProfile {
  summary: ProfileSummary;
  tree: PackedCallTree;
}

/**
 * Parses a V8 CPU profile (current or legacy format) into a merged call tree, straight from the file. The product
 * opens profiles through the store (agent/import/formats/v8/cpuprofileImport.ts, then a tree query); this direct
 * reader, used only by tests and benchmarks, is the reference the store's trees are checked against
 * (profileLibrary.test.ts) and what the goldens of agent/import/formats/v8/cpuprofileTree.test.ts describe. It reads
 * the JSON with the product's checks (agent/import/formats/v8/cpuprofile.ts), so it throws the same
 * ProfileImportError, naming the file, when the text is not such a profile.
 */
export function parseCpuProfile(text: string, displayName: string): ParsedProfile {
  return buildTree(readCpuProfileJson(text, displayName), displayName);
}


function buildTree(profile: V8Profile, displayName: string): ParsedProfile {
  const { nodes } = profile;
  const indexById = new Map<number, number>();
  nodes.forEach((node, i) => indexById.set(node.id, i));

  // Parents from either representation: `children` lists (Node, DevTools) or `parent` ids (trace chunks).
  const parentIndex = new Int32Array(nodes.length).fill(-1);
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    for (const childId of node.children ?? []) {
      const child = indexById.get(childId);
      if (child === undefined) throw invalid(displayName, `node ${node.id} names a child ${childId} that does not exist.`);
      parentIndex[child] = i;
    }
    if (typeof node.parent === 'number') {
      const p = indexById.get(node.parent);
      if (p !== undefined) parentIndex[i] = p;
    }
  }

  // Visit parents before children (the file does not promise any order), mapping each V8 node to a merged node.
  const builder = new CallTreeBuilder();
  const merged = new Int32Array(nodes.length).fill(-1);
  const childrenOf: number[][] = nodes.map(() => []);
  const roots: number[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const p = parentIndex[i]!;
    if (p < 0) roots.push(i);
    else childrenOf[p]!.push(i);
  }
  const queue: number[] = [];
  const toFrame = frameConverter(nodes);
  for (const r of roots) {
    const frame = nodes[r]!.callFrame;
    // V8's own "(root)" node becomes the tree's root; any other parentless node hangs below it.
    if (frame.functionName === '(root)' && frame.url === '') merged[r] = builder.root;
    else merged[r] = builder.child(builder.root, toFrame(frame));
    queue.push(r);
  }
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head]!;
    for (const c of childrenOf[i]!) {
      merged[c] = builder.child(merged[i]!, toFrame(nodes[c]!.callFrame));
      queue.push(c);
    }
  }
  if (queue.length !== nodes.length) throw invalid(displayName, 'its nodes form a cycle.');

  const hitCounts = nodes.map(node => (typeof node.hitCount === 'number' ? node.hitCount : 0));
  const sampleCount = attributeSamples({ ...profile, hitCounts }, indexById, displayName, (index, _offsetMicros, micros) => {
    builder.addSelf(merged[index]!, 1, micros);
  });
  const durationMicros = Math.max(0, profile.endTime - profile.startTime);
  const tree = builder.build();
  return { summary: { format: 'cpuprofile', sampleCount, durationMicros, nodeCount: tree.parent.length }, tree };
}

/**
 * Converts V8 call frames to builder frames, classifying each distinct script URL once rather than per node. A frame
 * is at its function's definition; one without a position takes it from the profile's other frames, as the store's
 * call tree does (common/functionIdentity.ts).
 */
function frameConverter(nodes: readonly { callFrame: V8CallFrame }[]): (frame: V8CallFrame) => Frame {
  const kindByUrl = new Map<string, FrameKind>();
  const nameOf = (frame: V8CallFrame): string => (frame.functionName === '' ? '(anonymous)' : frame.functionName);
  const positionOf = (frame: V8CallFrame) => ({ line: frame.lineNumber >= 0 ? frame.lineNumber + 1 : 0, column: frame.columnNumber >= 0 ? frame.columnNumber + 1 : 0 });
  const positions = new FunctionPositions();
  for (const { callFrame } of nodes) positions.add(nameOf(callFrame), callFrame.url, positionOf(callFrame));
  return frame => {
    let kind: FrameKind | undefined;
    // The kind depends on the name only for V8's pseudo-frames and script-less frames, which have no URL.
    if (frame.url !== '') {
      kind = kindByUrl.get(frame.url);
      if (kind === undefined) {
        kind = classifyJavaScriptFrame(frame.functionName, frame.url, frame.lineNumber);
        kindByUrl.set(frame.url, kind);
      }
    } else {
      kind = classifyJavaScriptFrame(frame.functionName, frame.url, frame.lineNumber);
    }
    const name = nameOf(frame);
    return { name, url: frame.url, ...positions.positionOf(name, frame.url, positionOf(frame)), kind };
  };
}
