import * as assert from 'node:assert/strict';
import { SLICE_MS, yieldIfSliceSpent } from './yieldSlice';

/** Holds the thread for `ms`, as a batch of a scan does. */
function work(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** A query of `steps` steps of `stepMs` each, checking its slice between steps as scans do; counts its steps and pauses. */
async function query(steps: number, stepMs: number, progress: { done: number; paused?: number }, owner: object = {}): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < steps; i++) {
    const pause = yieldIfSliceSpent(owner);
    if (pause) {
      progress.paused = (progress.paused ?? 0) + 1;
      await pause;
    }
    work(stepMs);
    progress.done++;
  }
  return performance.now() - started;
}

describe('yieldIfSliceSpent', function () {
  this.timeout(20_000);

  it('never pauses a query that ends within its slice', async () => {
    const owner = {};
    const steps = Math.floor(SLICE_MS / 2);
    let paused = 0;
    for (let i = 0; i < steps; i++) {
      work(0.5);
      if (yieldIfSliceSpent(owner) !== undefined) paused++;
    }
    assert.equal(paused, 0);
  });

  it('gives the event loop a turn once a query has held the thread for its slice', async () => {
    const long = query(200, 1, { done: 0 });
    let ticks = 0;
    let ticking = true;
    const tick = (): void => {
      ticks++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    await long;
    ticking = false;
    // About one turn per slice of the 200 ms query; without pauses, none until it ended.
    assert.ok(ticks >= 10, `only ${ticks} turns of the loop during a 200 ms query`);
  });

  it('lets a short query that arrives during a long one run to its end without pausing', async () => {
    const long = { done: 0 };
    const longQuery = query(300, 1, long);
    // The short query comes from another connection while the long one is paused between slices.
    await new Promise(resolve => setTimeout(resolve, 20));
    const short: { done: number; paused?: number } = { done: 0 };
    const shortMs = await query(3, 0.5, short);
    await longQuery;
    // With one slice shared by every query, the short one found it spent by the long one at each of its three
    // checks, and paused at each (a turn of the loop, and the long query's next slice, every time). One pause is
    // allowed: a loaded machine may take the thread away for longer than a slice.
    assert.ok((short.paused ?? 0) <= 1, `the short query paused ${short.paused} times (${shortMs.toFixed(1)} ms)`);
  });

  it('lets paused queries take turns', async () => {
    const first = { done: 0 };
    const second = { done: 0 };
    let secondDoneWhenFirstEnded = -1;
    await Promise.all([query(100, 1, first).then(() => (secondDoneWhenFirstEnded = second.done)), query(100, 1, second)]);
    // Interleaved slice by slice, the second is most of the way when the first ends; starved, it had barely begun.
    assert.ok(secondDoneWhenFirstEnded >= 50, `the second query had done ${secondDoneWhenFirstEnded} of 100 steps when the first ended`);
  });
});
