import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectToAgent, type AgentConnection } from '../common/agentConnection';
import type { PackedCallTree } from '../common/callTree';
import { LabelBreakdownRequest, PingRequest, QuerySelectionRequest, SetSourcesRequest, SourceCostsRequest } from '../common/protocol/agentProtocol';
import { exited, startBuiltAgent } from '../test/support/agentProcess';
import { icicle } from '../test/support/icicleCli';
import { importBranchRuns } from '../test/support/importBranchRuns';
import { assertRefused, datasetRefusals } from '../test/support/datasetRefusals';

interface TopJson {
  profileType: string;
  totalValue: number;
  functions: { function: string; file: string; line: number; self: number; total: number }[];
}

/** Each function's self value summed over the tree's nodes, by name (the tree's values in µs, as top's in ns). */
function selfByName(tree: PackedCallTree): Map<string, number> {
  const sums = new Map<string, number>();
  for (let i = 1; i < tree.parent.length; i++) {
    const name = tree.strings[tree.name[i]!]!;
    sums.set(name, (sums.get(name) ?? 0) + tree.selfValue[i]!);
  }
  return sums;
}

/**
 * A flame graph of a dataset's selection (`icicle.sources`), through the built agent as the extension asks it: CI's
 * store exported by `icicle export --format parquet`, the laptop's store holding none of CI's runs, and the view's
 * numbers equal to `icicle top` on CI's store (another process, the store's query path) and to the runs' known cost.
 */
