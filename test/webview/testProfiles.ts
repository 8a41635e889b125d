// Small hand-built call trees for the browser tests, written as nested frames and packed the way the agent
// packs them (pre-order, interned strings, totals summed from the leaves up).
import { FRAME_KINDS, type FrameKind, type PackedCallTree, type ProfileSummary } from '../../common/callTree';
import { CPU_TIME_PROFILE_TYPE } from '../../common/profileTypes';
import type { ViewResult } from '../../common/viewQuery';
import type { ViewSettings } from '../../common/protocol/webviewProtocol';

export interface FrameSpec {
  name: string;
  url?: string;
  line?: number;
  column?: number;
  kind?: FrameKind;
  selfSamples: number;
  children?: FrameSpec[];
}

/** Every sample counts this many microseconds, so times and samples stay proportional. */
export const MICROS_PER_SAMPLE = 1000;

/** Packs frames under a synthetic root; `root` overrides the root's fields (a URL, to test that it is ignored). */
export function packFrames(rootChildren: FrameSpec[], root: Partial<FrameSpec> = {}): PackedCallTree {
  const tree: PackedCallTree = {
    strings: [''],
    parent: [], name: [], url: [], line: [], column: [], kind: [],
    selfSamples: [], totalSamples: [], selfValue: [], totalValue: [],
  };
  const intern = (text: string) => {
    const found = tree.strings.indexOf(text);
    return found >= 0 ? found : tree.strings.push(text) - 1;
  };
  const add = (frame: FrameSpec, parent: number): number => {
    const index = tree.parent.length;
    tree.parent.push(parent);
    tree.name.push(intern(frame.name));
    tree.url.push(intern(frame.url ?? ''));
    tree.line.push(frame.line ?? 0);
    tree.column.push(frame.column ?? 0);
    tree.kind.push(FRAME_KINDS.indexOf(frame.kind ?? 'user'));
    tree.selfSamples.push(frame.selfSamples);
    tree.totalSamples.push(0);
    tree.selfValue.push(frame.selfSamples * MICROS_PER_SAMPLE);
    tree.totalValue.push(0);
    let total = frame.selfSamples;
    for (const child of frame.children ?? []) total += tree.totalSamples[add(child, index)]!;
    tree.totalSamples[index] = total;
    tree.totalValue[index] = total * MICROS_PER_SAMPLE;
    return index;
  };
  add({ name: '', kind: 'root', selfSamples: 0, ...root, children: rootChildren }, -1);
  return tree;
}

export function summaryOf(tree: PackedCallTree): ProfileSummary {
  return {
    format: 'cpuprofile',
    sampleCount: tree.totalSamples[0]!,
    durationMicros: tree.totalValue[0]!,
    nodeCount: tree.parent.length,
  };
}

/** What the extension sends with every tree besides it: the selection, its types and timeline (common/viewQuery.ts). */
export function viewMeta(overrides: Partial<Omit<ViewResult, 'summary' | 'tree'>> = {}): Omit<ViewResult, 'summary' | 'tree'> {
  return {
    query: { selector: '{profile_id="test"}', profileType: CPU_TIME_PROFILE_TYPE, timeRange: undefined, focus: undefined },
    unit: 'micros',
    profileTypes: [{ id: CPU_TIME_PROFILE_TYPE, label: 'CPU time', unit: 'micros' }],
    timeline: undefined,
    ...overrides,
  };
}

/** A profile message as the extension sends it. */
export function profileMessage(
  title: string,
  tree: PackedCallTree,
  settings: ViewSettings = { orientation: 'icicle', minFramePixels: 1 },
  meta: Partial<Omit<ViewResult, 'summary' | 'tree'>> = {},
) {
  return { type: 'profile' as const, title, summary: summaryOf(tree), tree, settings, ...viewMeta(meta) };
}

/**
 * 100 samples: a small program with user code, a dependency, GC and idle time. Every frame is at least 10 %
 * wide, so each one is drawn with its label.
 */
export const SMALL_PROGRAM: FrameSpec[] = [
  {
    name: 'main',
    url: 'file:///work/app/src/main.ts',
    line: 10,
    column: 5,
    selfSamples: 2,
    children: [
      {
        name: 'parseInput',
        url: 'file:///work/app/src/parser.ts',
        line: 42,
        column: 3,
        selfSamples: 30,
        children: [
          {
            name: 'readToken',
            url: 'file:///work/app/node_modules/acorn/dist/acorn.js',
            line: 1200,
            column: 17,
            kind: 'dependency',
            selfSamples: 20,
          },
        ],
      },
      { name: 'renderReport', url: 'file:///work/app/src/render.ts', line: 7, column: 1, selfSamples: 25 },
    ],
  },
  { name: '(garbage collector)', kind: 'gc', selfSamples: 10 },
  { name: '(idle)', kind: 'idle', selfSamples: 13 },
];
