import * as assert from 'node:assert/strict';
import { RestartPolicy } from './restartPolicy';

describe('RestartPolicy', () => {
  it('backs off exponentially and tells the user only about the first failure', () => {
    const policy = new RestartPolicy(500, 30_000, 60_000, 6);
    const decisions = Array.from({ length: 6 }, () => policy.onUnexpectedExit(100));
    assert.deepEqual(decisions.map(d => d.delayMillis), [500, 1000, 2000, 4000, 8000, 16000]);
    assert.deepEqual(decisions.map(d => d.tellUser), [true, false, false, false, false, false]);
  });

  it('gives up after too many quick failures in a row, and starts afresh after a reset', () => {
    const policy = new RestartPolicy(500, 30_000, 60_000, 2);
    policy.onUnexpectedExit(0);
    policy.onUnexpectedExit(0);
    assert.equal(policy.onUnexpectedExit(0).delayMillis, undefined);
    policy.reset();
    assert.equal(policy.onUnexpectedExit(0).delayMillis, 500);
  });

  it('forgets earlier failures once a run has been stable', () => {
    const policy = new RestartPolicy(500, 30_000, 60_000, 6);
    policy.onUnexpectedExit(0);
    policy.onUnexpectedExit(0);
    assert.equal(policy.onUnexpectedExit(120_000).delayMillis, 500);
  });

  it('never waits longer than the maximum delay', () => {
    const policy = new RestartPolicy(500, 3000, 60_000, 100);
    const delays = Array.from({ length: 10 }, () => policy.onUnexpectedExit(0).delayMillis!);
    assert.equal(Math.max(...delays), 3000);
  });
});
