import type { StoredFrame } from '../../storage/metadata/metadataStore';
import { random } from '../../test/support/random';

/**
 * Deterministic synthetic profile data for the storage benchmark. Every peer (the store, DuckDB, the typed-array
 * floor) reads exactly these columns, so the figures compare engines and not inputs.
 *
 * The shape follows what a continuous profiler records: a few thousand frames spread over source files, stacks
 * that share prefixes (callers), a heavily skewed stack distribution (a few hot paths take most samples), one
 * low-cardinality label (e.g. a service) and one high-cardinality label (e.g. a thread or request), timestamps
 * increasing over one hour, and integer sample values.
 */
export interface GeneratorConfig {
  seed: number;
  samples: number;
  stacks: number;
  frames: number;
  files: number;
  minDepth: number;
  maxDepth: number;
  /** Exponent of the Zipf distribution over stacks (1.0 is the classic 1/rank). */
  zipfExponent: number;
  labelAValues: number;
  labelBValues: number;
  startMs: number;
  spanMs: number;
}

export const DEFAULT_GENERATOR: GeneratorConfig = {
  seed: 0x1c1c1e,
  samples: 10_000_000,
  stacks: 20_000,
  frames: 3_000,
  files: 150,
  minDepth: 5,
  maxDepth: 30,
  zipfExponent: 0.8,
  labelAValues: 50,
  labelBValues: 10_000,
  startMs: 1_700_000_000_000,
  spanMs: 3_600_000,
};

/** Frames and stacks (frame indexes into `frames`, root first), as a profiler would report them. */
export interface GeneratedCatalog {
  frames: StoredFrame[];
  stacks: Uint32Array[];
  labelA: string[];
  labelB: string[];
}

/** The sample rows as typed columns; label columns are indexes into the catalog's label value lists. */
export interface GeneratedSamples {
  /** 0-based stack index into the catalog (the store adds 1 when it interns them in order). */
  stackIndex: Uint32Array;
  timestamps: Float64Array;
  values: Float64Array;
  labelA: Int32Array;
  labelB: Int32Array;
}


export function generateCatalog(config: GeneratorConfig = DEFAULT_GENERATOR): GeneratedCatalog {
  const next = random(config.seed);
  const frames: StoredFrame[] = [];
  for (let i = 0; i < config.frames; i++) {
    const file = i % config.files;
    const ordinal = Math.floor(i / config.files);
    // Distinct lines within a file, so that a per-line view has one row per function.
    frames.push({ functionName: `fn${i}`, file: `/src/module${file}.ts`, line: 10 + ordinal * 12, column: 3, module: 'app', address: 0 });
  }
  // Hot frames: callers near the root come from a small set, which gives stacks the shared prefixes of real trees.
  const pickFrame = (depth: number): number => {
    const pool = depth < 3 ? 40 : config.frames;
    return Math.floor(Math.pow(next(), 1.5) * pool);
  };
  const stacks: Uint32Array[] = [];
  const seen = new Set<string>();
  while (stacks.length < config.stacks) {
    const depth = config.minDepth + Math.floor(next() * (config.maxDepth - config.minDepth + 1));
    const path: number[] = [];
    // Half of the stacks extend a prefix of an earlier stack (a sibling call), the rest start afresh.
    if (stacks.length > 0 && next() < 0.5) {
      const parent = stacks[Math.floor(next() * stacks.length)]!;
      const keep = Math.min(parent.length, depth - 1, 1 + Math.floor(next() * parent.length));
      for (let i = 0; i < keep; i++) path.push(parent[i]!);
    }
    while (path.length < depth) path.push(pickFrame(path.length));
    const key = path.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    stacks.push(Uint32Array.from(path));
  }
  const labelA = Array.from({ length: config.labelAValues }, (_, i) => `a${i}`);
  const labelB = Array.from({ length: config.labelBValues }, (_, i) => `b${i}`);
  return { frames, stacks, labelA, labelB };
}

/**
 * The sample columns. Stack choice is Zipf-distributed through a lookup table of the inverse CDF, so drawing a
 * sample costs one random number and one array read whatever the number of stacks.
 */
export function generateSamples(config: GeneratorConfig = DEFAULT_GENERATOR): GeneratedSamples {
  const next = random(config.seed ^ 0x5eed);
  const table = zipfTable(config.stacks, config.zipfExponent, 1 << 20);
  const n = config.samples;
  const stackIndex = new Uint32Array(n);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  const labelA = new Int32Array(n);
  const labelB = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    stackIndex[i] = table[(next() * table.length) | 0]!;
    timestamps[i] = config.startMs + Math.floor((i * config.spanMs) / n);
    values[i] = 1 + Math.floor(next() * 1000);
    labelA[i] = Math.floor(next() * config.labelAValues);
    labelB[i] = Math.floor(next() * config.labelBValues);
  }
  return { stackIndex, timestamps, values, labelA, labelB };
}

/** Maps a uniform slot to a stack index with probability proportional to 1 / (rank + 1)^s. */
function zipfTable(count: number, exponent: number, size: number): Uint32Array {
  const weights = new Float64Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) total += weights[i] = 1 / Math.pow(i + 1, exponent);
  const table = new Uint32Array(size);
  let rank = 0;
  let cumulative = weights[0]! / total;
  for (let slot = 0; slot < size; slot++) {
    const u = (slot + 0.5) / size;
    while (u > cumulative && rank < count - 1) cumulative += weights[++rank]! / total;
    table[slot] = rank;
  }
  return table;
}
