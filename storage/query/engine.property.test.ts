import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { COLUMN, labelColumn } from '../schema';
import { executePlan } from './execute';
import { and, compare, isIn, or, regex, type CompareOp, type Predicate } from './expression';
import { count, max, min, scan, sum } from './logicalPlan';
import { mayMatch } from './pruning';
import { numbers } from './resultColumns';
import { selectionPredicate } from './selection';
import { batchFromRows, computeStats } from '../../test/support/batchSource';
import { KEYS, PATTERNS, VALUES, batchArb, batchesArb, selectionArb, selected, sourceOf, stackSums, toSample, type Row } from '../../test/support/randomSamples';

/**
 * Property tests: random batches and random selections or plans give the same answer through the engine as
 * through a naive row-by-row reference written here and in test/support/randomSamples.ts over plain objects,
 * independently of the engine's code (its own regex anchoring, its own null rule, Maps instead of typed arrays).
 */

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

const RUNS = { numRuns: 150 };
describe('query engine against a row-by-row reference', () => {
  it('a selection keeps the rows the reference keeps (summed per stack)', async () => {
    await fc.assert(
      fc.asyncProperty(batchesArb, selectionArb, async (batches, selection) => {
        const source = sourceOf(batches);
        const plan = scan().where(selectionPredicate(selection)).aggregate([COLUMN.stackId], [sum(COLUMN.value, 'value'), count('samples')]).build();
        const { table } = await executePlan(plan, source);
        const got = { stackIds: numbers(table, COLUMN.stackId), values: numbers(table, 'value'), samples: numbers(table, 'samples') };
        const expected = stackSums(selected(batches.flat(), selection));
        assert.deepEqual({ stackIds: Array.from(got.stackIds), values: Array.from(got.values), samples: Array.from(got.samples) }, expected);
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
});
