import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectToAgent, type AgentConnection } from '../../common/agentConnection';
import { CompareSelectionsRequest, PingRequest, SetSourcesRequest, SourceLabelsRequest, SourceLabelValuesRequest } from '../../common/protocol/agentProtocol';
import { toDisplayUnit } from '../../common/profileTypes';
import { exited, startBuiltAgent } from '../../test/support/agentProcess';
import { icicle } from '../../test/support/icicleCli';
import { importBranchRuns } from '../../test/support/importBranchRuns';
import { assertRefused, datasetRefusals } from '../../test/support/datasetRefusals';

interface DiffJson {
  profileType: string;
  a: { runs: number; mean: number };
  b: { runs: number; mean: number };
  changes: { name: string; file: string; line: number; column: number; verdict: string; p?: number; a: { mean: number }; b: { mean: number } }[];
  failing: string[];
}

/**
 * The compare panel's base from a dataset, through the built agent as the extension asks it: CI's runs of main
 * exported by `icicle export --format parquet`, the laptop's store holding only its branch (and a main of its own
 * that must not be used), and the answer equal to `icicle diff --base-dataset` on the same data.
 */
describe('comparing against a dataset (icicle.sources), the built agent', function () {
  this.timeout(300_000);
  let dir: string;
  let dataset: string;
  let laptop: string;
  let diff: DiffJson;
  /** CI's labels as its store lists them (`icicle labels`): what the dataset's label columns must give back. */
  let ciLabels: { key: string; values: string[] }[];
  let agent: Awaited<ReturnType<typeof startBuiltAgent>>;
  let client: AgentConnection;

  const importRuns = (store: string, branch: string, slow: number, offset: number) => importBranchRuns(dir, store, branch, slow, offset);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-compare-dataset-'));
    const ci = join(dir, 'ci');
    laptop = join(dir, 'laptop');
    dataset = join(dir, 'ci-dataset');
    await importRuns(ci, 'main', 100, 0);
    const keys = JSON.parse((await icicle(['labels', '--store', ci, '--json'])).stdout) as string[];
    ciLabels = await Promise.all(keys.map(async key => ({ key, values: JSON.parse((await icicle(['labels', key, '--store', ci, '--json'])).stdout) as string[] })));
    const exported = await icicle(['export', '--store', ci, '--format', 'parquet', '--out', dataset]);
    assert.equal(exported.code, 0, exported.stderr);
    await importRuns(laptop, 'feature', 200, 100);
    // The laptop's own main is as slow as the branch: compared with it, nothing would have changed.
    await importRuns(laptop, 'main', 200, 200);
    const run = await icicle(['diff', '--store', laptop, '--base', 'branch=main', '--head', 'branch=feature', '--base-dataset', dataset, '--format', 'json']);
    assert.equal(run.code, 1, run.stderr);
    diff = JSON.parse(run.stdout) as DiffJson;
    assert.deepEqual(diff.failing, ['slow'], 'the fixture doubles slow');
    agent = await startBuiltAgent(join(dir, 'agent.sock'), laptop);
    client = await connectToAgent(join(dir, 'agent.sock'), 'test', 'test');
  });

  after(async () => {
    client?.dispose();
    agent?.child.kill();
    if (agent) await exited(agent.child);
    rmSync(dir, { recursive: true, force: true });
  });

  const compare = (baseSource?: string) => client.request(CompareSelectionsRequest, { base: '{branch="main"}', head: '{branch="feature"}', tree: { minShare: 0 }, ...(baseSource ? { baseSource } : {}) });

  it('gives the verdicts, runs and figures of icicle diff --base-dataset, and never writes the dataset', async () => {
    const files = () => readdirSync(dataset, { recursive: true }).map(String).sort().map(f => `${f} ${statSync(join(dataset, f)).mtimeMs}`);
    const untouched = files();
    await client.request(SetSourcesRequest, { folders: [dataset] });
    const answer = await compare(dataset);
    const toDisplay = toDisplayUnit(diff.profileType);
    assert.equal(answer.profileType, diff.profileType);
    assert.deepEqual([answer.a.runs, answer.b.runs], [diff.a.runs, diff.b.runs]);
    const rows = (changes: DiffJson['changes']) => changes.map(c => [c.name, c.file, c.line, c.column, c.verdict]);
    assert.deepEqual(rows(answer.changes), rows(diff.changes));
    answer.changes.forEach((c, i) => {
      const expected = diff.changes[i]!;
      assert.ok(Math.abs(c.a.mean - toDisplay(expected.a.mean)) < 1e-6 * Math.max(1, c.a.mean), `${c.name}: base mean ${c.a.mean} against ${toDisplay(expected.a.mean)}`);
      assert.ok(Math.abs(c.b.mean - toDisplay(expected.b.mean)) < 1e-6 * Math.max(1, c.b.mean), `${c.name}: head mean`);
      assert.ok(c.p === undefined ? expected.p === undefined : Math.abs(c.p - expected.p!) < 1e-9, `${c.name}: p ${c.p} against ${expected.p}`);
    });
    assert.equal(answer.changes.find(c => c.name === 'slow')?.verdict, 'regression');
    assert.ok(answer.diff && answer.diff.baseSelf.some(v => v > 0), 'the differential tree has the dataset base laid onto it');
    // The store's own main is as slow as the branch: the dataset, not the store, was the base.
    const fromStore = await compare();
    assert.notEqual(fromStore.changes.find(c => c.name === 'slow')?.verdict, 'regression');
    assert.deepEqual(files(), untouched);
  });

  it('lists the label values of each configured dataset, and why one cannot be read', async () => {
    const missing = join(dir, 'not-there');
    await client.request(SetSourcesRequest, { folders: [dataset, missing] });
    const { sources } = await client.request(SourceLabelValuesRequest, { key: 'branch', limit: 100 });
    assert.deepEqual(sources[0], { folder: dataset, values: ['main'], truncated: false });
    assert.equal(sources[1]?.folder, missing);
    assert.deepEqual(sources[1]?.values, []);
    assert.equal(sources[1]?.problem, `There is no dataset in ${missing}: the folder does not exist.`);
  });

  it("lists each dataset's label keys with their values, as the store it was exported from lists them, and why one cannot be read", async () => {
    const missing = join(dir, 'not-there');
    await client.request(SetSourcesRequest, { folders: [dataset, missing] });
    const { sources } = await client.request(SourceLabelsRequest, { limit: 100 });
    assert.ok(ciLabels.some(l => l.key === 'branch') && ciLabels.some(l => l.values.length === 6), `the store lists ${JSON.stringify(ciLabels)}`);
    assert.deepEqual(
      sources[0],
      { folder: dataset, labels: ciLabels.map(({ key, values }) => ({ key, values: [...values].sort(), truncated: false })).sort((a, b) => (a.key < b.key ? -1 : 1)) },
    );
    // The limit cuts each label's values and says so; the six runs' profile ids are six values.
    const cut = (await client.request(SourceLabelsRequest, { limit: 2 })).sources[0]!.labels.find(l => l.key === 'profile_id')!;
    assert.deepEqual([cut.values.length, cut.truncated], [2, true]);
    assert.deepEqual(sources[1], { folder: missing, labels: [], problem: `There is no dataset in ${missing}: the folder does not exist.` });
  });

  it('refuses a missing, damaged or unlisted dataset in a sentence, and keeps serving the store', async () => {
    const { listed, cases } = datasetRefusals(dir, dataset);
    await client.request(SetSourcesRequest, { folders: listed });
    await assertRefused(cases, folder => compare(folder));
    await client.request(PingRequest);
    assert.equal((await compare(dataset)).changes.find(c => c.name === 'slow')?.verdict, 'regression', 'the good dataset still compares');
    assert.ok((await compare()).changes.length > 0, 'the store still compares');
  });

  it('reads the dataset again once another export changed it', async () => {
    await client.request(SetSourcesRequest, { folders: [dataset] });
    const before = await compare(dataset);
    // CI's next runs of main: as slow as the branch, appended to the same dataset.
    const ci2 = join(dir, 'ci2');
    await importRuns(ci2, 'main', 200, 300);
    const exported = await icicle(['export', '--store', ci2, '--format', 'parquet', '--out', dataset]);
    assert.equal(exported.code, 0, exported.stderr);
    const after = await compare(dataset);
    assert.equal(after.a.runs, before.a.runs + 6);
  });
});
