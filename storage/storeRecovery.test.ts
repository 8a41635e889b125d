import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, writeSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ManifestCorruptionError, readManifest } from './manifest';
import { MetadataCorruptionError, MetadataLog } from './metadata/metadataLog';
import { decodeRecord } from './wal/walRecord';
import { MANIFEST_FILE, Store } from './store';
import { readRows, simpleWrite, stackOf, totalValue } from '../test/support/sampleData';

describe('store recovery', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-store-recovery-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged write, and nothing half-written, across kill -9 during writes, flushes and compactions', async function () {
    this.timeout(180_000);
    const acked = new Map<number, number>();
    let nextSeq = 1;
    // Odd rounds write parts that two block workers encode in halves (storeCrashWriter.ts `split`).
    let halvesSeen = 0;
    for (let round = 0; round < 10; round++) {
      const mode = round % 2 === 1 ? ['split'] : [];
      const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'test', 'support', 'storeCrashWriter.ts'), dir, String(nextSeq), ...mode], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise(resolve => child.once('exit', resolve));
      // Kill after a random number of acknowledgements, so the kill lands at a random point of the write cycle.
      const target = 5 + Math.floor(Math.random() * 150);
      let count = 0;
      await new Promise<void>(resolve => {
        createInterface({ input: child.stdout! }).on('line', line => {
          const [kind, seq, rows] = line.split(' ');
          if (kind !== 'ack') return;
          acked.set(Number(seq), Number(rows));
          if (++count === target) {
            child.kill('SIGKILL');
            resolve();
          }
        });
        child.once('exit', () => resolve());
      });
      await exited;
      // Two blocks of one part share its tx range.
      const ranges = ((await readManifest(join(dir, MANIFEST_FILE)))?.blocks ?? []).map(b => `${b.minTxId}-${b.maxTxId}`);
      halvesSeen += ranges.length - new Set(ranges).size;
      const store = await Store.open(dir, { owner: 'crash test' });
      const rowsBySeq = new Map<number, number>();
      const snapshot = store.snapshot();
      for (const row of await readRows(snapshot, ['labels.seq', 'value'])) {
        const seq = Number(row['labels.seq']);
        assert.equal(row['value'], seq, 'a row carries the value of its own write');
        rowsBySeq.set(seq, (rowsBySeq.get(seq) ?? 0) + 1);
      }
      assert.deepEqual(snapshot.damagedBlocks, []);
      snapshot.release();
      for (const [seq, rows] of acked) assert.equal(rowsBySeq.get(seq), rows, `round ${round}: acknowledged write ${seq} must be there whole`);
      for (const [seq, rows] of rowsBySeq) {
        const expected = 1 + ((seq * 7919) % 300);
        assert.equal(rows, expected, `round ${round}: write ${seq} is there with ${rows} of its ${expected} rows`);
      }
      nextSeq = Math.max(nextSeq, ...rowsBySeq.keys()) + 1;
      await store.close({ flush: round % 2 === 0 });
    }
    assert.ok(acked.size > 50, `only ${acked.size} writes were acknowledged`);
    assert.ok(halvesSeen > 0, 'no part was written in halves by the two block workers');
  });

  it('reports a damaged block by file name and keeps serving the other blocks', async () => {
    const store = await Store.open(dir);
    const stack = stackOf(store, 'main');
    for (let i = 1; i <= 3; i++) {
      await store.write(simpleWrite(stack, 100, { part: String(i) }, 1000 * i, i));
      await store.flush();
    }
    await store.close();
    const blocks = readdirSync(join(dir, 'blocks')).sort();
    const damaged = join(dir, 'blocks', blocks[1]!);
    flipByte(damaged, Math.floor(statSync(damaged).size / 2));
    truncateSync(join(dir, 'blocks', blocks[2]!), 100);
    const reopened = await Store.open(dir);
    const snapshot = reopened.snapshot();
    assert.equal(await totalValue(snapshot), 100 * 1, 'block 1 is still served');
    assert.deepEqual(snapshot.damagedBlocks.map(e => e.file), [damaged, join(dir, 'blocks', blocks[2]!)]);
    assert.match(snapshot.damagedBlocks[0]!.message, /is damaged \(checksum mismatch\)/);
    await reopened.close();
  });

  it('reports a damaged log record with file and offset, serves the writes before it, and refuses new writes', async () => {
    const store = await Store.open(dir);
    const stack = stackOf(store, 'main');
    for (let i = 1; i <= 3; i++) await store.write(simpleWrite(stack, 10, { part: String(i) }, 1000 * i, i));
    await store.close({ flush: false });
    const walDir = join(dir, 'wal');
    const segment = join(walDir, readdirSync(walDir)[0]!);
    const bytes = readFileSync(segment);
    const first = decodeRecord(bytes, 0);
    assert.equal(first.kind, 'record');
    const second = first.end;
    flipByte(segment, second + 40);
    const reopened = await Store.open(dir);
    const corruption = reopened.openReport.walCorruption;
    assert.ok(corruption);
    assert.equal(corruption.file, segment);
    assert.equal(corruption.offset, second);
    assert.match(corruption.message, /is damaged at byte \d+ \(checksum mismatch\)/);
    assert.equal(await totalValue(reopened.snapshot()), 10, 'the write before the damage is served');
    await assert.rejects(reopened.write(simpleWrite(stack, 1, {})), /is damaged at byte/);
    await reopened.close({ flush: false });
  });

  it('cuts off a torn log tail and keeps the writes before it', async () => {
    const store = await Store.open(dir);
    const stack = stackOf(store, 'main');
    for (let i = 1; i <= 3; i++) await store.write(simpleWrite(stack, 10, {}, 1000 * i, i));
    await store.close({ flush: false });
    const walDir = join(dir, 'wal');
    const segment = join(walDir, readdirSync(walDir)[0]!);
    truncateSync(segment, statSync(segment).size - 7);
    const reopened = await Store.open(dir);
    assert.ok(reopened.openReport.truncatedTailBytes > 0);
    assert.equal(reopened.openReport.walCorruption, undefined);
    assert.equal(await totalValue(reopened.snapshot()), 10 * (1 + 2));
    assert.equal(await reopened.write(simpleWrite(stack, 1, {}, 0, 100)), 3, 'the lost tx id is reissued');
    await reopened.close();
  });

  it('refuses to open with a damaged manifest, naming it', async () => {
    const store = await Store.open(dir);
    await store.write(simpleWrite(stackOf(store, 'main'), 10, {}));
    await store.close();
    flipByte(join(dir, 'manifest.json'), 20);
    await assert.rejects(Store.open(dir), (error: unknown) => error instanceof ManifestCorruptionError && error.file === join(dir, 'manifest.json'));
    // The failed open released the lock: after repair (here: removing the damaged byte's effect) the store opens.
    flipByte(join(dir, 'manifest.json'), 20);
    const reopened = await Store.open(dir);
    assert.equal(reopened.snapshot().rows, 10);
    await reopened.close();
  });

  it('refuses to open with damaged metadata, naming the file and offset, and cuts off an unfinished last record', async () => {
    const store = await Store.open(dir);
    await store.write(simpleWrite(stackOf(store, 'main'), 10, {}));
    await store.flush();
    await store.write(simpleWrite(stackOf(store, 'main;second'), 10, {}));
    await store.close();
    const file = join(dir, 'metadata.log');
    const bytes = readFileSync(file);
    const first = decodeRecord(bytes, 0);
    assert.ok(first.kind === 'record');
    // An unfinished record after the last one (a checkpoint interrupted mid-append) is harmless.
    writeFileSync(file, Buffer.concat([bytes, bytes.subarray(0, 30)]));
    const reopened = await Store.open(dir);
    assert.equal(reopened.snapshot().rows, 20);
    await reopened.close({ flush: false });
    flipByte(file, first.end + 25);
    await assert.rejects(Store.open(dir), (error: unknown) =>
      error instanceof MetadataCorruptionError && error.file === file && error.offset === first.end && /checksum mismatch/.test(error.message));
  });

  it('appends the metadata beside a flush’s block write, keeps it whole when the block write fails, and flushes later', async () => {
    const store = await Store.open(dir);
    const first = stackOf(store, 'main;work;deeper');
    await store.write(simpleWrite(first, 10, {}));
    // The block cannot be written: its folder is a file.
    rmSync(join(dir, 'blocks'), { recursive: true });
    writeFileSync(join(dir, 'blocks'), 'in the way');
    await assert.rejects(store.flush());
    // The metadata was appended while the block was being written (it used to wait for the blocks), whole.
    const logged = await MetadataLog.readOnly(join(dir, 'metadata.log'));
    assert.equal(logged.stackCount, store.metadata.stackCount);
    assert.deepEqual([...logged.stack(first)], [...store.metadata.stack(first)]);
    rmSync(join(dir, 'blocks'));
    mkdirSync(join(dir, 'blocks'));
    const second = stackOf(store, 'main;other');
    await store.write(simpleWrite(second, 5, {}, 1_700_000_100_000));
    await store.close();
    const reopened = await Store.open(dir);
    try {
      assert.equal(reopened.openReport.replayedTxs, 0, 'the close flushed both writes');
      assert.equal(await totalValue(reopened.snapshot()), 10 * 15);
      assert.deepEqual([...reopened.metadata.stack(second)], [...store.metadata.stack(second)]);
    } finally {
      await reopened.close();
    }
  });

  it('deletes block files left by a crash between writing a block and the manifest', async () => {
    const store = await Store.open(dir);
    await store.write(simpleWrite(stackOf(store, 'main'), 10, {}));
    await store.close();
    writeFileSync(join(dir, 'blocks', '0000000099.parquet.tmp'), 'partial');
    writeFileSync(join(dir, 'blocks', '0000000098.parquet'), 'unlisted');
    const reopened = await Store.open(dir);
    assert.equal(reopened.openReport.removedOrphanFiles, 2);
    assert.deepEqual(readdirSync(join(dir, 'blocks')), ['0000000001.parquet']);
    await reopened.close();
  });
});

function flipByte(file: string, offset: number): void {
  const bytes = readFileSync(file);
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.from([bytes[offset]! ^ 0xff]), 0, 1, offset);
  closeSync(fd);
}
