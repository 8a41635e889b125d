import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALLOCATED_BYTES_PROFILE_TYPE, CPU_TIME_PROFILE_TYPE } from '../../common/profileTypes';
import { Store } from '../../storage/store';
import { icicle } from '../../test/support/icicleCli';
import { random as seededRandom } from '../../test/support/random';
import { stackOf } from '../../test/support/sampleData';

interface ByLabelJson {
  profileType: string | null;
  unit: string;
  key: string;
  totalValue: number;
  samples: number;
  values: { value: string | null; total: number; percent: number; samples: number }[];
  others: { values: number; total: number; percent: number; samples: number };
}

/**
 * `icicle top --by LABEL` as a user runs it: the built command line (needs `node esbuild.mjs --dev`) on a real store on
 * disk whose samples carry `http_route` with known totals, checked against those totals and against what
 * `icicle top --where http_route=…` finds for each value.
 */
describe('icicle top --by LABEL', function () {
  this.timeout(120_000);
  let dir: string;
  let store: string;
  /** Per pid, per route (null: without one): the CPU nanoseconds and samples written. */
  const written = new Map<string, Map<string | null, { total: number; samples: number }>>();
  const ROUTES = ['/heavy', '/light', '/users/:id', '/a', '/b', '', null];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-top-by-'));
    store = join(dir, 'store');
    const opened = await Store.open(store);
    const random = seededRandom(7);
    for (const pid of ['1', '2']) {
      const n = 3000;
      const routes = Array.from({ length: n }, () => ROUTES[Math.floor(random() * random() * ROUTES.length)]!);
      const values = Array.from({ length: n }, () => 1_000_000 + Math.floor(random() * 9_000_000));
      const perRoute = new Map<string | null, { total: number; samples: number }>();
      routes.forEach((route, k) => {
        // Empty and absent read alike (`{http_route=""}` selects both), so the independent count merges them too.
        const key = route === '' ? null : route;
        const entry = perRoute.get(key) ?? { total: 0, samples: 0 };
        entry.total += values[k]!;
        entry.samples += 1;
        perRoute.set(key, entry);
      });
      written.set(pid, perRoute);
      await opened.write({
        profileType: CPU_TIME_PROFILE_TYPE,
        labels: { pid },
        timestamps: Array.from({ length: n }, (_, k) => 1_700_000_000_000 + k),
        values,
        stackIds: Array.from({ length: n }, (_, k) => stackOf(opened, k % 2 ? 'main;handle;burn' : 'main;handle')),
        rowLabels: { http_route: routes },
      });
    }
    // Allocations under one route, for --type.
    await opened.write({ profileType: ALLOCATED_BYTES_PROFILE_TYPE, labels: { pid: '1' }, timestamps: [1_700_000_000_000], values: [4096], stackIds: [stackOf(opened, 'main;alloc')], rowLabels: { http_route: ['/heavy'] } });
    await opened.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (args: string[]): Promise<string> => {
    const result = await icicle(['top', '--store', store, ...args]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  };
  const byRoute = async (args: string[] = []): Promise<ByLabelJson> => JSON.parse(await run(['--by', 'http_route', '--json', ...args])) as ByLabelJson;
  const whereTotal = async (where: string[]): Promise<number> => (JSON.parse(await run(['--json', ...where.flatMap(w => ['--where', w])])) as { totalValue: number }).totalValue;

  it('gives each route its total and share, (none) for samples without one, as written and as --where finds each', async () => {
    const answer = await byRoute();
    const expected = new Map<string | null, { total: number; samples: number }>();
    for (const perRoute of written.values()) {
      for (const [route, entry] of perRoute) {
        const sum = expected.get(route) ?? { total: 0, samples: 0 };
        expected.set(route, { total: sum.total + entry.total, samples: sum.samples + entry.samples });
      }
    }
    const all = [...expected.values()].reduce((sum, e) => sum + e.total, 0);
    assert.equal(answer.key, 'http_route');
    assert.equal(answer.profileType, CPU_TIME_PROFILE_TYPE);
    assert.equal(answer.totalValue, all);
    assert.deepEqual(
      answer.values.map(v => [v.value, v.total, v.samples]),
      [...expected].sort((a, b) => b[1].total - a[1].total).map(([route, e]) => [route, e.total, e.samples]),
    );
    assert.deepEqual(answer.others, { values: 0, total: 0, percent: 0, samples: 0 });
    for (const v of answer.values) {
      assert.equal(v.total, await whereTotal([`http_route=${v.value ?? ''}`]), `${v.value}: as icicle top --where finds it`);
      assert.equal(v.percent, Math.round((v.total / all) * 10_000) / 100);
    }
  });

  it('honours --where and --limit: the largest values, the rest summed, adding up to the selection', async () => {
    const answer = await byRoute(['--where', 'pid=2', '--limit', '2']);
    const perRoute = [...written.get('2')!].sort((a, b) => b[1].total - a[1].total);
    assert.deepEqual(answer.values.map(v => [v.value, v.total]), perRoute.slice(0, 2).map(([route, e]) => [route, e.total]));
    const rest = perRoute.slice(2);
    assert.deepEqual([answer.others.values, answer.others.total], [rest.length, rest.reduce((sum, [, e]) => sum + e.total, 0)]);
    assert.equal(answer.totalValue, await whereTotal(['pid=2']));
    assert.equal(answer.values[0]!.total, await whereTotal(['pid=2', `http_route=${answer.values[0]!.value ?? ''}`]));
  });

  it('prints a table people read, with (none) and the rest, and honours --type', async () => {
    const text = await run(['--by', 'http_route', '--where', 'pid=1', '--limit', '3']);
    const lines = text.trimEnd().split('\n');
    assert.match(lines[0]!, /^CPU time \(process_cpu:cpu:nanoseconds:cpu:nanoseconds\) by http_route — total [\d.]+ s$/);
    assert.match(lines[1]!, /^ +total +total% +samples {2}http_route$/);
    assert.equal(lines.length, 2 + 3 + 1, text);
    assert.match(lines[2]!, /^ +[\d.]+ s +[\d.]+% +\d+ {2}\/heavy$/);
    assert.match(lines.at(-1)!, /^ +[\d.]+ (s|ms) +[\d.]+% +\d+ {2}\(3 more values\)$/);
    const memory = JSON.parse(await run(['--by', 'http_route', '--type', ALLOCATED_BYTES_PROFILE_TYPE, '--json'])) as ByLabelJson;
    assert.deepEqual(memory.values, [{ value: '/heavy', total: 4096, percent: 100, samples: 1 }]);
  });

  it('says which labels there are when no selected sample has the one asked for, and refuses a key that is no label', async () => {
    const text = await run(['--by', 'span_name']);
    assert.match(text, /\(no selected sample has the label span_name; their labels: http_route, pid\)/);
    assert.match(text, /100\.00% +6000 {2}\(none\)/);
    for (const bad of ['__profile_rows', 'http.route']) {
      const result = await icicle(['top', '--store', store, '--by', bad]);
      assert.equal(result.code, 2, result.stdout);
      assert.match(result.stderr, /^icicle: --by: the label key/);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    }
  });
});
