import * as fc from 'fast-check';
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from './store';
import { readRows, stackOf } from '../test/support/sampleData';

/** One step of a random history: a write with random labels, or a maintenance operation, or a restart. */
type Step =
  | { kind: 'write'; rows: { t: number; v: number; s: number; pid: string | null }[]; labels: Record<string, string> }
  | { kind: 'flush' }
  | { kind: 'compact' }
  | { kind: 'reopen'; flush: boolean };

const labelKey = fc.constantFrom('branch', 'runtime', 'host', 'k_0', 'k_1');
const labelValue = fc.oneof(fc.constantFrom('main', 'dev', ''), fc.string({ maxLength: 6 }));
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({
    kind: fc.constant('write' as const),
    rows: fc.array(fc.record({ t: fc.integer({ min: 0, max: 1e6 }), v: fc.integer({ min: -1000, max: 1e6 }), s: fc.integer({ min: 0, max: 3 }), pid: fc.option(fc.constantFrom('1', '2', '3'), { nil: null }) }), { minLength: 1, maxLength: 40 }),
    labels: fc.dictionary(labelKey, labelValue, { maxKeys: 3 }),
  }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'flush' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'compact' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const), flush: fc.boolean() }) },
);

const COLUMNS = ['timestamp', 'value', 'stack_id', 'labels.pid', 'labels.branch', 'labels.runtime', 'labels.host', 'labels.k_0', 'labels.k_1'];

/**
 * Whatever sequence of writes, flushes, compactions and restarts happens, the store holds exactly the rows a
 * naive list of every written row holds (compared as sorted multisets, as the store promises no row order).
 */
describe('store properties', () => {
  it('holds exactly the rows written, through any sequence of flushes, compactions and restarts', async function () {
    this.timeout(120_000);
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async steps => {
        const dir = mkdtempSync(join(tmpdir(), 'icicle-store-prop-'));
        let store = await Store.open(dir, { compactBelowRows: 1000 });
        try {
          // Interned metadata is durable only once a write refers to it, so it is interned again after a restart.
          const intern = (): number[] => ['a', 'a;b', 'a;b;c', 'd'].map(path => stackOf(store, path));
          let stacks = intern();
          const expected: Record<string, unknown>[] = [];
          for (const s of steps) {
            if (s.kind === 'write') {
              await store.write({
                profileType: 'cpu',
                labels: s.labels,
                rowLabels: { pid: s.rows.map(r => r.pid) },
                timestamps: s.rows.map(r => r.t),
                values: s.rows.map(r => r.v),
                stackIds: s.rows.map(r => stacks[r.s]!),
              });
              for (const r of s.rows) {
                const row: Record<string, unknown> = { timestamp: r.t, value: r.v, stack_id: stacks[r.s], 'labels.pid': r.pid };
                for (const c of COLUMNS.slice(4)) row[c] = s.labels[c.slice('labels.'.length)] ?? null;
                expected.push(row);
              }
            } else if (s.kind === 'flush') {
              await store.flush();
            } else if (s.kind === 'compact') {
              await store.compact();
            } else {
              await store.close({ flush: s.flush });
              store = await Store.open(dir, { compactBelowRows: 1000 });
              assert.deepEqual(intern(), stacks);
              stacks = intern();
            }
          }
          const actual = await readRows(store.snapshot(), COLUMNS);
          assert.deepEqual(sortRows(actual), sortRows(expected));
        } finally {
          await store.close({ flush: false });
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 25 },
    );
  });
});

function sortRows(rows: Record<string, unknown>[]): string[] {
  return rows.map(r => JSON.stringify(COLUMNS.map(c => r[c] ?? null))).sort();
}
