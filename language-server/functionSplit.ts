import { SPLIT_NONE, SPLIT_OTHERS, type PackedFileCosts } from '../common/protocol/agentProtocol';
import { SPAN_LABEL_KEYS } from '../common/protocol/probeProtocol';

/**
 * A function's total split by the values of a label (its cost per `http_route`), for the hover: the agent sends each
 * function's largest values with the source costs (`PackedFileCosts.split`), so a hover never waits for a query.
 */
export interface FunctionSplit {
  /** The label split by. */
  key: string;
  /** Largest total first; `value` null: the samples without the label. */
  parts: { value: string | null; total: number; samples: number }[];
  /** The values beyond those, summed: how many, their total and samples. */
  others: { values: number; total: number; samples: number };
}

/** What the language server asks the agent to split by, and how many values a hover lists before "N more". */
export const HOVER_SPLIT = { key: SPAN_LABEL_KEYS.httpRoute, limit: 3 } as const;

/**
 * Every function's split in the packed files one document stands for (one file may have several names), by the
 * function's key in `unpackFileCosts`: parts of one value summed across the files, then the largest `limit` kept and
 * the rest added to the others (whose count may then hold a value twice, when it was among one file's others and
 * another's largest; rare, and only the "N more" count is off by it).
 */
export function unpackSplits(packed: readonly PackedFileCosts[], key: string, values: readonly string[], limit: number = HOVER_SPLIT.limit): Map<string, FunctionSplit> {
  const running = new Map<string, { parts: Map<string | null, { total: number; samples: number }>; others: FunctionSplit['others'] }>();
  for (const file of packed) {
    const split = file.split ?? [];
    for (let i = 0; i + 4 < split.length; i += 5) {
      const [fn, value, total, samples, count] = split.slice(i, i + 5) as [number, number, number, number, number];
      const name = file.functionNames[fn];
      const line = file.functions[fn * 5];
      if (name === undefined || line === undefined) continue;
      const id = functionTableKey(name, line);
      let entry = running.get(id);
      if (!entry) {
        entry = { parts: new Map(), others: { values: 0, total: 0, samples: 0 } };
        running.set(id, entry);
      }
      if (value === SPLIT_OTHERS) {
        entry.others.values += count;
        entry.others.total += total;
        entry.others.samples += samples;
        continue;
      }
      const label = value === SPLIT_NONE ? null : values[value];
      if (label === undefined) continue;
      const part = entry.parts.get(label) ?? { total: 0, samples: 0 };
      part.total += total;
      part.samples += samples;
      entry.parts.set(label, part);
    }
  }
  const out = new Map<string, FunctionSplit>();
  for (const [id, { parts, others }] of running) {
    const ranked = [...parts].map(([value, part]) => ({ value, ...part })).sort(largestFirst);
    for (const folded of ranked.slice(limit)) {
      others.values += 1;
      others.total += folded.total;
      others.samples += folded.samples;
    }
    out.set(id, { key, parts: ranked.slice(0, limit), others });
  }
  return out;
}

/** One function in a document's cost table: its name and the line it is defined at. */
export function functionTableKey(name: string, line: number): string {
  return `${name}\u0000${line}`;
}

/** The agent's order: a larger total first; ties by value, the samples without the label last. */
function largestFirst(a: { value: string | null; total: number }, b: { value: string | null; total: number }): number {
  if (a.total !== b.total) return b.total - a.total;
  if (a.value === b.value) return 0;
  if (a.value === null) return 1;
  if (b.value === null) return -1;
  return a.value < b.value ? -1 : 1;
}
