import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Store } from '../../../storage/store';
import { rowsOf, sqlBlocks, viewsOver, withDuckDb } from '../../../test/support/duckdbDataset';
import { DatasetFolderError } from './datasetFolder';
import { DamagedStoreError, exportDataset, type DatasetExportSummary } from './exportDataset';
import { DamagedDatasetFileError } from './parquetFiles';

const VIEWS = sqlBlocks(join(__dirname, '..', '..', '..', 'docs', 'design', 'parquet-dataset.md'))[0]!;
const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';
/** 200 ms before midnight (UTC): a run written from here crosses into the next day's partition. */
const DAY = Date.UTC(2026, 11, 3, 23, 59, 59, 800);

/** Every file under `dir` with its bytes, to show that an export changed nothing. */
function filesOf(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path).toString('base64'));
    }
  };
  walk(dir);
  return files;
}

/**
 * The writer's promises, each checked by reading the dataset back in DuckDB through the design note's views: an export
 * repeated adds nothing, one after more samples adds exactly those, stores add up, frames stay apart, any text survives,
 * and a damaged file stops the export before it changes anything.
 */
describe('the Parquet dataset writer', function () {
  this.timeout(120_000);
  let dir: string;
  let seq = 0;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-dataset-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const fresh = (name: string): string => join(dir, `${name}-${seq++}`);

  async function openStore(): Promise<Store> {
    return Store.open(fresh('store'));
  }

  /** `n` samples of a run, one millisecond apart from `start`, over two stacks; unique timestamps per store. */
  async function writeRun(store: Store, labels: Record<string, string>, start: number, n: number, profileType = CPU): Promise<void> {
    const a = store.internStack([store.internFrame({ functionName: 'work', file: '/src/a.js', line: 3, column: 1, module: '', address: 0 })]);
    const b = store.internStack([store.internFrame({ functionName: 'idle', file: '/src/b.js', line: 9, column: 1, module: '', address: 0 })]);
    await store.write({
      profileType,
      labels,
      durationNs: 1e9,
      periodNs: 1e6,
      timestamps: Array.from({ length: n }, (_, i) => start + i),
      values: Array.from({ length: n }, (_, i) => 1000 + i),
      stackIds: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? a : b)),
      lines: Array.from({ length: n }, (_, i) => i % 7),
    });
  }

  async function exportStore(store: Store, out: string): Promise<DatasetExportSummary> {
    const snapshot = store.snapshot();
    try {
      return await exportDataset(snapshot, { matchers: [] }, '', out);
    } finally {
      snapshot.release();
    }
  }

  async function query(datasets: string[], sql: string): Promise<Record<string, unknown>[]> {
    return withDuckDb(async connection => {
      await connection.run(viewsOver(VIEWS, datasets));
      return rowsOf(connection, sql);
    });
  }

  const totals = `SELECT count(*) AS n, count(DISTINCT (timestamp, "labels.session_id")) AS distinct_rows, sum(value) AS total FROM samples`;

  it('adds nothing when exported again, only the new samples after more runs, and a run that grew once', async () => {
    const store = await openStore();
    const out = fresh('dataset');
    await writeRun(store, { session_id: 's1', branch: 'main' }, DAY, 500);
    await store.flush();
    await writeRun(store, { session_id: 's2', branch: 'main' }, DAY + 100_000, 300);
    const first = await exportStore(store, out);
    // s1 crosses midnight (UTC): two partitions, two files; s2 one.
    assert.deepEqual([first.samples, first.samplesWritten, first.filesWritten, first.filesUnchanged, first.stacksWritten, first.framesWritten], [800, 800, 3, 0, 2, 2]);
    const before = filesOf(out);
    const again = await exportStore(store, out);
    assert.deepEqual([again.samplesWritten, again.filesWritten, again.filesUnchanged, again.bytesWritten], [0, 0, 3, 0]);
    assert.deepEqual(filesOf(out), before, 'an export repeated writes nothing');
    assert.deepEqual(await query([out], totals), [{ n: 800, distinct_rows: 800, total: 500 * 1000 + (499 * 500) / 2 + 300 * 1000 + (299 * 300) / 2 }]);

    // s2 is still recording (it grows), s3 is a new run.
    await writeRun(store, { session_id: 's2', branch: 'main' }, DAY + 100_300, 200);
    await writeRun(store, { session_id: 's3', branch: 'feature' }, DAY + 200_000, 50);
    const third = await exportStore(store, out);
    assert.deepEqual([third.samples, third.samplesWritten, third.filesWritten, third.filesUnchanged, third.stacksWritten], [1050, 550, 2, 2, 0]);
    const rows = await query([out], `${totals} GROUP BY "labels.session_id" ORDER BY "labels.session_id"`);
    assert.deepEqual(rows.map(r => [r['n'], r['distinct_rows']]), [[500, 500], [500, 500], [50, 50]], 'no sample twice, none lost');
    // Compaction reorders the store's rows: the same rows are still the same files.
    await store.flush();
    await store.compact();
    assert.equal((await exportStore(store, out)).filesWritten, 0);
    await store.close();
  });

  it('gives the sum of two stores exported into one folder, with each frame once', async () => {
    const out = fresh('dataset');
    const stores = [await openStore(), await openStore()];
    await writeRun(stores[0]!, { session_id: 'a', branch: 'main' }, DAY - 3_600_000, 400);
    await writeRun(stores[1]!, { session_id: 'b', branch: 'main' }, DAY - 3_600_000, 250);
    await writeRun(stores[1]!, { session_id: 'c', branch: 'feature' }, DAY - 1_800_000, 100);
    const [one, two] = [await exportStore(stores[0]!, out), await exportStore(stores[1]!, out)];
    assert.equal(one.framesWritten, 2);
    assert.equal(two.framesWritten, 0, 'the same frames have the same ids: the second store adds none');
    const rows = await query([out], `SELECT "labels.branch" AS branch, count(*) AS n FROM samples GROUP BY 1 ORDER BY 1`);
    assert.deepEqual(rows, [{ branch: 'feature', n: 100 }, { branch: 'main', n: 650 }]);
    // Two datasets read together (the views over both folders) give the sum too, their frames DISTINCT.
    const other = fresh('dataset');
    await exportStore(stores[0]!, other);
    const both = await query([out, other], `SELECT (SELECT count(*) FROM samples) AS n, (SELECT count(*) FROM frames) AS frames, (SELECT count(*) FROM leaf_samples) AS joined`);
    assert.deepEqual(both, [{ n: 1150, frames: 2, joined: 1150 }]);
    for (const store of stores) await store.close();
  });

  it('keeps two functions of the same name in different files or lines as two frames', async () => {
    const store = await openStore();
    const out = fresh('dataset');
    const frame = (file: string, line: number): number => store.internFrame({ functionName: 'onEnter', file, line, column: 5, module: '', address: 0 });
    const stacks = [frame('/src/a.ts', 10), frame('/src/a.ts', 120), frame('/src/b.ts', 10)].map(f => store.internStack([f]));
    await store.write({ profileType: CPU, labels: { session_id: 'x' }, timestamps: [DAY, DAY + 1, DAY + 2], values: [1, 20, 300], stackIds: stacks });
    await exportStore(store, out);
    const rows = await query([out], `SELECT function_name, file, function_line, sum(value) AS self FROM leaf_samples GROUP BY ALL ORDER BY self`);
    assert.deepEqual(rows, [
      { function_name: 'onEnter', file: '/src/a.ts', function_line: 10, self: 1 },
      { function_name: 'onEnter', file: '/src/a.ts', function_line: 120, self: 20 },
      { function_name: 'onEnter', file: '/src/b.ts', function_line: 10, self: 300 },
    ]);
    await store.close();
  });

  it('keeps non-ASCII, hostile and megabyte-long function names, label values and profile types byte for byte', async () => {
    const store = await openStore();
    const out = fresh('dataset');
    const hostile = [
      'ünïcødé 函数 🔥',
      `it's "quoted" \\ back\\slash`,
      "x'); DROP TABLE samples; --",
      'line\nbreak\r\nand\ttab',
      '# **markdown** | table | `code`',
      '<script>alert(1)</script><img src=x onerror=alert(2)>',
      'é'.repeat(512 * 1024),
    ];
    const types = [CPU, 'weird/type=a%b:c d'];
    let t = DAY;
    for (const [i, text] of hostile.entries()) {
      const stack = store.internStack([store.internFrame({ functionName: text, file: `/src/${i}.js`, line: i + 1, column: 1, module: text, address: 0 })]);
      for (const profileType of types) await store.write({ profileType, labels: { session_id: `s${i}`, note: text }, timestamps: [t++], values: [i + 1], stackIds: [stack] });
    }
    await exportStore(store, out);
    const names = await query([out], `SELECT f.function_name, f.module, "labels.note" AS note, profile_type FROM samples JOIN stacks USING (stack_id) JOIN frames f ON f.frame_id = frame_ids[1] ORDER BY value, profile_type`);
    assert.equal(names.length, hostile.length * 2);
    names.forEach((row, r) => {
      const text = hostile[Math.floor(r / 2)]!;
      assert.ok(row['function_name'] === text && row['module'] === text && row['note'] === text, `row ${r} survives byte for byte`);
      assert.equal(row['profile_type'], [...types].sort()[r % 2]);
    });
    await store.close();
  });

  it('stops with a clear error on a damaged file in the folder, and loses nothing', async () => {
    const store = await openStore();
    const out = fresh('dataset');
    await writeRun(store, { session_id: 's1' }, DAY, 100);
    await exportStore(store, out);
    // A samples file the next export would replace (its run grew), truncated as by a crash of another writer.
    const partition = join(out, 'samples', `profile_type=${CPU.replaceAll(':', '%3A')}`, 'date=2026-12-03');
    const [runFile] = readdirSync(partition);
    truncateSync(join(partition, runFile!), 100);
    await writeRun(store, { session_id: 's1' }, DAY + 100, 10);
    const damaged = filesOf(out);
    await assert.rejects(exportStore(store, out), (error: Error) => {
      assert.ok(error instanceof DamagedDatasetFileError);
      assert.match(error.message, new RegExp(`${runFile!.replace('.', '\\.')} is not a readable Parquet file .*nothing was exported; move it out`));
      return true;
    });
    assert.deepEqual(filesOf(out), damaged, 'nothing written, nothing removed');
    // A damaged stacks file stops it too; moved away, the export goes through.
    rmSync(join(partition, runFile!));
    const stacksFile = readdirSync(join(out, 'stacks'))[0]!;
    writeFileSync(join(out, 'stacks', stacksFile), 'PAR1 not really');
    await assert.rejects(exportStore(store, out), /stacks\/ids-[0-9a-f]+\.parquet is not a readable Parquet file/);
    rmSync(join(out, 'stacks', stacksFile));
    await exportStore(store, out);
    // Stacks lost while the runs' samples files stay: the next export writes them again, though no run changed.
    for (const name of readdirSync(join(out, 'stacks'))) rmSync(join(out, 'stacks', name));
    const repaired = await exportStore(store, out);
    assert.deepEqual([repaired.filesWritten, repaired.stacksWritten], [0, 2]);
    assert.deepEqual(await query([out], `SELECT count(*) AS n, count(*) FILTER (WHERE stack_id NOT IN (SELECT stack_id FROM stacks)) AS orphans FROM samples`), [{ n: 110, orphans: 0 }]);
    await store.close();
  });

  it('refuses to export a store with a damaged block, which would shrink its runs in the dataset', async () => {
    const path = fresh('store');
    let store = await Store.open(path);
    const out = fresh('dataset');
    await writeRun(store, { session_id: 's1' }, DAY - 10_000, 100);
    await store.flush();
    await writeRun(store, { session_id: 's1' }, DAY - 5_000, 100);
    await store.close();
    store = await Store.open(path);
    await exportStore(store, out);
    await store.close();
    const blocks = readdirSync(join(path, 'blocks')).filter(name => name.endsWith('.parquet'));
    assert.ok(blocks.length >= 1);
    truncateSync(join(path, 'blocks', blocks[0]!), 100);
    store = await Store.open(path);
    const before = filesOf(out);
    await assert.rejects(exportStore(store, out), (error: Error) => error instanceof DamagedStoreError && /could not be read whole \(.*blocks.* damaged\), so nothing was exported/.test(error.message));
    assert.deepEqual(filesOf(out), before);
    await store.close();
  });

  it('leaves temporary files of a killed export unread, and refuses a folder that cannot hold a dataset', async () => {
    const store = await openStore();
    const out = fresh('dataset');
    await writeRun(store, { session_id: 's1' }, DAY, 10);
    await exportStore(store, out);
    const partition = join(out, 'samples', `profile_type=${CPU.replaceAll(':', '%3A')}`, 'date=2026-12-03');
    writeFileSync(join(partition, '.run-0123.parquet.abcdef.tmp'), 'half a file');
    assert.deepEqual(await query([out], 'SELECT count(*) AS n FROM samples'), [{ n: 10 }]);

    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    await assert.rejects(exportStore(store, file), (e: Error) => e instanceof DatasetFolderError && /is a file; the parquet format writes a folder/.test(e.message));
    const unrelated = fresh('unrelated');
    mkdirSync(unrelated);
    writeFileSync(join(unrelated, 'notes.txt'), 'mine');
    await assert.rejects(exportStore(store, unrelated), /neither empty nor an Icicle dataset/);
    const future = fresh('future');
    mkdirSync(join(future, '_icicle'), { recursive: true });
    writeFileSync(join(future, '_icicle', 'dataset.json'), '{"format":"icicle-parquet-dataset","version":2}');
    await assert.rejects(exportStore(store, future), /dataset of version 2, and this Icicle writes version 1/);
    await store.close();
  });
});
