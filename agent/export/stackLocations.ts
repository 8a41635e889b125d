import type { MetadataStore, StoredFrame } from '../../storage/metadata/metadataStore';

/** The frame of a location without lines, as the pprof importer names it. */
export function isAddressFrame(frame: StoredFrame): boolean {
  return frame.file === '' && frame.line === 0 && /^0x[0-9a-f]+$/.test(frame.functionName);
}

/**
 * A stored stack (leaf first) cut into the locations pprof and OpenTelemetry profiles give a sample: the frames
 * inlined at one native address (same address and module, one after another) share a location, as the importers
 * read them; every other frame is a location of its own. Calls `location(from, to)` for each, leaf first, with the
 * range of `frames` it covers.
 */
export function forEachLocation(metadata: MetadataStore, frames: ArrayLike<number>, location: (from: number, to: number) => void): void {
  let from = 0;
  while (from < frames.length) {
    let to = from + 1;
    const first = metadata.frame(frames[from]!);
    if (first.address !== 0 && !isAddressFrame(first)) {
      while (to < frames.length && frames[to] !== frames[to - 1]) {
        const next = metadata.frame(frames[to]!);
        if (next.address !== first.address || next.module !== first.module || isAddressFrame(next)) break;
        to++;
      }
    }
    location(from, to);
    from = to;
  }
}
