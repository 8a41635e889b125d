import { definitionOf } from '../../common/functionIdentity';
import type { MetadataStore, StoredFrame } from '../metadata/metadataStore';

export interface ShownPositions {
  /** Where the frame's function is shown. */
  of(frame: StoredFrame): { line: number; column: number };
  /** The line a function of unknown start is shown at (0: none of its frames names a line). */
  firstLine(name: string, file: string): number;
}

/**
 * Where a frame's function is shown: its definition (common/functionIdentity.ts), or, when the profile does not say
 * where the function starts (pprof without start_line, as Go wrote before 1.20), the first line any frame of that
 * name and file names: one line per function, so its frames at several lines stay one function. The first lines are
 * found once, over every frame, and only when a frame needs them.
 */
export function shownPositions(metadata: MetadataStore): ShownPositions {
  let firstLines: Map<string, number> | undefined;
  const firstLine = (name: string, file: string): number => {
    if (!firstLines) {
      firstLines = new Map();
      for (let id = 1; id <= metadata.frameCount; id++) {
        const frame = metadata.frame(id);
        if (frame.line === 0 || definitionOf(frame).line !== 0) continue;
        const key = JSON.stringify([frame.functionName, frame.file]);
        if (!(firstLines.get(key)! <= frame.line)) firstLines.set(key, frame.line);
      }
    }
    return firstLines.get(JSON.stringify([name, file])) ?? 0;
  };
  return {
    firstLine,
    of: frame => {
      const definition = definitionOf(frame);
      return definition.line !== 0 || frame.line === 0 ? definition : { line: firstLine(frame.functionName, frame.file), column: 0 };
    },
  };
}
