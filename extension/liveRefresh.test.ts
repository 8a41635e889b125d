import * as assert from 'node:assert/strict';
import { pollUntil } from '../test/support/poll';
import { LiveRefresh, refreshQuery } from './liveRefresh';

/** A view's refreshes with a query that takes `queryMs`, as the panel wires them, and when each started. */
function fakeView(queryMs: number, minPauseMs = 50) {
  const started: number[] = [];
  const view = { visible: true, busy: false, started };
  const live: LiveRefresh = new LiveRefresh(
    {
      refresh: async () => {
        started.push(performance.now());
        live.queryStarted();
        await new Promise(resolve => setTimeout(resolve, queryMs));
        live.queryTook(queryMs);
      },
      visible: () => view.visible,
      busy: () => view.busy,
    },
    minPauseMs,
  );
  return { view, live };
}

describe('refreshQuery: what a refresh asks for', () => {
  const range = { startMs: 1, endMs: 2 };
  const focus = [{ name: 'main', url: 'file:///app/main.js' }];
  it('keeps the selection, type, range and zoomed frame, and asks for the samples in time order only while the chart is shown', () => {
    const query = { selector: '{session_id="a"}', profileType: 'cpu', timeRange: range, focus, timeOrder: true };
    assert.deepEqual(refreshQuery(query, { shown: false }), { selector: '{session_id="a"}', profileType: 'cpu', timeRange: range, focus });
    assert.deepEqual(refreshQuery(query, { shown: true }), query);
    assert.deepEqual(refreshQuery({ selector: '' }, { shown: true }), { selector: '', timeOrder: true });
    // Only the samples after those the chart holds; a watermark of the user's last query is not reused.
    assert.deepEqual(refreshQuery({ ...query, timeOrderAfterMs: 5 }, { shown: true, samplesThroughMs: 9 }), { ...query, timeOrderAfterMs: 9 });
    assert.deepEqual(refreshQuery({ ...query, timeOrderAfterMs: 5 }, { shown: true }), query);
  });
});

describe('LiveRefresh: when an open view queries again while samples land', () => {
  it('refreshes once for a burst of samples, after the pause', async () => {
    const { view, live } = fakeView(5);
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) live.samplesLanded();
    await pollUntil(() => view.started.length === 1, { timeoutMs: 5000, what: 'a refresh' });
    assert.ok(view.started[0]! - t0 >= 45, `waited ${view.started[0]! - t0} ms`);
    await new Promise(resolve => setTimeout(resolve, 200));
    assert.equal(view.started.length, 1, 'one refresh for the burst');
    live.dispose();
  });

  it('pauses at least twice as long as the last query took between refreshes, however often samples land', async () => {
    const { view, live } = fakeView(100);
    const feeding = setInterval(() => live.samplesLanded(), 10);
    try {
      await pollUntil(() => view.started.length >= 3, { timeoutMs: 10_000, what: 'three refreshes' });
    } finally {
      clearInterval(feeding);
      live.dispose();
    }
    // After the first 100 ms query, each refresh starts ≥ 100 ms (the query) + 200 ms (the pause) after the last.
    for (let i = 1; i < view.started.length; i++) {
      const gap = view.started[i]! - view.started[i - 1]!;
      assert.ok(gap >= 290, `refresh ${i} came ${gap.toFixed(0)} ms after the one before`);
    }
    assert.equal(live.pauseMs, 200);
  });

  it('does not query while hidden, and refreshes once shown', async () => {
    const { view, live } = fakeView(5);
    view.visible = false;
    live.samplesLanded();
    await new Promise(resolve => setTimeout(resolve, 200));
    assert.equal(view.started.length, 0, 'a hidden view is not refreshed');
    view.visible = true;
    live.wake();
    await pollUntil(() => view.started.length === 1, { timeoutMs: 5000, what: 'the refresh once shown' });
    live.dispose();
  });

  it('leaves it to a query of the user\'s on its way, and refreshes after it only if samples landed since it started', async () => {
    const { view, live } = fakeView(5);
    view.busy = true;
    live.samplesLanded();
    await new Promise(resolve => setTimeout(resolve, 200));
    assert.equal(view.started.length, 0);
    // The user's query ends: it started after those samples, so nothing is out of date.
    view.busy = false;
    live.queryStarted();
    live.wake();
    await new Promise(resolve => setTimeout(resolve, 200));
    assert.equal(view.started.length, 0, 'nothing to refresh');
    live.samplesLanded();
    await pollUntil(() => view.started.length === 1, { timeoutMs: 5000, what: 'a refresh for the samples after it' });
    live.dispose();
  });
});
