import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CPU_TIME_PROFILE_TYPE } from '../../../common/profileTypes';
import { Store } from '../../../storage/store';
import { random as seededRandom } from '../../../test/support/random';
import { stackOf } from '../../../test/support/sampleData';
import { queryLabelBreakdown } from './labelBreakdown';

/**
 * A selection by label against a real store on disk, checked against totals counted here, independently, from the
 * samples as they were written: routes with known totals, and a trace id per request (high cardinality) whose top N
 * and summed others must add up to the whole.
 */
describe('label breakdown (a real store)', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-by-label-'));
    store = await Store.open(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes `n` CPU samples with per-sample labels and values (nanoseconds); returns what was written. */
  async function writeSamples(n: number, labelsOf: (k: number) => Record<string, string | null>, valueOf: (k: number) => number, session = 's1'): Promise<{ labels: Record<string, string | null>[]; values: number[] }> {
    const stack = stackOf(store, 'main;handle');
    const labels = Array.from({ length: n }, (_, k) => labelsOf(k));
    const values = Array.from({ length: n }, (_, k) => valueOf(k));
    const keys = [...new Set(labels.flatMap(l => Object.keys(l)))];
    await store.write({
      profileType: CPU_TIME_PROFILE_TYPE,
      labels: { session_id: session },
      timestamps: Array.from({ length: n }, (_, k) => 1_700_000_000_000 + k),
      values,
      stackIds: Array.from({ length: n }, () => stack),
      rowLabels: Object.fromEntries(keys.map(key => [key, labels.map(l => l[key] ?? null)])),
    });
    return { labels, values };
  }

  /** The independent count: micros per value of `key` (null: without it), from the written samples. */
  function expected(written: { labels: Record<string, string | null>[]; values: number[] }, key: string): Map<string | null, { total: number; samples: number }> {
    const out = new Map<string | null, { total: number; samples: number }>();
    written.labels.forEach((l, k) => {
      const value = l[key] ?? null;
      const entry = out.get(value) ?? { total: 0, samples: 0 };
      entry.total += written.values[k]! / 1000;
      entry.samples += 1;
      out.set(value, entry);
    });
    return out;
  }

  it('sums each route, and the samples without one, as counted from the written samples (before and after a flush)', async () => {
    const random = seededRandom(21);
    const routes = ['/users/:id', '/orders', '/health'];
    const written = await writeSamples(
      3000,
      k => ({ http_route: k % 7 === 0 ? null : routes[Math.floor(random() * 3)]!, span_name: k % 7 === 0 ? null : 'GET' }),
      () => 1000 * (1 + Math.floor(random() * 9)),
    );
    const want = expected(written, 'http_route');
    for (const phase of ['in memory', 'flushed']) {
      if (phase === 'flushed') await store.flush();
      const answer = await queryLabelBreakdown(store, { selector: '{session_id="s1"}', key: 'http_route', limit: 10 });
      assert.equal(answer.key, 'http_route');
      assert.deepEqual(answer.keys, ['http_route', 'session_id', 'span_name']);
      assert.equal(answer.unit, 'micros');
      assert.equal(answer.shares.length, 4, phase);
      const got = new Map(answer.shares.map(s => [s.value, { total: s.total, samples: s.samples }]));
      assert.deepEqual(got, want, phase);
      const totals = answer.shares.map(s => s.total);
      assert.deepEqual(totals, [...totals].sort((a, b) => b - a), 'largest first');
      assert.equal(answer.samples, 3000);
      assert.deepEqual(answer.others, { values: 0, total: 0, samples: 0 });
    }
  });

  it('answers a trace id per request with the top N and the rest summed, adding up to the whole', async function () {
    this.timeout(60_000);
    const requests = 20_000;
    const random = seededRandom(7);
    const written = await writeSamples(
      60_000,
      k => ({ trace_id: k % 10 === 9 ? null : `trace-${(k * 7919) % requests}` }),
      () => 1000 * (1 + Math.floor(random() * 100)),
    );
    await store.flush();
    const want = [...expected(written, 'trace_id')].map(([value, v]) => ({ value, ...v }));
    // The same rule as the query's: largest total first, ties by value, (none) last among equals.
    want.sort((a, b) => b.total - a.total || (a.value === null ? 1 : b.value === null ? -1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    const started = performance.now();
    const answer = await queryLabelBreakdown(store, { selector: '', key: 'trace_id', limit: 50 });
    console.log(`      ${requests} trace ids in 60,000 samples: ${(performance.now() - started).toFixed(0)} ms`);
    assert.deepEqual(answer.shares, want.slice(0, 50));
    assert.equal(answer.others.values, want.length - 50);
    const sum = (rows: { total: number; samples: number }[]) => rows.reduce((s, r) => ({ total: s.total + r.total, samples: s.samples + r.samples }), { total: 0, samples: 0 });
    const rest = sum(want.slice(50));
    assert.equal(answer.others.samples, rest.samples);
    assert.ok(Math.abs(answer.others.total - rest.total) < 1e-6, `others ${answer.others.total} vs ${rest.total}`);
    assert.equal(answer.samples, 60_000);
    assert.ok(Math.abs(answer.shares.reduce((s, r) => s + r.total, 0) + answer.others.total - answer.total) < 1e-6, 'shares and others add up to the whole');
  });

  it('picks a default label when none is asked for, and falls back to the preferred type', async () => {
    await writeSamples(10, k => ({ thread: k < 5 ? 'main' : 'worker', span_name: k < 3 ? 'GET /' : null }), () => 1000);
    const answer = await queryLabelBreakdown(store, { selector: '{}', limit: 5 });
    assert.equal(answer.key, 'span_name', 'a span name before a thread');
    assert.equal(answer.profileType, CPU_TIME_PROFILE_TYPE);
    assert.deepEqual(answer.shares.map(s => [s.value, s.samples]), [[null, 7], ['GET /', 3]]);
    const gone = await queryLabelBreakdown(store, { selector: '{}', key: 'http_route', limit: 5 });
    assert.equal(gone.key, 'span_name', 'a label the selection lacks falls back to the default');
    const none = await queryLabelBreakdown(store, { selector: '{session_id="nowhere"}', limit: 5 });
    assert.equal(none.key, undefined);
    assert.deepEqual(none.shares, []);
  });
});
