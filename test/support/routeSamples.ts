import { CPU_TIME_PROFILE_TYPE } from '../../common/profileTypes';
import { Store } from '../../storage/store';
import { random as seededRandom } from './random';

/** The profiled program's file, as the samples name it. */
export const ROUTE_SAMPLES_FILE = '/srv/app/server.js';
/** Functions of that file, at their lines: `handle` runs under every route, `boot` under none. */
export const ROUTE_SAMPLES_FUNCTIONS = { main: 1, handle: 5, burnHeavy: 20, burnLight: 30, boot: 40 } as const;
/** Routes with the weight of their samples; null: a sample outside any request. */
const ROUTES: [string | null, number][] = [
  ['/heavy', 0.55],
  ['/light', 0.2],
  ['/users/:id', 0.1],
  ['/a', 0.04],
  ['/b', 0.03],
  [null, 0.08],
];

/**
 * Writes `n` seeded CPU samples of a traced server into a new store at `directory` (closed again), each labelled with
 * its `http_route` (or none), and returns what `handle` (on every stack but boot's) got per route, in nanoseconds,
 * counted here from the samples as written: the independent figure a split of `handle` must match.
 */
export async function writeRouteSamples(directory: string, n = 6000, seed = 2121): Promise<Map<string | null, number>> {
  const store = await Store.open(directory);
  const frame = (name: keyof typeof ROUTE_SAMPLES_FUNCTIONS) =>
    store.internFrame({ functionName: name, file: ROUTE_SAMPLES_FILE, line: ROUTE_SAMPLES_FUNCTIONS[name], column: 1, module: '', address: 0 });
  const stacks = {
    heavy: store.internStack([frame('burnHeavy'), frame('handle'), frame('main')]),
    light: store.internStack([frame('burnLight'), frame('handle'), frame('main')]),
    handle: store.internStack([frame('handle'), frame('main')]),
    boot: store.internStack([frame('boot'), frame('main')]),
  };
  const random = seededRandom(seed);
  const handleByRoute = new Map<string | null, number>();
  const routes: (string | null)[] = [];
  const stackIds: number[] = [];
  const values: number[] = [];
  for (let k = 0; k < n; k++) {
    let pick = random();
    const route = ROUTES.find(([, weight]) => (pick -= weight) < 0)?.[0] ?? null;
    // Samples outside requests are mostly start-up (boot), a few in handle itself.
    const stack = route === null ? (random() < 0.7 ? stacks.boot : stacks.handle) : route === '/heavy' ? stacks.heavy : random() < 0.5 ? stacks.light : stacks.handle;
    const value = 1_000_000 + Math.floor(random() * 1_000_000);
    routes.push(route);
    stackIds.push(stack);
    values.push(value);
    if (stack !== stacks.boot) handleByRoute.set(route, (handleByRoute.get(route) ?? 0) + value);
  }
  await store.write({
    profileType: CPU_TIME_PROFILE_TYPE,
    labels: { session_id: 'route-split', pid: '42' },
    timestamps: Array.from({ length: n }, (_, k) => 1_700_000_000_000 + k),
    values,
    stackIds,
    rowLabels: { http_route: routes },
  });
  await store.close();
  return handleByRoute;
}
