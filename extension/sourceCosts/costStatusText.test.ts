import * as assert from 'node:assert/strict';
import { ALLOCATED_BYTES_PROFILE_TYPE, CPU_TIME_PROFILE_TYPE, LIVE_BYTES_PROFILE_TYPE } from '../../common/profileTypes';
import { shortCostDescription } from './costStatusText';

describe('the source costs in the status bar', () => {
  it('shortens the selection, and names the type when it is not CPU time', () => {
    // The agent's descriptions (agent/queries/source/sourceCostQueries.ts), with the type they end with.
    const latest = 'branch="main", latest run (1a2b3c4d, 2026-12-03 12:00 UTC)';
    assert.equal(shortCostDescription(latest, CPU_TIME_PROFILE_TYPE), 'latest run · main');
    assert.equal(shortCostDescription(`${latest}, Allocated bytes`, ALLOCATED_BYTES_PROFILE_TYPE), 'latest run · main · Allocated bytes');
    assert.equal(shortCostDescription('terminals (12:32:35 PM), Allocated bytes', ALLOCATED_BYTES_PROFILE_TYPE), 'terminals (12:32:35 PM) · Allocated bytes');
    // A long name is shortened, the type kept.
    const long = `${'a-very-long-profile-name-'.repeat(3)}.heapprofile`;
    assert.equal(shortCostDescription(`${long}, Live bytes`, LIVE_BYTES_PROFILE_TYPE), `${long.slice(0, 39)}… · Live bytes`);
    // A chosen type the run lacks: CPU time, said in the tooltip (the whole description), not here.
    assert.equal(shortCostDescription(`${latest}; no Allocated bytes recorded, so CPU time`, CPU_TIME_PROFILE_TYPE), 'latest run · main');
    assert.equal(shortCostDescription('no costs: the agent is not running', undefined), 'no costs: the agent is not running');
  });

  it("says when the costs are a dataset's (icicle.sources), not the store's", () => {
    // As agent/datasetViews.ts words them: the dataset after the selection, before the type.
    const ci = 'branch="main", all runs from the dataset ci-main';
    assert.equal(shortCostDescription(ci, CPU_TIME_PROFILE_TYPE), 'all runs · main · dataset ci-main');
    assert.equal(shortCostDescription(`${ci}, Allocated bytes`, ALLOCATED_BYTES_PROFILE_TYPE), 'all runs · main · dataset ci-main · Allocated bytes');
    assert.equal(shortCostDescription(`${ci}; no Allocated bytes recorded, so CPU time`, CPU_TIME_PROFILE_TYPE), 'all runs · main · dataset ci-main');
  });
});