describe('a flame graph of a dataset (icicle.sources), the built agent', function () {
  this.timeout(300_000);
  let dir: string;
  let dataset: string;
  let top: TopJson;
  let agent: Awaited<ReturnType<typeof startBuiltAgent>>;
  let client: AgentConnection;

  const importRuns = (store: string, branch: string, slow: number, offset: number) => importBranchRuns(dir, store, branch, slow, offset);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-flame-dataset-'));
    const ci = join(dir, 'ci');
    const laptop = join(dir, 'laptop');
    dataset = join(dir, 'ci-dataset');
    await importRuns(ci, 'main', 100, 0);
    // Another branch in the same dataset: the selection must leave it out.
    await importRuns(ci, 'other', 400, 100);
    const exported = await icicle(['export', '--store', ci, '--format', 'parquet', '--out', dataset]);
    assert.equal(exported.code, 0, exported.stderr);
    const run = await icicle(['top', '--store', ci, '--where', 'branch=main', '--json']);
    assert.equal(run.code, 0, run.stderr);
    top = JSON.parse(run.stdout) as TopJson;
    await importRuns(laptop, 'feature', 200, 200);
    agent = await startBuiltAgent(join(dir, 'agent.sock'), laptop);
    client = await connectToAgent(join(dir, 'agent.sock'), 'test', 'test');
  });

  after(async () => {
    client?.dispose();
    agent?.child.kill();
    if (agent) await exited(agent.child);
    rmSync(dir, { recursive: true, force: true });
  });

  const view = (source: string | undefined, extra: Partial<QuerySelectionRequest.Params> = {}) =>
    client.request(QuerySelectionRequest, { selector: '{branch="main"}', minShare: 0, ...(source !== undefined ? { source } : {}), ...extra });

  it("shows the dataset's selection with the numbers of icicle top on the store it was exported from, and never writes the dataset", async () => {
    const files = () => readdirSync(dataset, { recursive: true }).map(String).sort().map(f => `${f} ${statSync(join(dataset, f)).mtimeMs}`);
    const untouched = files();
    await client.request(SetSourcesRequest, { folders: [dataset] });
    const answer = await view(dataset);
    assert.equal(answer.query.source, dataset, 'the answer says whose samples it shows');
    assert.equal(answer.query.selector, '{branch="main"}');
    assert.equal(answer.query.profileType, top.profileType);
    assert.ok(answer.profileTypes.some(t => t.id === top.profileType), 'the type picker offers the dataset type');
    assert.equal(answer.unit, 'micros');
    // top's values are nanoseconds, the view's microseconds.
    assert.equal(answer.tree.totalValue[0]! * 1000, top.totalValue);
    const self = selfByName(answer.tree);
    assert.deepEqual([...self.keys()].sort(), top.functions.map(f => f.function).sort());
    for (const f of top.functions) assert.equal(self.get(f.function)! * 1000, f.self, `${f.function}'s self time`);
    // The runs' known cost: slow sampled 100 + (run·3 mod 7) times a run, 1 ms a sample, in six runs.
    assert.equal(self.get('slow'), 617_000);
    // Every sample counts, also each run's first, which V8 gives no time: (40 + 200)·6 + 10 + 10 + 617.
    assert.equal(answer.summary.sampleCount, 2077);
    assert.ok(answer.timeline && answer.timeline.values.length > 0, 'a timeline of the dataset');
    // The laptop's store holds no run of main: the dataset, not the store, answered.
    assert.equal((await view(undefined)).summary.sampleCount, 0);
    assert.deepEqual(files(), untouched);
  });

  it("answers a time range, a zoom, the flame chart and the By Label tab from the dataset's selection", async () => {
    await client.request(SetSourcesRequest, { folders: [dataset] });
    const whole = await view(dataset);
    // The first half of the span: what the timeline's buckets before the middle hold, and less than the whole.
    const timeline = whole.timeline!;
    const middle = timeline.bucketStartMs[Math.floor(timeline.bucketStartMs.length / 2)]!;
    const half = await view(dataset, { timeRange: { startMs: timeline.span.startMs, endMs: middle } });
    assert.equal(half.query.timeRange?.endMs, middle);
    const expected = timeline.values.reduce((sum, value, i) => (timeline.bucketStartMs[i]! < middle ? sum + value : sum), 0);
    assert.equal(half.tree.totalValue[0], expected);
    assert.ok(expected > 0 && expected < whole.tree.totalValue[0]!);
    const zoomed = await view(dataset, { focus: [{ name: 'main', url: '/app/src/program.js' }] });
    assert.deepEqual(zoomed.query.focus, [{ name: 'main', url: '/app/src/program.js' }]);
    assert.equal(zoomed.tree.totalValue[0], whole.tree.totalValue[0]);
    // The flame chart's samples in time order: every sample of the selection, each as long as it lasted.
    const chart = await view(dataset, { timeOrder: true });
    assert.equal(chart.timeOrder?.totalSamples, 2077);
    assert.equal(chart.timeOrder?.node.length, 2077);
    const breakdown = await client.request(LabelBreakdownRequest, { selector: '{branch="main"}', key: 'branch', limit: 10, source: dataset });
    assert.deepEqual(
      breakdown.shares.map(s => [s.value, s.total]),
      [['main', whole.tree.totalValue[0]]],
    );
    const storeBreakdown = await client.request(LabelBreakdownRequest, { selector: '{branch="main"}', key: 'branch', limit: 10 });
    assert.deepEqual(storeBreakdown.shares, [], "the store's By Label has no run of main");
  });

  it("gives the source's costs of the dataset's selection: icicle top's self per function, described as the dataset's", async () => {
    await client.request(SetSourcesRequest, { folders: [dataset] });
    const answer = await client.request(SourceCostsRequest, { selection: { kind: 'allRuns', selector: '{branch="main"}', source: dataset } });
    assert.match(answer.description, /^branch="main", all runs from the dataset ci-dataset$/);
    assert.equal(answer.runs, 6);
    assert.equal(answer.total * 1000, top.totalValue);
    assert.deepEqual(answer.files.map(f => f.file), ['/app/src/program.js']);
    const file = answer.files[0]!;
    // Five numbers a function: line, self, total, self samples, total samples.
    const self = new Map(file.functionNames.map((name, i) => [name, file.functions[i * 5 + 1]!]));
    for (const f of top.functions) assert.equal(self.get(f.function)! * 1000, f.self, `${f.function}'s self`);
    const store = await client.request(SourceCostsRequest, { selection: { kind: 'allRuns', selector: '{branch="main"}' } });
    assert.equal(store.files.length, 0, 'the store has no run of main: the dataset answered');
  });

  it('refuses a missing, damaged or unlisted dataset in a sentence, and keeps serving', async () => {
    const { listed, cases } = datasetRefusals(dir, dataset);
    await client.request(SetSourcesRequest, { folders: listed });
    await assertRefused(cases, folder => view(folder));
    await client.request(PingRequest);
    assert.equal(selfByName((await view(dataset)).tree).get('slow'), 617_000, 'the good dataset still answers');
    assert.ok((await view(undefined, { selector: '{branch="feature"}' })).summary.sampleCount > 0, 'the store still answers');
  });
});
