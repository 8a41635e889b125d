import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusDir } from '../../test/support/corpus';
import { rowsOf, sqlBlocks, viewsOver, withDuckDb } from '../../test/support/duckdbDataset';
import { ICICLE_BIN, icicle } from '../../test/support/icicleCli';
import { pollUntil } from '../../test/support/poll';

const VIEWS = sqlBlocks(join(__dirname, '..', '..', 'docs', 'design', 'parquet-dataset.md'))[0]!;

/** `icicle export --format parquet` as a user runs it: the built command line, its messages and exit codes. */
describe('icicle export --format parquet, the built command line', function () {
  this.timeout(300_000);
  let dir: string;
  let store: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-dataset-cli-'));
    store = join(dir, 'store');
    const imported = await icicle(['import', '--store', store, '--label', 'branch=main', join(corpusDir(), 'cpuprofile', 'sucrase.cpuprofile'), join(corpusDir(), 'generated', 'go-workload.cpu.pb.gz')]);
    assert.equal(imported.code, 0, imported.stderr);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the dataset, adds nothing when run again, and DuckDB reads every sample', async () => {
    const out = join(dir, 'dataset');
    const first = await icicle(['export', '--store', store, '--format', 'parquet', '--out', out]);
    assert.equal(first.code, 0, first.stderr);
    const written = /wrote .* \(parquet\): (\d+) of (\d+) selected samples in (\d+) new or grown run files \(0 already there\), \d+ new stacks, \d+ new frames, \d+ bytes, [\d.]+ bytes a sample/.exec(first.stderr);
    assert.ok(written, first.stderr);
    assert.equal(written[1], written[2]);
    const again = await icicle(['export', '--store', store, '--format', 'parquet', '--out', out]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, new RegExp(`: 0 of ${written[2]} selected samples in 0 new or grown run files \\(${written[3]} already there\\), 0 new stacks, 0 new frames, 0 bytes\\n`));
    const rows = await withDuckDb(async connection => {
      await connection.run(viewsOver(VIEWS, [out]));
      return rowsOf(connection, `SELECT count(*) AS n, count(DISTINCT profile_type) AS types FROM samples`);
    });
    assert.deepEqual(rows, [{ n: Number(written[2]), types: 2 }], 'every profile type without --type (the Go profile has samples and CPU time)');
  });

  it('exports one profile type with --type, and says so in its help', async () => {
    const out = join(dir, 'cpu-only');
    const run = await icicle(['export', '--store', store, '--format', 'parquet', '--out', out, '--type', 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', '--where', 'branch=main']);
    assert.equal(run.code, 0, run.stderr);
    const rows = await withDuckDb(async connection => {
      await connection.run(viewsOver(VIEWS, [out]));
      return rowsOf(connection, `SELECT DISTINCT profile_type FROM samples`);
    });
    assert.deepEqual(rows, [{ profile_type: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds' }]);
    const help = await icicle(['export', '--help']);
    assert.match(help.stdout, /--format pprof\|collapsed\|otlp\|parquet --out FILE\|DIR/);
    assert.match(help.stdout, /parquet {4}Parquet dataset \(.*\), --out DIR/);
  });

  it('exits 2 with a sentence for an --out that cannot hold a dataset', async () => {
    const file = join(dir, 'profile.pb.gz');
    writeFileSync(file, 'not a folder');
    const cases: [string, RegExp][] = [
      [file, /--out .*profile\.pb\.gz is a file; the parquet format writes a folder/],
      [join(file, 'below'), /a part of the path is a file, not a folder/],
      [dir, /is a folder that is neither empty nor an Icicle dataset/],
    ];
    for (const [out, message] of cases) {
      const run = await icicle(['export', '--store', store, '--format', 'parquet', '--out', out]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.match(run.stderr, /Run icicle export --help for its usage\./);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('leaves a dataset that reads whole when killed at any point, and the next export completes it', async () => {
    const parquetFiles = (out: string): string[] => {
      try {
        return readdirSync(out, { recursive: true }).map(String).filter(f => f.endsWith('.parquet'));
      } catch {
        return [];
      }
    };
    const outcomes: string[] = [];
    // Killed once the first, second, ... file is in place (frames, stacks, then samples files).
    for (const filesBeforeKill of [0, 1, 2, 3]) {
      const out = join(dir, `killed-${filesBeforeKill}`);
      const child = spawn(process.execPath, [ICICLE_BIN, 'export', '--store', store, '--format', 'parquet', '--out', out], { stdio: 'ignore' });
      const exited = new Promise<NodeJS.Signals | number | null>(resolve => child.on('exit', (code, signal) => resolve(signal ?? code)));
      let done = false;
      void exited.then(() => (done = true));
      await pollUntil(() => done || parquetFiles(out).length > filesBeforeKill || (filesBeforeKill === 0 && parquetFiles(out).length === 0 && readdirSafe(out).length > 0), {
        timeoutMs: 60_000,
        what: `the export to write ${filesBeforeKill + 1} files`,
        intervalMs: 2,
      });
      child.kill('SIGKILL');
      outcomes.push(`${filesBeforeKill}: ${String(await exited)}, ${parquetFiles(out).length} files`);
      // Whatever was in place reads whole: every file opens, and no sample names a stack that is not there.
      if (parquetFiles(out).length > 0) {
        const check = await withDuckDb(async connection => {
          await connection.run(viewsOver(VIEWS, [out]));
          return rowsOf(connection, `SELECT (SELECT count(*) FROM frames) >= 0 AS frames_read, (SELECT count(*) FROM samples WHERE stack_id NOT IN (SELECT stack_id FROM stacks)) AS orphans`);
        }).catch((error: Error) => (/No files found/.test(error.message) ? [{ frames_read: true, orphans: 0 }] : Promise.reject(error)));
        assert.deepEqual(check, [{ frames_read: true, orphans: 0 }], outcomes.at(-1));
      }
      const again = await icicle(['export', '--store', store, '--format', 'parquet', '--out', out]);
      assert.equal(again.code, 0, again.stderr);
      const rows = await withDuckDb(async connection => {
        await connection.run(viewsOver(VIEWS, [out]));
        return rowsOf(connection, `SELECT count(*) AS n, count(*) FILTER (WHERE stack_id NOT IN (SELECT stack_id FROM stacks)) AS orphans FROM samples`);
      });
      assert.deepEqual(rows, [{ n: 17_790, orphans: 0 }], outcomes.at(-1));
    }
    console.log(`      killed: ${outcomes.join('; ')}`);
  });
});

function readdirSafe(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
