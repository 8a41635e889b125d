import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LabelMatcher } from '../../common/selector';
import { COLUMN, labelColumn } from '../schema';
import { executePlan } from './execute';
import { and, compare, isIn, or, regex, type CompareOp, type Predicate } from './expression';
import { count, max, min, scan, sum } from './logicalPlan';
import { mayMatch } from './pruning';
import { type Selection } from '.';
import { functionCosts } from '../../agent/queries/stacks/functionCosts';
import { labelValues } from '../../agent/queries/labels/labelQueries';
import { mergeStacks } from '../../agent/queries/stacks/mergeStacks';
import { timeSeries } from '../../agent/queries/view/timeSeries';
import { BatchSource, batchFromRows, computeStats, type SampleRow } from '../../test/support/batchSource';

/**
 * Property tests: random batches and random selections or plans give the same answer through the engine as
 * through a naive row-by-row reference written here over plain objects, independently of the engine's code
 * (its own regex anchoring, its own null rule, Maps instead of typed arrays).
 */

const KEYS = ['a', 'b', 'c'];
const VALUES = ['x', 'y', 'z"q', 'é', ''];
const PATTERNS = ['x|y', '.*', '', 'z.*', '[xy]', 'é?', '.+'];
const STACKS = 5;

interface Row {
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

const batchArb: fc.Arbitrary<Row[]> = fc
  .subarray(KEYS)
  .chain(keys => fc.array(rowArb(keys), { minLength: 0, maxLength: 25 }));

const batchesArb = fc.array(batchArb, { minLength: 1, maxLength: 5 });

const matcherArb: fc.Arbitrary<LabelMatcher> = fc.oneof(
  fc.record({ key: fc.constantFrom(...KEYS, 'd'), op: fc.constantFrom('=' as const, '!=' as const), value: fc.constantFrom(...VALUES) }),
  fc.record({ key: fc.constantFrom(...KEYS, 'd'), op: fc.constantFrom('=~' as const, '!~' as const), value: fc.constantFrom(...PATTERNS) }),
);

const selectionArb: fc.Arbitrary<Selection> = fc.record(
  {
    profileType: fc.constantFrom('cpu', 'alloc'),
    matchers: fc.array(matcherArb, { maxLength: 3 }),
    timeRange: fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 60 })).map(([startMs, span]) => ({ startMs, endMs: startMs + span })),
  },
  { requiredKeys: ['matchers'] },
);

const leafArb: fc.Arbitrary<Predicate> = fc.oneof(
  fc.tuple(fc.constantFrom(...KEYS, 'd'), fc.constantFrom<CompareOp>('=', '!=', '<', '>='), fc.constantFrom(...VALUES)).map(([k, op, v]) =>
    compare(labelColumn(k), op, v),
  ),
  fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom('=~' as const, '!~' as const), fc.constantFrom(...PATTERNS)).map(([k, op, p]) =>
    regex(labelColumn(k), op, p),
  ),
  fc.tuple(fc.constantFrom(...KEYS), fc.subarray(VALUES)).map(([k, vs]) => isIn(labelColumn(k), vs)),
  fc.tuple(fc.constantFrom(COLUMN.timestamp, COLUMN.value), fc.constantFrom<CompareOp>('=', '!=', '<', '<=', '>', '>='), fc.integer({ min: 0, max: 1000 })).map(
    ([c, op, v]) => compare(c, op, v),
  ),
  fc.tuple(fc.constantFrom(COLUMN.timestamp, COLUMN.stackId), fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 4 })).map(([c, vs]) => isIn(c, vs)),
);

const predicateArb: fc.Arbitrary<Predicate> = fc.letrec<{ p: Predicate }>(tie => ({
  p: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb,
    fc.array(tie('p'), { minLength: 2, maxLength: 3 }).map(ps => and(...ps)),
    fc.array(tie('p'), { minLength: 2, maxLength: 3 }).map(ps => or(...ps)),
  ),
})).p;

// ---- The reference: one row at a time, over plain objects. ----

function cell(row: Row, column: string): string | number | null {
  switch (column) {
    case COLUMN.profileType:
      return row.profileType;
    case COLUMN.timestamp:
      return row.timestamp;
    case COLUMN.value:
      return row.value;
    case COLUMN.stackId:
      return row.stackId;
  }
  return row.labels[column.slice('labels.'.length)] ?? null;
}

function holds(p: Predicate, row: Row): boolean {
  switch (p.kind) {
    case 'and':
      return p.operands.every(q => holds(q, row));
    case 'or':
      return p.operands.some(q => holds(q, row));
  }
  const raw = cell(row, p.column.name);
  // Prometheus: an absent label is the empty string.
  const v = raw === null ? '' : raw;
  switch (p.kind) {
    case 'regex': {
      const matched = new RegExp(`^(?:${p.pattern})$`, 'su').test(String(v));
      return p.op === '=~' ? matched : !matched;
    }
    case 'in':
      return p.values.some(l => l.value === v);
    case 'compare': {
      const x = p.value.value;
      switch (p.op) {
        case '=':
          return v === x;
        case '!=':
          return v !== x;
        case '<':
          return v < x;
        case '<=':
          return v <= x;
        case '>':
          return v > x;
        case '>=':
          return v >= x;
      }
    }
  }
}

