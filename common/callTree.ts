import { z } from 'zod';
import { functionKey } from './functionIdentity';

/**
 * A merged call tree in the compact form that crosses process boundaries (agent → extension → webview).
 *
 * Nodes are stored column-wise in depth-first pre-order, so a parent always precedes its children and a
 * receiver rebuilds the hierarchy in one pass without recursion. Node 0 is the synthetic root. Strings
 * (function names, script URLs) are interned once in `strings` and referenced by index, because the same
 * names repeat across thousands of nodes in real profiles.
 */
export interface PackedCallTree {
  /** Interned strings; index 0 is always the empty string. */
  strings: string[];
  /** Parent node index, -1 for the root. */
  parent: number[];
  /** Index into `strings` of the function name. */
  name: number[];
  /** Index into `strings` of the script URL or file path ('' when the frame has no source). */
  url: number[];
  /** 1-based line of the function, 0 when unknown. */
  line: number[];
  /** 1-based column of the function, 0 when unknown. */
  column: number[];
  /** Index into FRAME_KINDS. */
  kind: number[];
  /** Samples whose leaf is this node. */
  selfSamples: number[];
  /** Samples whose stack passes through this node (its own plus its descendants'). */
  totalSamples: number[];
  /** Time attributed to this node alone, in microseconds. */
  selfValue: number[];
  /** Time attributed to this node and its descendants, in microseconds. */
  totalValue: number[];
}

/**
 * A call tree's columns in any array form: the agent keeps trees it caches in typed arrays, which are cheaper to make
 * than arrays of numbers; only a PackedCallTree crosses a boundary (`toPackedCallTree`).
 */
export type CallTreeColumns = { readonly strings: readonly string[] } & { readonly [C in (typeof NUMBER_COLUMNS)[number]]: ArrayLike<number> };

/** The tree itself when its columns are arrays already, else a copy of it whose columns are. */
export function toPackedCallTree(tree: CallTreeColumns): PackedCallTree {
  if (Array.isArray(tree.strings) && NUMBER_COLUMNS.every(c => Array.isArray(tree[c]))) return tree as PackedCallTree;
  const out = { strings: [...tree.strings] } as PackedCallTree;
  for (const column of NUMBER_COLUMNS) out[column] = Array.from(tree[column]);
  return out;
}

/** The label of a frame; anonymous functions get a name a reader recognises rather than an empty frame. */
export function frameName(tree: PackedCallTree, index: number): string {
  const name = tree.strings[tree.name[index] ?? 0] ?? '';
  if (name !== '') return name;
  return index === 0 ? '(all)' : '(anonymous)';
}

/** The function a tree node belongs to (common/functionIdentity.ts): a node's line and column are where it is defined. */
export function nodeFunctionKey(tree: PackedCallTree, index: number): string {
  return functionKey({ name: frameName(tree, index), file: tree.strings[tree.url[index] ?? 0] ?? '', line: tree.line[index] ?? 0, column: tree.column[index] ?? 0 });
}

/** What kind of code a frame runs; the webview colours frames by it. */
export const FRAME_KINDS = ['root', 'user', 'dependency', 'runtime', 'native', 'program', 'idle', 'gc'] as const;
export type FrameKind = (typeof FRAME_KINDS)[number];

const NUMBER_COLUMNS = [
  'parent', 'name', 'url', 'line', 'column', 'kind', 'selfSamples', 'totalSamples', 'selfValue', 'totalValue',
] as const;

/**
 * Checks a call tree that arrived from another process. Hand-written rather than a per-element schema because
 * trees reach hundreds of thousands of nodes and this check runs before first paint: it is one pass over
 * each column. Returns a description of the first problem, or undefined when the tree is sound.
 */
export function findCallTreeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'the call tree is not an object';
  const tree = value as Record<string, unknown>;
  const strings = tree['strings'];
  if (!Array.isArray(strings) || strings.some(s => typeof s !== 'string')) return 'strings must be an array of strings';
  const parent = tree['parent'];
  if (!Array.isArray(parent)) return 'parent must be an array';
  const n = parent.length;
  if (n === 0 || parent[0] !== -1) return 'node 0 must be the root';
  for (const column of NUMBER_COLUMNS) {
    const values = tree[column];
    if (!Array.isArray(values) || values.length !== n) return `column ${column} must hold ${n} numbers`;
    for (let i = 0; i < n; i++) {
      if (typeof values[i] !== 'number' || !Number.isFinite(values[i])) return `column ${column} holds a non-number at ${i}`;
    }
  }
  const t = value as PackedCallTree;
  for (let i = 1; i < n; i++) {
    const p = t.parent[i]!;
    if (p < 0 || p >= i || !Number.isInteger(p)) return `node ${i} has parent ${p}, which does not precede it`;
  }
  for (let i = 0; i < n; i++) {
    if (!(t.name[i]! >= 0 && t.name[i]! < strings.length && t.url[i]! >= 0 && t.url[i]! < strings.length)) {
      return `node ${i} refers to a string that does not exist`;
    }
    if (!(t.kind[i]! >= 0 && t.kind[i]! < FRAME_KINDS.length)) return `node ${i} has an unknown kind`;
  }
  return undefined;
}

export const packedCallTreeSchema = z.custom<PackedCallTree>(
  value => findCallTreeProblem(value) === undefined,
  { message: 'malformed call tree' },
);

/** What a parsed profile is, besides its tree: shown in the webview header and in logs. */
export const profileSummarySchema = z.object({
  /** The format the agent recognised. */
  format: z.literal('cpuprofile'),
  /** Number of samples in the profile. */
  sampleCount: z.number().int().nonnegative(),
  /** Wall-clock span of the profile in microseconds. */
  durationMicros: z.number().nonnegative(),
  /** Number of nodes in the merged call tree, the root included. */
  nodeCount: z.number().int().positive(),
});
export type ProfileSummary = z.infer<typeof profileSummarySchema>;
