import type { MetadataChanges } from './metadataStore';

/**
 * What one metadata record may hold: well under the 256 MiB a record of the log may have (walRecord.ts
 * MAX_PAYLOAD_BYTES), which the reader refuses as damage. A profile several times the 420 MB benchmark's interns
 * more than 64 million frame ids at one checkpoint; written as one record, the store would refuse to open.
 */
export const RECORD_BUDGET_BYTES = 64 * 1024 * 1024;

/**
 * Splits a checkpoint's changes into consecutive pieces, each of which encodes to about `budget` bytes or less
 * (frames counted by their strings, stacks by their ids: four bytes each, plus four for the length). Applied in order,
 * the pieces give the same metadata as the whole. A single stack or frame over the budget gets a piece of its own
 * (bounded by what a profile can hold: the importers refuse deeper stacks and longer names long before that).
 */
export function splitChanges(changes: MetadataChanges, budget = RECORD_BUDGET_BYTES): MetadataChanges[] {
  const pieces: MetadataChanges[] = [];
  let piece: MetadataChanges = { firstFrameId: changes.firstFrameId, frames: [], firstStackId: changes.firstStackId, stacks: [] };
  let bytes = 0;
  const startNew = (): void => {
    pieces.push(piece);
    piece = { firstFrameId: piece.firstFrameId + piece.frames.length, frames: [], firstStackId: piece.firstStackId + piece.stacks.length, stacks: [] };
    bytes = 0;
  };
  for (const frame of changes.frames) {
    // Field names and numbers take about 100 bytes of a frame's JSON; the strings may be anything up to megabytes.
    const size = 100 + 3 * (frame.functionName.length + frame.file.length + frame.module.length);
    if (bytes > 0 && bytes + size > budget) startNew();
    piece.frames.push(frame);
    bytes += size;
  }
  for (const stack of changes.stacks) {
    const size = 4 + 4 * stack.length;
    if (bytes > 0 && bytes + size > budget) startNew();
    piece.stacks.push(stack);
    bytes += size;
  }
  pieces.push(piece);
  return pieces;
}
