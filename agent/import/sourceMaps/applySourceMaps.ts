import type { ImportedFrame, ImportedProfile } from '../importedProfile';
import type { MissingMap, SourceMapResolver } from './sourceMapResolver';

/** What `applySourceMaps` did, for logs and for telling the user why frames stayed generated. */
export interface SourceMapReport {
  mapped: number;
  unmapped: number;
  missingMaps: MissingMap[];
  /** Frames before and after re-interning. */
  framesBefore: number;
  framesAfter: number;
}

/**
 * Maps every frame of a profile to its original source (see sourceMapResolver.ts for the "mapped from" marker),
 * then re-interns what became equal. Several generated positions can map to one original function (the same
 * source bundled twice, a helper inlined by the compiler): their frames become one frame, keyed by the original
 * name, file, line, column and address, and keeping the first one's `module` (its generated position) as the
 * representative. Unmapped frames keep their full identity, `module` included, and never merge with mapped ones.
 * Stacks are rewritten with the new frame ids and deduplicated, and samples point at the surviving stacks; sample
 * values, times and labels are unchanged. The input profile is not modified.
 */
export async function applySourceMaps(profile: ImportedProfile, resolver: SourceMapResolver): Promise<ImportedProfile & { sourceMaps: SourceMapReport }> {
  const resolved = await resolver.resolveFrames(profile.frames);
  const report = { mapped: resolved.mapped, unmapped: resolved.unmapped, missingMaps: resolved.missingMaps, framesBefore: profile.frames.length };
  // Nothing moved (no script had a map): the profile is already what it would become, so skip re-interning.
  if (resolved.mapped === 0) return { ...profile, sourceMaps: { ...report, framesAfter: profile.frames.length } };

  const frames: ImportedFrame[] = [];
  const frameIds = new Map<string, number>();
  const newFrameId = new Int32Array(profile.frames.length);
  for (let i = 0; i < resolved.frames.length; i++) {
    const frame = resolved.frames[i]!;
    const identity = resolved.isMapped[i] ? 'mapped' : `unmapped\u0000${frame.module}`;
    const key = `${frame.name}\u0000${frame.file}\u0000${frame.line}\u0000${frame.column}\u0000${frame.address}\u0000${identity}`;
    let id = frameIds.get(key);
    if (id === undefined) {
      id = frames.length;
      frames.push(frame);
      frameIds.set(key, id);
    }
    newFrameId[i] = id;
  }

  const stacks: number[][] = [];
  const stackIds = new Map<string, number>();
  const newStackId = new Int32Array(profile.stacks.length);
  for (let s = 0; s < profile.stacks.length; s++) {
    const stack = Array.from(profile.stacks[s]!, f => newFrameId[f]!);
    const key = stack.join(',');
    let id = stackIds.get(key);
    if (id === undefined) {
      id = stacks.length;
      stacks.push(stack);
      stackIds.set(key, id);
    }
    newStackId[s] = id;
  }

  return {
    ...profile,
    frames,
    stacks,
    sampleStacks: profile.sampleStacks.map(s => newStackId[s]!),
    sourceMaps: {
      mapped: resolved.mapped,
      unmapped: resolved.unmapped,
      missingMaps: resolved.missingMaps,
      framesBefore: profile.frames.length,
      framesAfter: frames.length,
    },
  };
}
