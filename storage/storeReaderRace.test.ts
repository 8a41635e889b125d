import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Store } from './store';
import { StoreReader } from './storeReader';
import { BlockGoneError } from './storeSnapshot';
import { simpleWrite, stackOf } from '../test/support/sampleData';

/**
 * The command line reads the store beside the agent, which checkpoints and compacts as it reads. Here a writer
 * process writes, flushes and compacts without pause while this process opens readers again and again: none may miss
 * a write acknowledged before it opened. Each test runs `run(acknowledgedRows)` until `ms` have passed and at least
 * `minReads` reads were made, and returns what it found short.
 */
async function besideWriter(dir: string, ms: number, minReads: number, read: (acknowledgedRows: number) => Promise<string | undefined>): Promise<{ short: string[]; reads: number }> {
  const writer = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'test', 'support', 'storeCrashWriter.ts'), dir, '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let acknowledgedRows = 0;
  createInterface({ input: writer.stdout! }).on('line', line => {
    const [word, , rows] = line.split(' ');
    if (word === 'ack') acknowledgedRows += Number(rows);
  });
  const short: string[] = [];
  let reads = 0;
  try {
    const until = Date.now() + ms;
    while (Date.now() < until || reads < minReads) {
      const before = acknowledgedRows;
      if (before === 0) {
        await new Promise(resolve => setTimeout(resolve, 20));
        continue;
      }
      const problem = await read(before);
      if (problem !== undefined) short.push(problem);
      reads++;
    }
  } finally {
    writer.kill('SIGKILL');
  }
  return { short, reads };
}

describe('a reader beside a writer that checkpoints and compacts', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-reader-race-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * The writer checkpoints by writing a new manifest, then deleting the log segments the manifest now covers. A reader
   * that took the old manifest and then found those segments gone served the store without the checkpointed writes,
   * as if whole (the exactly-once torture test caught an acknowledged chunk missing from one read so).
   */
  it('never misses a write acknowledged before it opened', async () => {
    const { short, reads } = await besideWriter(dir, 8000, 30, async before => {
      const reader = await StoreReader.open(dir);
      try {
        const rows = reader.snapshot().rows;
        return rows < before ? `${rows} rows listed, ${before} acknowledged` : undefined;
      } finally {
        await reader.close();
      }
    });
    assert.deepEqual(short.slice(0, 5), [], `${short.length} of ${reads} reads missed acknowledged writes`);
  });

  /**
   * The writer deletes the blocks it compacted once its own readers are done, not knowing of readers in other
   * processes. A reader that found a block it listed gone took it for a damaged block and answered without its rows,
   * quietly (`icicle top`, and the exactly-once torture's reads: a stored chunk missing from one read, there again
   * in the next). Its rows are in the compacted block the new manifest lists: the reader reads again from there.
   */
  it('never answers without the rows of a block compacted away while it read', async () => {
    let retried = 0;
    const { short, reads } = await besideWriter(dir, 8000, 30, async before => {
      let attempts = 0;
      const { rows, damaged } = await StoreReader.read(dir, async reader => {
        attempts++;
        const snapshot = reader.snapshot();
        let scanned = 0;
        for await (const batch of snapshot.scan({ columns: ['timestamp'] })) scanned += batch.numRows;
        return { rows: scanned, damaged: snapshot.damagedBlocks.map(d => d.message) };
      });
      if (attempts > 1) retried++;
      if (damaged.length > 0) return `${damaged.length} blocks reported damaged: ${damaged[0]}`;
      return rows < before ? `${rows} rows read, ${before} acknowledged` : undefined;
    });
    assert.deepEqual(short.slice(0, 5), [], `${short.length} of ${reads} reads (${retried} read again) missed acknowledged writes`);
  });

  /** The same moment, made to happen: a reader that listed three blocks, the writer compacting them before it scans. */
  describe('a block compacted away between listing and reading', () => {
    const ROWS = 3 * 50;
    async function threeBlocks(): Promise<Store> {
      // No grace for readers elsewhere: the moment a read outlasts it (storeOptions.ts, replacedBlockGraceMs).
      const store = await Store.open(dir, { autoCompactBlocks: 0, sync: false, replacedBlockGraceMs: 0 });
      const stack = stackOf(store, 'main;work');
      for (let i = 0; i < 3; i++) {
        await store.write(simpleWrite(stack, 50, { run: String(i) }, 1_700_000_000_000 + i * 1000));
        await store.flush();
      }
      return store;
    }
    async function scanRows(reader: StoreReader): Promise<number> {
      let rows = 0;
      for await (const batch of reader.snapshot().scan({ columns: ['timestamp'] })) rows += batch.numRows;
      return rows;
    }

    it('fails the read (BlockGoneError) rather than answer without its rows, which were reported as a damaged block', async () => {
      const store = await threeBlocks();
      const reader = await StoreReader.open(dir);
      try {
        assert.equal(await store.compact(), 2);
        await assert.rejects(scanRows(reader), BlockGoneError);
        assert.deepEqual(reader.snapshot().damagedBlocks, []);
      } finally {
        await reader.close();
        await store.close();
      }
    });

    it('StoreReader.read reads again from the new manifest and finds every row', async () => {
      const store = await threeBlocks();
      let attempts = 0;
      try {
        const rows = await StoreReader.read(dir, async reader => {
          if (++attempts === 1) await store.compact();
          return scanRows(reader);
        });
        assert.equal(rows, ROWS);
        assert.equal(attempts, 2);
      } finally {
        await store.close();
      }
    });

    it('still reports a block missing while the manifest lists it as damaged (lost, not replaced)', async () => {
      const store = await threeBlocks();
      await store.close();
      const [first] = readdirSync(join(dir, 'blocks')).sort();
      unlinkSync(join(dir, 'blocks', first!));
      const { rows, damaged } = await StoreReader.read(dir, async reader => ({ rows: await scanRows(reader), damaged: reader.snapshot().damagedBlocks.map(d => d.message) }));
      assert.equal(rows, ROWS - 50);
      assert.equal(damaged.length, 1);
      assert.match(damaged[0]!, /cannot be read \(ENOENT\)/);
    });
  });
});
