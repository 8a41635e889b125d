import * as assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../storage/store';
import { writeDatasetWithDuckDB } from '../../test/support/duckdbDatasetWriter';
import { simpleWrite, stackOf } from '../../test/support/sampleData';
import { DatasetError, openDataset } from './openDataset';
import { readDatasetSelection } from './readSelection';

/**
 * A dataset that is missing, is not one, is of another version or is damaged is refused with a sentence that says
 * which and where (a DatasetError, which the command line shows as it stands), never a crash or a wrong answer.
 */
describe('datasets that cannot be read', function () {
  this.timeout(120_000);
  let dir: string;
  let good: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-dataset-errors-'));
    const store = await Store.open(join(dir, 'store'));
    await store.write(simpleWrite(stackOf(store, 'main;work'), 50, { session_id: 's1', branch: 'main' }));
    await store.flush();
    good = join(dir, 'good');
    await writeDatasetWithDuckDB(store.snapshot(), good);
    await store.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A copy of the good dataset, changed by `damage`. */
  function copy(name: string, damage: (dataset: string) => void): string {
    const target = join(dir, name);
    cpSync(good, target, { recursive: true });
    damage(target);
    return target;
  }

  const firstFile = (folder: string): string => {
    const found = readdirSync(folder, { recursive: true, encoding: 'utf8' }).find(f => f.endsWith('.parquet'));
    return join(folder, found!);
  };

  async function refused(dataset: string, pattern: RegExp): Promise<void> {
    await assert.rejects(
      async () => readDatasetSelection(await openDataset(dataset), { matchers: [] }),
      (error: unknown) => {
        assert.ok(error instanceof DatasetError, `a DatasetError, not ${String(error)}`);
        assert.match(error.message, pattern);
        assert.doesNotMatch(error.message, /\n\s+at /);
        return true;
      },
    );
  }

  it('reads the good one', async () => {
    const read = await readDatasetSelection(await openDataset(good), { matchers: [] });
    assert.equal(read.source.rows, 50);
  });

  it('a folder that does not exist', async () => {
    await refused(join(dir, 'nowhere'), /^There is no dataset in \S+nowhere: the folder does not exist\.$/);
  });

  it('a file where the folder should be', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    await refused(file, /a-file is a file, not a dataset folder\.$/);
  });

  it('a folder without _icicle/dataset.json', async () => {
    await refused(copy('unmarked', d => rmSync(join(d, '_icicle'), { recursive: true })), /unmarked is not an Icicle dataset: it has no _icicle\/dataset\.json \(icicle export --format parquet writes one\)\.$/);
  });

  it('a description that is not JSON, or not an object', async () => {
    await refused(copy('garbled', d => writeFileSync(join(d, '_icicle', 'dataset.json'), '{"format": "icicle-parq')), /^The dataset in \S+garbled is damaged: _icicle\/dataset\.json is not JSON\.$/);
    await refused(copy('array', d => writeFileSync(join(d, '_icicle', 'dataset.json'), '[1]')), /is damaged: _icicle\/dataset\.json is not a JSON object\.$/);
  });

  it('another format, a newer version, an unknown version', async () => {
    await refused(copy('other', d => writeFileSync(join(d, '_icicle', 'dataset.json'), '{"format":"delta","version":1}')), /other is not an Icicle dataset: its _icicle\/dataset\.json names the format "delta", not "icicle-parquet-dataset"\.$/);
    await refused(
      copy('newer', d => writeFileSync(join(d, '_icicle', 'dataset.json'), '{"format":"icicle-parquet-dataset","version":2}')),
      /^The dataset in \S+newer is of version 2; this Icicle reads version 1: a newer Icicle wrote it, update Icicle to read it\.$/,
    );
    await refused(copy('unknown', d => writeFileSync(join(d, '_icicle', 'dataset.json'), '{"format":"icicle-parquet-dataset","version":"1"}')), /unknown is of version "1"; this Icicle reads version 1\.$/);
  });

  it('a samples file that is not Parquet, or is cut short', async () => {
    await refused(
      copy('garbage', d => writeFileSync(firstFile(join(d, 'samples')), 'PAR1 but then nothing a Parquet reader wants')),
      /^The dataset in \S+garbage is damaged: samples\/profile_type=cpu%3Asamples%3Acount%3Acpu%3Ananoseconds\/date=\S+\.parquet is not a readable Parquet file \(.+\)\.$/,
    );
    await refused(
      copy('truncated', d => {
        const file = firstFile(join(d, 'samples'));
        const bytes = readFileSync(file);
        writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
      }),
      /truncated is damaged: samples\/\S+\.parquet is not a readable Parquet file/,
    );
    // The footer intact, the column chunks overwritten: the damage shows only once the pages are decoded.
    await refused(
      copy('pages', d => {
        const file = firstFile(join(d, 'samples'));
        const bytes = readFileSync(file);
        bytes.fill(0xa5, 4, bytes.length - 8 - bytes.readUInt32LE(bytes.length - 8));
        writeFileSync(file, bytes);
      }),
      /pages is damaged: samples\/\S+\.parquet is not a readable Parquet file/,
    );
    await refused(copy('empty', d => writeFileSync(firstFile(join(d, 'samples')), '')), /empty is damaged: samples\/\S+\.parquet is not a readable Parquet file/);
  });

  it('stacks or frames the samples need are missing, or their files are damaged', async () => {
    await refused(copy('no-stacks', d => rmSync(join(d, 'stacks'), { recursive: true })), /no-stacks is damaged: its samples refer to stack -?\d+, which no file of stacks\/ holds\.$/);
    await refused(copy('no-frames', d => rmSync(join(d, 'frames'), { recursive: true })), /no-frames is damaged: its stacks refer to frame -?\d+, which no file of frames\/ holds\.$/);
    await refused(copy('bad-stacks', d => writeFileSync(firstFile(join(d, 'stacks')), 'garbage')), /bad-stacks is damaged: stacks\/part-0\.parquet is not a readable Parquet file/);
    // The frames file swapped for the stacks one: a Parquet file, but not of frames.
    await refused(copy('swapped', d => cpSync(firstFile(join(d, 'stacks')), firstFile(join(d, 'frames')))), /swapped is damaged: frames\/part-0\.parquet has no frame_id column\.$/);
  });

  it('a samples file without a column the samples need', async () => {
    // A stacks file where a samples file should be: Parquet, but without timestamp, value or stack_id.
    await refused(copy('wrong-table', d => cpSync(firstFile(join(d, 'stacks')), firstFile(join(d, 'samples')))), /wrong-table is damaged: samples\/\S+\.parquet has no timestamp column\.$/);
  });

  it('an unreadable folder', async function () {
    if (process.getuid?.() === 0) this.skip();
    const locked = copy('locked', () => undefined);
    mkdirSync(join(locked, 'samples'), { recursive: true });
    const { chmodSync } = await import('node:fs');
    chmodSync(join(locked, 'samples'), 0o000);
    try {
      await refused(locked, /^Cannot list the folder \S+locked\/samples: /);
    } finally {
      chmodSync(join(locked, 'samples'), 0o755);
    }
  });
});
