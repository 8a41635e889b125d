import { definitionOf } from '../../common/functionIdentity';
import type { MetadataStore, StoredFrame } from '../metadata/metadataStore';

/**
 * Where a frame's function is defined, as function identity (common/functionIdentity.ts) needs it, over one store's
 * frames. A frame that says (V8's callFrame position, pprof's start_line) is at its definition. One that does not —
 * V8 gives some frames no position (line −1), Go before 1.20 wrote no start_line — belongs to the only function of
 * its name and file whose definition is known, when there is exactly one (so a function is not split into a known and
 * an unknown part); otherwise it is the function of that name and file whose start is unknown, shown at the first
 * line its frames name (so pprof's frames at several lines stay one function). The store's frames are looked at
 * once, and only when a frame without a definition comes.
 */
export function functionPositions(metadata: MetadataStore): (frame: StoredFrame) => { line: number; column: number } {
  let unknown: Map<string, { line: number; column: number }> | undefined;
  const resolve = (): Map<string, { line: number; column: number }> => {
    const known = new Map<string, { line: number; column: number } | null>();
    const firstLines = new Map<string, number>();
    for (let id = 1; id <= metadata.frameCount; id++) {
      const frame = metadata.frame(id);
      const key = JSON.stringify([frame.functionName, frame.file]);
      const definition = definitionOf(frame);
      if (definition.line === 0) {
        if (frame.line > 0 && !(firstLines.get(key)! <= frame.line)) firstLines.set(key, frame.line);
        else if (!firstLines.has(key)) firstLines.set(key, 0);
        continue;
      }
      const seen = known.get(key);
      // null: several definitions, so a frame without one cannot be told which.
      if (seen === undefined) known.set(key, definition);
      else if (seen !== null && (seen.line !== definition.line || seen.column !== definition.column)) known.set(key, null);
    }
    const positions = new Map<string, { line: number; column: number }>();
    for (const [key, line] of firstLines) positions.set(key, known.get(key) ?? { line, column: 0 });
    return positions;
  };
  return frame => {
    const definition = definitionOf(frame);
    if (definition.line !== 0) return definition;
    unknown ??= resolve();
    return unknown.get(JSON.stringify([frame.functionName, frame.file])) ?? definition;
  };
}
