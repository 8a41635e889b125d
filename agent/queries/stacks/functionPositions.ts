import { definitionOf, FunctionPositions } from '../../../common/functionIdentity';
import type { MetadataStore, StoredFrame } from '../../../storage/metadata/metadataStore';

/**
 * Where a frame's function is defined, over one store's frames (common/functionIdentity.ts's FunctionPositions). The
 * store's frames are looked at once, and only when a frame without a definition comes.
 */
export function functionPositions(metadata: MetadataStore): (frame: StoredFrame) => { line: number; column: number } {
  let positions: FunctionPositions | undefined;
  return frame => {
    const definition = definitionOf(frame);
    // Frames without a file (V8's pseudo-frames, unsymbolised native code) have no definition to find: no scan.
    if (definition.line !== 0 || frame.file === '') return definition;
    if (!positions) {
      positions = new FunctionPositions();
      for (let id = 1; id <= metadata.frameCount; id++) {
        const other = metadata.frame(id);
        positions.add(other.functionName, other.file, other);
      }
    }
    return positions.positionOf(frame.functionName, frame.file, frame);
  };
}
