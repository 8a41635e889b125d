import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { HEADER_BYTES, MAX_PAYLOAD_BYTES, decodeRecord, encodeRecord } from './walRecord';
import { WalCorruptionError, WriteAheadLog, segmentName } from './writeAheadLog';

const text = (b: Buffer) => b.toString('utf8');

describe('write-ahead log', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'icicle-wal-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('encodes records that decode to the same tx id and payload, and detects a flipped bit', () => {
    const record = encodeRecord(42, Buffer.from('hello'));
    const decoded = decodeRecord(record, 0);
    assert.equal(decoded.kind, 'record');
    assert.equal(decoded.kind === 'record' && decoded.txId, 42);
    record[HEADER_BYTES + 1]! ^= 0x04;
    assert.deepEqual(decodeRecord(record, 0), { kind: 'damaged', reason: 'checksum mismatch', end: record.length });
  });

  it('replays acknowledged records in order after reopening, and continues the tx ids', async () => {
    const first = await WriteAheadLog.open(dir);
    const ids = await Promise.all(['a', 'b', 'c'].map(s => first.wal.append(Buffer.from(s))));
    assert.deepEqual(ids, [1, 2, 3]);
    await first.wal.close();
    const second = await WriteAheadLog.open(dir);
    assert.deepEqual(second.records.map(r => [r.txId, text(r.payload)]), [[1, 'a'], [2, 'b'], [3, 'c']]);
    assert.equal(await second.wal.append(Buffer.from('d')), 4);
    await second.wal.close();
  });

  it('writes a payload given in pieces as one record of their bytes, and counts the pieces against the limit', async () => {
    const first = await WriteAheadLog.open(dir);
    const views = new Float64Array([1.5, -2, 3e300]);
    const pieces = [Buffer.from('head'), new Uint8Array(0), new Uint8Array(views.buffer, 8, 16), Buffer.from('tail')];
    assert.equal(await first.wal.append(pieces), 1);
    const half = Buffer.alloc(MAX_PAYLOAD_BYTES / 2 + 1);
    await assert.rejects(first.wal.append([half, half]), /cannot take this in one write/);
    assert.equal(await first.wal.append(Buffer.from('after')), 2);
    await first.wal.close();
    const second = await WriteAheadLog.open(dir);
    const expected = Buffer.concat([Buffer.from('head'), Buffer.from(views.buffer, 8, 16), Buffer.from('tail')]);
    assert.deepEqual(second.records.map(r => [r.txId, r.payload]), [[1, expected], [2, Buffer.from('after')]]);
    assert.deepEqual(readFileSync(join(dir, segmentName(1))).subarray(0, HEADER_BYTES + expected.length), encodeRecord(1, expected));
    await second.wal.close();
  });

  it('refuses a write bigger than recovery reads, with a sentence, and goes on logging', async () => {
    // Recovery stops at a record over MAX_PAYLOAD_BYTES as damage: acknowledged, such a write would be lost.
    const first = await WriteAheadLog.open(dir);
    await assert.rejects(first.wal.append(Buffer.alloc(MAX_PAYLOAD_BYTES + 1)), /cannot take this in one write: it holds 257 MiB, and a write may hold at most 256 MiB/);
    assert.equal(await first.wal.append(Buffer.from('after')), 1);
    await first.wal.close();
    const second = await WriteAheadLog.open(dir);
    assert.deepEqual(second.records.map(r => [r.txId, text(r.payload)]), [[1, 'after']]);
    await second.wal.close();
  });

  it('commits concurrent appends in groups: fewer syncs than appends', async () => {
    const { wal } = await WriteAheadLog.open(dir);
    const handle = (wal as unknown as { handle: { datasync(): Promise<void> } }).handle;
    let syncs = 0;
    const original = handle.datasync.bind(handle);
    handle.datasync = async () => {
      syncs++;
      await original();
    };
    const ids = await Promise.all(Array.from({ length: 200 }, (_, i) => wal.append(Buffer.from(`r${i}`))));
    assert.deepEqual(ids, Array.from({ length: 200 }, (_, i) => i + 1));
    assert.ok(syncs < 20, `200 concurrent appends took ${syncs} syncs`);
    await wal.close();
  });

  it('cuts off a torn tail (a record the writer did not finish) and keeps everything before it', async () => {
    const { wal } = await WriteAheadLog.open(dir);
    await wal.append(Buffer.from('kept'));
    await wal.close();
    const file = join(dir, segmentName(1));
    const intact = statSync(file).size;
    appendFileSync(file, encodeRecord(2, Buffer.from('lost in the crash')).subarray(0, 25));
    const reopened = await WriteAheadLog.open(dir);
    assert.deepEqual(reopened.records.map(r => text(r.payload)), ['kept']);
    assert.equal(reopened.truncatedTailBytes, 25);
    assert.equal(reopened.corruption, undefined);
    assert.equal(statSync(file).size, intact);
    assert.equal(await reopened.wal.append(Buffer.from('next')), 2);
    await reopened.wal.close();
  });

  it('treats zeros after the last record as a torn tail', async () => {
    const { wal } = await WriteAheadLog.open(dir);
    await wal.append(Buffer.from('kept'));
    await wal.close();
    appendFileSync(join(dir, segmentName(1)), Buffer.alloc(4096));
    const reopened = await WriteAheadLog.open(dir);
    assert.equal(reopened.records.length, 1);
    assert.equal(reopened.truncatedTailBytes, 4096);
    await reopened.wal.close();
  });

  it('reports a damaged record in the middle with file and offset, keeps the records before, refuses writes', async () => {
    const { wal } = await WriteAheadLog.open(dir);
    for (const s of ['one', 'two', 'three']) await wal.append(Buffer.from(s));
    await wal.close();
    const file = join(dir, segmentName(1));
    const bytes = readFileSync(file);
    const secondOffset = HEADER_BYTES + 3;
    bytes[secondOffset + HEADER_BYTES]! ^= 0xff; // Damage the payload of record 2.
    writeFileSync(file, bytes);
    const reopened = await WriteAheadLog.open(dir);
    assert.deepEqual(reopened.records.map(r => text(r.payload)), ['one']);
    assert.ok(reopened.corruption instanceof WalCorruptionError);
    assert.equal(reopened.corruption.offset, secondOffset);
    assert.match(reopened.corruption.message, new RegExp(`wal-0+1\\.log is damaged at byte ${secondOffset} \\(checksum mismatch\\)`));
    await assert.rejects(reopened.wal.append(Buffer.from('x')), WalCorruptionError);
    assert.equal(statSync(file).size, bytes.length, 'a damaged log must not be truncated or appended to');
    await reopened.wal.close();
  });

  it('rotates to a new segment, replays across segments, and removes segments a checkpoint covers', async () => {
    const { wal } = await WriteAheadLog.open(dir);
    await wal.append(Buffer.from('one'));
    await wal.append(Buffer.from('two'));
    await wal.rotate();
    await wal.append(Buffer.from('three'));
    assert.equal(wal.segmentCount, 2);
    await wal.close();
    const reopened = await WriteAheadLog.open(dir);
    assert.deepEqual(reopened.records.map(r => `${r.txId}:${r.payload.toString()}`), ['1:one', '2:two', '3:three']);
    assert.equal(await reopened.wal.removeSegmentsThrough(1), 0, 'segment 1 still holds tx 2');
    assert.equal(await reopened.wal.removeSegmentsThrough(2), 1);
    await reopened.wal.rotate();
    assert.equal(await reopened.wal.removeSegmentsThrough(3), 1);
    await reopened.wal.close();
    // With every record removed, tx ids continue after the newest segment's first id rather than restarting at 1.
    const last = await WriteAheadLog.open(dir);
    assert.deepEqual(last.records, []);
    assert.equal(await last.wal.append(Buffer.from('four')), 4);
    await last.wal.close();
  });

  it('keeps every acknowledged write across kill -9 at random moments', async () => {
    const acked = new Map<number, number>(); // txId → seq
    for (let round = 0; round < 8; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'test', 'support', 'walCrashWriter.ts'), dir], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const target = 20 + Math.floor(Math.random() * 400);
      let count = 0;
      const exited = new Promise(resolve => child.once('exit', resolve));
      await new Promise<void>(resolve => {
        createInterface({ input: child.stdout! }).on('line', line => {
          const [kind, txId, seq] = line.split(' ');
          if (kind !== 'ack') return;
          acked.set(Number(txId), Number(seq));
          if (++count === target) {
            child.kill('SIGKILL');
            resolve();
          }
        });
      });
      await exited;
      const { wal, records, corruption } = await WriteAheadLog.open(dir);
      await wal.close();
      assert.equal(corruption, undefined, `round ${round}: ${corruption?.message}`);
      const byTx = new Map(records.map(r => [r.txId, JSON.parse(text(r.payload)).seq as number]));
      for (const [txId, seq] of acked) assert.equal(byTx.get(txId), seq, `round ${round}: acknowledged tx ${txId} lost`);
      // Tx ids are contiguous: nothing unacknowledged is half there, nothing is duplicated.
      records.forEach((r, i) => assert.equal(r.txId, i + 1));
    }
  });
});
