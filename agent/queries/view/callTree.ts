import { FRAME_KINDS, type FrameKind, type PackedCallTree } from '../../../common/callTree';
import { CallTreeBuilder } from '../../../common/callTreeBuilder';
import { toDisplayUnit } from '../../../common/profileTypes';
import type { MetadataStore, StoredFrame } from '../../../storage/metadata/metadataStore';
import { mergeStacks, type MergedStacks } from '../stacks/mergeStacks';
import { functionPositions } from '../stacks/functionPositions';
import { runSliced, type ScanSource, type Selection } from '../../../storage/query';

/** Decides a frame's kind (user, dependency, runtime, ...); the agent passes its language-specific classifier. */
export type FrameClassifier = (frame: StoredFrame) => FrameKind;

/**
 * The merged call tree of the selected samples, in the packed pre-order form of common/callTree.ts.
 *
 * Stacks are merged once per distinct stack id (mergeStacks), not per sample, then walked root first (the
 * metadata stores them leaf first) into common/callTreeBuilder.ts, the builder the direct cpuprofile reader uses. Frames that look the same in a flame graph — same function, file, definition
 * and kind — merge under the same parent even when the store holds them as different frames (another module or
 * address, or, in pprof, another line of the function). Values are in the profile type's display unit (times in microseconds, bytes, counts);
 * sample counts are rows.
 */
export async function callTreeForSelection(source: ScanSource, selection: Selection, classify: FrameClassifier): Promise<PackedCallTree> {
  const merged = await mergeStacks(source, selection);
  return (await runSliced(source, assembleCallTree(source.metadata, merged, classify, toDisplayUnit(selection.profileType)))).tree;
}

/** `toDisplay` turns a stored value into the tree's unit (common/profileTypes.ts), e.g. nanoseconds into microseconds. */
export function buildCallTree(metadata: MetadataStore, merged: MergedStacks, classify: FrameClassifier, toDisplay: (value: number) => number): PackedCallTree {
  return buildCallTreeWithLeaves(metadata, merged, classify, toDisplay).tree;
}

/** As buildCallTree, and each merged stack's leaf node in the tree (`leafOf[s]` for `merged.stackIds[s]`). */
export function buildCallTreeWithLeaves(
  metadata: MetadataStore,
  merged: MergedStacks,
  classify: FrameClassifier,
  toDisplay: (value: number) => number,
): { tree: PackedCallTree; leafOf: Int32Array } {
  const steps = assembleCallTree(metadata, merged, classify, toDisplay);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * As buildCallTreeWithLeaves over `source`'s metadata, giving the agent's thread back to other requests whenever
 * the query's slice is spent (storage/query/yieldSlice.ts; `source` is the query's snapshot): a tree of 20,000 deep
 * stacks takes a few hundred milliseconds to build.
 */
export async function buildCallTreeWithLeavesSliced(
  source: ScanSource,
  merged: MergedStacks,
  classify: FrameClassifier,
  toDisplay: (value: number) => number,
): Promise<{ tree: PackedCallTree; leafOf: Int32Array }> {
  return runSliced(source, assembleCallTree(source.metadata, merged, classify, toDisplay));
}

/**
 * Stacks merged between two chances to pause: well under a millisecond of work. (256 a step made steps of 4 to 15 ms
 * with stacks 30 frames deep whose frames were being interned.)
 */
const STACKS_PER_STEP = 64;

/** The tree's assembly, one step per STACKS_PER_STEP stacks, so that callers may pause between steps. */
function* assembleCallTree(
  metadata: MetadataStore,
  merged: MergedStacks,
  classify: FrameClassifier,
  toDisplay: (value: number) => number,
): Generator<void, { tree: PackedCallTree; leafOf: Int32Array }> {
  const leafOf = new Int32Array(merged.stackIds.length);
  const builder = new CallTreeBuilder();
  // Each stored frame is classified and interned once; frames that look the same in a flame graph (same function,
  // file, definition and kind) share one id even when the store holds them apart (another module or address).
  const frameIdOf = new Int32Array(metadata.frameCount + 1).fill(-1);
  const positionOf = functionPositions(metadata);
  const frameId = (stored: number): number => {
    let id = frameIdOf[stored]!;
    if (id < 0) {
      const frame = metadata.frame(stored);
      const kind = classify(frame);
      if (!FRAME_KINDS.includes(kind)) throw new Error(`the frame classifier returned an unknown kind for ${frame.functionName}`);
      // A node is a function where it is defined (common/functionIdentity.ts): pprof's frames of one function at
      // several lines are one node, and two functions of one name are two.
      const { line, column } = positionOf(frame);
      frameIdOf[stored] = id = builder.frame({ name: frame.functionName, url: frame.file, line, column, kind });
    }
    return id;
  };
  // Stacks interned one after another mostly share a long path from the root (a profile's consecutive samples), and
  // stacks are 90 frames deep on average in a compiler's profile: so the nodes of the previous stack's path are kept,
  // and a stack starts below the part of its path it shares with the previous one. Comparing frame ids costs far
  // less than a lookup in the builder per frame, which dominated this query (3.5M lookups for 39,000 stacks).
  let previous: Uint32Array | undefined;
  const path: number[] = []; // path[d]: the node at depth d + 1 on the previous stack's path.
  for (let s = 0; s < merged.stackIds.length; s++) {
    if (s % STACKS_PER_STEP === STACKS_PER_STEP - 1) yield;
    const stackId = merged.stackIds[s]!;
    let node = builder.root;
    // Stack 0 means "no stack": its samples stay on the root.
    if (stackId !== 0) {
      const frames = metadata.stack(stackId);
      const depth = frames.length;
      let shared = 0;
      if (previous) {
        const limit = Math.min(depth, previous.length);
        const last = previous.length - 1;
        while (shared < limit && frames[depth - 1 - shared] === previous[last - shared]) shared++;
      }
      if (shared > 0) node = path[shared - 1]!;
      for (let d = shared; d < depth; d++) path[d] = node = builder.childOf(node, frameId(frames[depth - 1 - d]!));
      previous = frames;
    }
    builder.addSelf(node, merged.samples[s]!, toDisplay(merged.values[s]!));
    leafOf[s] = node;
  }
  yield;
  const { tree, indexOf } = yield* builder.buildNumberedSteps();
  for (let s = 0; s < leafOf.length; s++) leafOf[s] = indexOf[leafOf[s]!]!;
  return { tree, leafOf };
}