function selected(rows: Row[], s: Selection): Row[] {
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

// ---- Set-up shared by the properties. ----

function sourceOf(batches: Row[][]): BatchSource {
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

function toSample(r: Row): SampleRow {
  return { profileType: r.profileType, timestamp: r.timestamp, value: r.value, stackId: r.stackId, labels: r.labels };
}

const RUNS = { numRuns: 150 };

describe('query engine against a row-by-row reference', () => {
  it('mergeStacks', async () => {
    await fc.assert(
      fc.asyncProperty(batchesArb, selectionArb, async (batches, selection) => {
        const source = sourceOf(batches);
        const got = await mergeStacks(source, selection);
        const expected = new Map<number, [number, number]>();
        for (const r of selected(batches.flat(), selection)) {
          const e = expected.get(r.stackId) ?? [0, 0];
          expected.set(r.stackId, [e[0] + r.value, e[1] + 1]);
        }
        const ids = [...expected.keys()].sort((x, y) => x - y);
        assert.deepEqual(Array.from(got.stackIds), ids);
        assert.deepEqual(Array.from(got.values), ids.map(id => expected.get(id)![0]));
        assert.deepEqual(Array.from(got.samples), ids.map(id => expected.get(id)![1]));
      }),
      RUNS,
    );
  });

  it('filter + aggregate by a label with sum, count, min, max', async () => {
    await fc.assert(
      fc.asyncProperty(batchesArb, predicateArb, fc.constantFrom(...KEYS), async (batches, predicate, key) => {
        const source = sourceOf(batches);
        const column = labelColumn(key);
        const plan = scan()
          .filter(predicate)
          .aggregate([column], [sum(COLUMN.value, 's'), count('n'), min(COLUMN.value, 'lo'), max(COLUMN.timestamp, 'hi')])
          .build();
        const { table } = await executePlan(plan, source);
        const got = table.toArray().map(r => {
          const o = r.toJSON() as Record<string, unknown>;
          return [o[column] ?? null, o['s'], o['n'], o['lo'], o['hi']];
        });
        const groups = new Map<string | null, number[]>();
        for (const r of batches.flat().filter(row => holds(predicate, row))) {
          const k = r.labels[key] ?? null;
          const g = groups.get(k) ?? [0, 0, Infinity, -Infinity];
          groups.set(k, [g[0]! + r.value, g[1]! + 1, Math.min(g[2]!, r.value), Math.max(g[3]!, r.timestamp)]);
        }
        const keys = [...groups.keys()].sort((x, y) => (x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1));
        assert.deepEqual(got, keys.map(k => [k, ...groups.get(k)!]));
      }),
      RUNS,
    );
  });

  it('filter + project + limit returns the first matching rows in scan order', async () => {
    await fc.assert(
      fc.asyncProperty(batchesArb, predicateArb, fc.integer({ min: 0, max: 30 }), async (batches, predicate, limit) => {
        const source = sourceOf(batches);
        const plan = scan().filter(predicate).project(COLUMN.timestamp, labelColumn('a')).limit(limit).build();
        const { table } = await executePlan(plan, source);
        const got = table.toArray().map(r => {
          const o = r.toJSON() as Record<string, unknown>;
          return [o[COLUMN.timestamp], o[labelColumn('a')] ?? null];
        });
        const expected = batches
          .flat()
          .filter(r => holds(predicate, r))
          .slice(0, limit)
          .map(r => [r.timestamp, r.labels['a'] ?? null]);
        assert.deepEqual(got, expected);
      }),
      RUNS,
    );
  });

  it('mayMatch never skips a batch with a matching row', () => {
    fc.assert(
      fc.property(batchArb, predicateArb, (rows, predicate) => {
        const stats = computeStats(batchFromRows(rows.map(toSample)));
        if (!mayMatch(predicate, stats)) {
          assert.ok(!rows.some(r => holds(predicate, r)), 'a pruned batch had a matching row');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('labelValues, timeSeries and functionCosts', async () => {
    await fc.assert(
      fc.asyncProperty(batchesArb, selectionArb, fc.constantFrom(...KEYS), async (batches, selection, key) => {
        const source = sourceOf(batches);
        const rows = selected(batches.flat(), selection);
        const values = [...new Set(rows.flatMap(r => (r.labels[key] === undefined ? [] : [r.labels[key]!])))].sort();
        assert.deepEqual(await labelValues(source, key, selection), values);

        const series = await timeSeries(source, selection, 10);
        const buckets = new Map<number, number>();
        for (const r of rows) buckets.set(Math.floor(r.timestamp / 10) * 10, (buckets.get(Math.floor(r.timestamp / 10) * 10) ?? 0) + r.value);
        const starts = [...buckets.keys()].sort((x, y) => x - y);
        assert.deepEqual(Array.from(series.bucketStartMs), starts);
        assert.deepEqual(Array.from(series.values), starts.map(s => buckets.get(s)));

        const costs = await functionCosts(source, selection);
        const expected = new Map<string, { self: number; total: number }>();
        for (const r of rows) {
          const frames = Array.from(source.metadata.stack(r.stackId), f => source.metadata.frame(f).functionName);
          for (const [i, name] of frames.entries()) {
            const e = expected.get(name) ?? { self: 0, total: 0 };
            if (i === 0) e.self += r.value;
            if (frames.indexOf(name) === i) e.total += r.value; // recursion counts once
            expected.set(name, e);
          }
        }
        const got = new Map(costs.map(c => [c.functionName, { self: c.self, total: c.total }]));
        for (const [name, e] of expected) {
          if (e.total === 0 && !got.has(name)) continue; // zero-valued samples may leave a function out
          assert.deepEqual(got.get(name) ?? { self: 0, total: 0 }, e, name);
        }
      }),
      RUNS,
    );
  });
});
