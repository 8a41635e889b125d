import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readProfileBytes, gunzipIfCompressed } from '../../agent/readProfileFile';

/**
 * A 1 GB profile file (sparse, so the test costs no disk) and a small gzip that inflates past the limit: both refused
 * with their size before anything is parsed, and the agent's memory does not grow by the file's size.
 */
describe('a profile too large to read', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-huge-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused by its size at once, without being read', async () => {
    const path = join(dir, 'huge.cpuprofile');
    writeFileSync(path, '');
    truncateSync(path, 1024 * 1024 * 1024);
    const before = process.memoryUsage().rss;
    const started = performance.now();
    await assert.rejects(readProfileBytes(path, 'huge.cpuprofile'), /huge\.cpuprofile .*1024 MiB/);
    assert.ok(performance.now() - started < 1000, 'refused without reading');
    assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, 'the file was not loaded into memory');
  });

  it('refuses a gzip that inflates past the limit, saying so', () => {
    // 600 MiB of zeros compress to under a megabyte.
    const bomb = gzipSync(Buffer.alloc(600 * 1024 * 1024));
    assert.ok(bomb.length < 2 * 1024 * 1024);
    assert.throws(() => gunzipIfCompressed(bomb, 'bomb.cpuprofile.gz'), /bomb\.cpuprofile\.gz/);
  });

  it('refuses a pipe or a device chosen as a profile at once, with what it is', async () => {
    const fifo = join(dir, 'pipe.cpuprofile');
    execFileSync('mkfifo', [fifo]);
    const started = performance.now();
    // Opening a FIFO would wait for a writer for ever; it is refused before it is opened.
    await assert.rejects(readProfileBytes(fifo, 'pipe.cpuprofile'), /Cannot open pipe\.cpuprofile: it is not a regular file/);
    await assert.rejects(readProfileBytes('/dev/zero', 'zero'), /Cannot open zero: it is not a regular file/);
    assert.ok(performance.now() - started < 1000, 'refused at once');
  });
});
