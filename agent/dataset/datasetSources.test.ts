import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBranchRunProfiles } from '../../test/support/branchRunProfiles';
import { icicle } from '../../test/support/icicleCli';
import { parseMatchers } from '../queries/parseMatchers';
import { DatasetSources } from './datasetSources';

/** The datasets of icicle.sources as the agent keeps them: what is read is kept while the files stay the same. */
describe('the datasets beside the store (icicle.sources)', function () {
  this.timeout(120_000);
  let dir: string;
  let dataset: string;
  const selection = (selector: string) => ({ matchers: parseMatchers(selector) });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-sources-'));
    dataset = join(dir, 'dataset');
    const store = join(dir, 'store');
    const imported = await icicle(['import', '--store', store, '--label', 'branch=main', ...writeBranchRunProfiles(dir, 'main', 100, 0)]);
    assert.equal(imported.code, 0, imported.stderr);
    const exported = await icicle(['export', '--store', store, '--format', 'parquet', '--out', dataset]);
    assert.equal(exported.code, 0, exported.stderr);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps a read while the files are unchanged, and reads again once one changed', async () => {
    const sources = new DatasetSources();
    sources.set([dataset]);
    const first = await sources.read(dataset, selection('{branch="main"}'));
    assert.equal(await sources.read(dataset, selection('{branch="main"}')), first, 'the same selection again is the kept read');
    assert.notEqual(await sources.read(dataset, selection('{branch="other"}')), first, 'another selection is another read');
    const sample = readdirSync(join(dataset, 'samples'), { recursive: true }).map(String).find(f => f.endsWith('.parquet'))!;
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dataset, 'samples', sample), later, later);
    assert.notEqual(await sources.read(dataset, selection('{branch="main"}')), first, 'a file written since is read again');
  });

  it('keeps four reads, dropping the least recently used', async () => {
    const sources = new DatasetSources();
    sources.set([dataset]);
    const reads = [];
    for (const n of [1, 2, 3, 4]) reads.push(await sources.read(dataset, selection(`{branch="main", n!="${n}"}`)));
    // Using the first makes the second the least recently used.
    assert.equal(await sources.read(dataset, selection('{branch="main", n!="1"}')), reads[0]);
    await sources.read(dataset, selection('{branch="main", n!="5"}'));
    assert.equal(await sources.read(dataset, selection('{branch="main", n!="1"}')), reads[0], 'the one used lately is kept');
    assert.notEqual(await sources.read(dataset, selection('{branch="main", n!="2"}')), reads[1], 'the least recently used was dropped');
  });

  it('lists label values, and refuses folders that are not listed or not absolute', async () => {
    const sources = new DatasetSources();
    sources.set([dataset, 'relative/dataset']);
    assert.deepEqual(await sources.labelValues(dataset, 'branch'), ['main']);
    assert.deepEqual(await sources.labelValues(dataset, 'absent'), []);
    await assert.rejects(sources.read('relative/dataset', selection('{}')), /^DatasetError: relative\/dataset is not an absolute path; icicle\.sources names dataset folders\.$/);
    sources.set([]);
    await assert.rejects(sources.read(dataset, selection('{}')), (error: Error) => error.message === `${dataset} is not one of the datasets of icicle.sources.`);
  });
});
