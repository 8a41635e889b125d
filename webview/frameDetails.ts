import type { PackedCallTree } from '../common/callTree';
import { frameName, valueColumns, type ValueUnit } from './callTreeHierarchy';
import { formatSamples, formatShare, formatValue } from '../common/valueFormat';

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
  // Shares are of the whole profile (the root), not of the zoomed frame, so they do not change under zoom.
  const columns = valueColumns(tree, unit);
  const whole = columns.total[0] ?? 0;
  const selfValue = columns.self[index] ?? 0;
  const totalValue = columns.total[index] ?? 0;
  const self = `${formatValue(selfValue, unit)} (${formatShare(selfValue, whole)})`;
  const total = `${formatValue(totalValue, unit)} (${formatShare(totalValue, whole)})`;
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
