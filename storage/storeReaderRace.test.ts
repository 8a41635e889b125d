import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { StoreReader } from './storeReader';

/**
 * The command line reads the store beside the agent, which checkpoints as it reads: it writes a new manifest, then
 * deletes the log segments the manifest now covers. A reader that took the old manifest and then found those
 * segments gone served the store without the checkpointed writes, as if whole (the exactly-once torture test caught
 * an acknowledged chunk missing from one read so). Here a writer process writes, flushes and compacts without pause
 * while this process opens readers: none may miss a write acknowledged before it opened.
 */
describe('a reader beside a writer that checkpoints', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-reader-race-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('never misses a write acknowledged before it opened', async () => {
    const writer = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'testdata', 'storeCrashWriter.ts'), dir, '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let acknowledgedRows = 0;
    createInterface({ input: writer.stdout! }).on('line', line => {
      const [word, , rows] = line.split(' ');
      if (word === 'ack') acknowledgedRows += Number(rows);
    });
    const short: string[] = [];
    let reads = 0;
    let unreadable = 0;
    try {
      const until = Date.now() + 8000;
      while (Date.now() < until || reads < 30) {
        const before = acknowledgedRows;
        if (before === 0) {
          await new Promise(resolve => setTimeout(resolve, 20));
          continue;
        }
        const reader = await StoreReader.open(dir);
        try {
          const rows = reader.snapshot().rows;
          if (rows < before) short.push(`${rows} rows read, ${before} acknowledged`);
          reads++;
        } catch {
          // A block compacted away while this reader read it is reported as unreadable, never misread.
          unreadable++;
        } finally {
          await reader.close();
        }
      }
    } finally {
      writer.kill('SIGKILL');
    }
    assert.deepEqual(short.slice(0, 5), [], `${short.length} of ${reads} reads (${unreadable} unreadable) missed acknowledged writes`);
  });
});
