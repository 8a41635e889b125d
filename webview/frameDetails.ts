import type { PackedCallTree } from '../common/callTree';
import { frameName, type ValueUnit } from './callTreeHierarchy';
import { formatMicros, formatSamples, formatShare } from './format';

/** What the tooltip says about one frame, as plain strings (they are only ever set as text). */
export interface FrameDetails {
  name: string;
  /** `file:line`, or undefined when the frame has no source (native code, the root, idle). */
  location: string | undefined;
  self: string;
  total: string;
  samples: string;
}

export function describeFrame(tree: PackedCallTree, index: number, unit: ValueUnit): FrameDetails {
  const selfSamples = tree.selfSamples[index] ?? 0;
  const totalSamples = tree.totalSamples[index] ?? 0;
  let self: string;
  let total: string;
  // Shares are of the whole profile (the root), not of the zoomed frame, so they do not change under zoom.
  if (unit === 'micros') {
    const whole = tree.totalValue[0] ?? 0;
    const selfValue = tree.selfValue[index] ?? 0;
    const totalValue = tree.totalValue[index] ?? 0;
    self = `${formatMicros(selfValue)} (${formatShare(selfValue, whole)})`;
    total = `${formatMicros(totalValue)} (${formatShare(totalValue, whole)})`;
  } else {
    const whole = tree.totalSamples[0] ?? 0;
    self = `${formatSamples(selfSamples)} (${formatShare(selfSamples, whole)})`;
    total = `${formatSamples(totalSamples)} (${formatShare(totalSamples, whole)})`;
  }
  return {
    name: frameName(tree, index),
    location: frameLocation(tree, index),
    self,
    total,
    samples: `${formatSamples(selfSamples)} self, ${formatSamples(totalSamples)} total`,
  };
}

/** The frame's source as a reader wants it: a path rather than a file URL, with the 1-based line when known. */
export function frameLocation(tree: PackedCallTree, index: number): string | undefined {
  const url = tree.strings[tree.url[index] ?? 0] ?? '';
  if (url === '') return undefined;
  let path = url;
  if (url.startsWith('file://')) {
    try {
      path = decodeURIComponent(new URL(url).pathname);
    } catch {
      // A malformed file URL is still worth showing as the profile wrote it.
    }
  }
  const line = tree.line[index] ?? 0;
  return line > 0 ? `${path}:${line}` : path;
}
