import fc from 'fast-check';
import type { LabelMatcher } from '../../common/selector';
import type { Selection } from '../../storage/query';
import { BatchSource, batchFromRows, type SampleRow } from './batchSource';

/**
 * Random samples for property tests of the query engine (storage/query/engine.property.test.ts) and of the product
 * queries (agent/queries/queries.property.test.ts), and the row-by-row reference of a selection: plain objects,
 * independent of the engine's code (its own regex anchoring, its own null rule, Maps instead of typed arrays).
 */

export const KEYS = ['a', 'b', 'c'];
export const VALUES = ['x', 'y', 'z"q', 'é', ''];
export const PATTERNS = ['x|y', '.*', '', 'z.*', '[xy]', 'é?', '.+'];
const STACKS = 5;

export interface Row {
  profileType: string;
  timestamp: number;
  value: number;
  stackId: number;
  labels: Record<string, string>;
}

const rowArb = (keys: string[]): fc.Arbitrary<Row> =>
  fc.record({
    profileType: fc.constantFrom('cpu', 'alloc'),
    timestamp: fc.integer({ min: 0, max: 100 }),
    value: fc.integer({ min: 0, max: 1000 }),
    stackId: fc.integer({ min: 1, max: STACKS }),
    // Each row has some of its batch's keys: the others are nulls inside the batch's column.
    labels: fc.record(Object.fromEntries(keys.map(k => [k, fc.constantFrom(...VALUES)])), { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>,
  });

export const batchArb: fc.Arbitrary<Row[]> = fc
  .subarray(KEYS)
  .chain(keys => fc.array(rowArb(keys), { minLength: 0, maxLength: 25 }));

export const batchesArb = fc.array(batchArb, { minLength: 1, maxLength: 5 });

const matcherArb: fc.Arbitrary<LabelMatcher> = fc.oneof(
  fc.record({ key: fc.constantFrom(...KEYS, 'd'), op: fc.constantFrom('=' as const, '!=' as const), value: fc.constantFrom(...VALUES) }),
  fc.record({ key: fc.constantFrom(...KEYS, 'd'), op: fc.constantFrom('=~' as const, '!~' as const), value: fc.constantFrom(...PATTERNS) }),
);

export const selectionArb: fc.Arbitrary<Selection> = fc.record(
  {
    profileType: fc.constantFrom('cpu', 'alloc'),
    matchers: fc.array(matcherArb, { maxLength: 3 }),
    timeRange: fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 60 })).map(([startMs, span]) => ({ startMs, endMs: startMs + span })),
  },
  { requiredKeys: ['matchers'] },
);

/** The rows a selection keeps, one row at a time: a missing label is the empty string (Prometheus). */
export function selected(rows: Row[], s: Selection): Row[] {
  return rows.filter(r => {
    if (s.profileType !== undefined && r.profileType !== s.profileType) return false;
    if (s.timeRange && !(r.timestamp >= s.timeRange.startMs && r.timestamp < s.timeRange.endMs)) return false;
    return s.matchers.every(m => {
      const v = r.labels[m.key] ?? '';
      switch (m.op) {
        case '=':
          return v === m.value;
        case '!=':
          return v !== m.value;
        case '=~':
          return new RegExp(`^(?:${m.value})$`, 'su').test(v);
        case '!~':
          return !new RegExp(`^(?:${m.value})$`, 'su').test(v);
      }
    });
  });
}

/** The batches as blocks of an in-memory source, over four functions in five stacks (stack 4 recurses through work). */
export function sourceOf(batches: Row[][]): BatchSource {
  const source = new BatchSource();
  const frames = ['main', 'work', 'leaf', 'io'].map(functionName =>
    source.metadata.internFrame({ functionName, file: `/w/${functionName}.js`, line: 1, column: 1, module: '', address: 0 }),
  );
  const [main, work, leaf, io] = frames as [number, number, number, number];
  // Leaf first, as the store keeps them; stack 4 recurses through work.
  for (const stack of [[main], [work, main], [leaf, work, main], [leaf, work, work, main], [io, main]]) source.metadata.internStack(stack);
  for (const rows of batches) source.append(batchFromRows(rows.map(toSample)));
  return source;
}

export function toSample(r: Row): SampleRow {
  return { profileType: r.profileType, timestamp: r.timestamp, value: r.value, stackId: r.stackId, labels: r.labels };
}

/** The reference for a merge of stacks: per stack id in ascending order, the sum of values and the count of rows. */
export function stackSums(rows: Row[]): { stackIds: number[]; values: number[]; samples: number[] } {
  const sums = new Map<number, [number, number]>();
  for (const r of rows) {
    const e = sums.get(r.stackId) ?? [0, 0];
    sums.set(r.stackId, [e[0] + r.value, e[1] + 1]);
  }
  const stackIds = [...sums.keys()].sort((x, y) => x - y);
  return { stackIds, values: stackIds.map(id => sums.get(id)![0]), samples: stackIds.map(id => sums.get(id)![1]) };
}
