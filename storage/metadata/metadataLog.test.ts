import * as assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { random } from '../../test/support/random';
import { decodeRecord, encodeRecord } from '../wal/walRecord';
import { RECORD_BUDGET_BYTES, splitChanges } from './metadataChunks';
import { MetadataCorruptionError, MetadataLog } from './metadataLog';
import { MetadataStore, type StoredFrame } from './metadataStore';

/** Frames of every kind a store holds: V8's (no start line), pprof's (a start line), native (module, address). */
const FRAMES: StoredFrame[] = [
  { functionName: 'main', file: '/src/main.js', line: 3, column: 7, module: 'app', address: 0 },
  { functionName: 'work', file: '/src/work.js', line: 9, column: 7, module: 'app', address: 0, functionLine: 2 },
  { functionName: 'memcpy', file: '', line: 0, column: 0, module: 'libc.so.6', address: 4096 },
  { functionName: 'ünïcode "quoted"', file: '/src/main.js', line: 12, column: 1, module: '', address: 0 },
];

/** Adds `count` random stacks over the interned frames, 1 to 200 frames deep (so that several slabs fill). */
function addStacks(metadata: MetadataStore, count: number, seed: number): void {
  const next = random(seed);
  for (let s = 0; s < count; s++) {
    const depth = 1 + Math.floor(next() * 200);
    metadata.internStack(Array.from({ length: depth }, () => 1 + Math.floor(next() * metadata.frameCount)));
  }
}

/** Every frame and stack, as plain values, for comparing two stores. */
function contents(metadata: MetadataStore): { frames: StoredFrame[]; stacks: number[][] } {
  return {
    frames: Array.from({ length: metadata.frameCount }, (_, i) => metadata.frame(i + 1)),
    stacks: Array.from({ length: metadata.stackCount }, (_, i) => [...metadata.stack(i + 1)]),
  };
}

/** The payload of each record in the file, in order. */
function payloads(file: string): Buffer[] {
  const bytes = readFileSync(file);
  const found: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const decoded = decodeRecord(bytes, offset);
    assert.equal(decoded.kind, 'record');
    if (decoded.kind !== 'record') break;
    found.push(decoded.payload);
    offset = decoded.end;
  }
  return found;
}

const isJson = (payload: Buffer): boolean => payload[0] === '{'.charCodeAt(0);

describe('metadata log', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-metadata-log-'));
    file = join(dir, 'metadata.log');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes stacks as binary records and reads every frame and stack back as interned', async () => {
    const { log, metadata } = await MetadataLog.open(file);
    for (const frame of FRAMES.slice(0, 2)) metadata.internFrame(frame);
    addStacks(metadata, 1_000, 1);
    metadata.internStack([]);
    await log.persist(metadata);
    for (const frame of FRAMES.slice(2)) metadata.internFrame(frame);
    // Over 65,536 ids: the second record's stacks span several of the store's slabs.
    addStacks(metadata, 2_000, 2);
    await log.persist(metadata);
    await log.close();
    const records = payloads(file);
    assert.equal(records.length, 2);
    assert.ok(!records.some(isJson), 'no record is JSON');
    const written = contents(metadata);
    assert.deepEqual(contents(await MetadataLog.readOnly(file)), written);
    const reopened = await MetadataLog.open(file);
    await reopened.log.close();
    assert.deepEqual(contents(reopened.metadata), written);
  });

  it('reads the JSON records of earlier versions and appends binary ones after them, reading the whole back', async () => {
    // A record exactly as the JSON writer wrote it (each stack an array of numbers).
    const old = { firstFrameId: 1, frames: FRAMES.slice(0, 3), firstStackId: 1, stacks: [[1], [2, 1], [3, 2, 1]] };
    writeFileSync(file, encodeRecord(1, Buffer.from(JSON.stringify(old), 'utf8')));
    const { log, metadata } = await MetadataLog.open(file);
    assert.deepEqual(contents(metadata), { frames: old.frames, stacks: old.stacks });
    metadata.internFrame(FRAMES[3]!);
    addStacks(metadata, 500, 3);
    await log.persist(metadata);
    await log.close();
    assert.deepEqual(payloads(file).map(isJson), [true, false]);
    const written = contents(metadata);
    assert.deepEqual(contents(await MetadataLog.readOnly(file)), written);
    const reopened = await MetadataLog.open(file);
    await reopened.log.close();
    assert.deepEqual(contents(reopened.metadata), written);
  });

  it('cuts off an unfinished binary record at the end, and refuses one whose lengths do not add up, naming its offset', async () => {
    const { log, metadata } = await MetadataLog.open(file);
    for (const frame of FRAMES) metadata.internFrame(frame);
    addStacks(metadata, 100, 4);
    await log.persist(metadata);
    const firstStacks = metadata.stackCount;
    addStacks(metadata, 100, 5);
    await log.persist(metadata);
    await log.close();
    const bytes = readFileSync(file);
    const first = decodeRecord(bytes, 0);
    assert.ok(first.kind === 'record');
    const whole = contents(metadata);

    // A checkpoint killed while appending its record: the record is cut off and the one before it stands.
    writeFileSync(file, bytes.subarray(0, bytes.length - 10));
    const torn = await MetadataLog.open(file);
    await torn.log.close();
    assert.deepEqual(contents(torn.metadata), { frames: whole.frames, stacks: whole.stacks.slice(0, firstStacks) });
    assert.equal(readFileSync(file).length, first.end, 'the unfinished record is truncated');

    // A whole, checksummed record whose stack counts disagree with its size (a writer's bug, not a torn write).
    const payload = Buffer.from(first.payload);
    const header = JSON.parse(payload.toString('utf8', 8, 8 + payload.readUInt32LE(4))) as { stacks: { count: number } };
    const lying = payload.toString('utf8', 8, 8 + payload.readUInt32LE(4)).replace(`"count":${header.stacks.count}`, `"count":${header.stacks.count + 1}`);
    payload.write(lying, 8, 'utf8');
    appendFileSync(file, encodeRecord(2, payload));
    await assert.rejects(MetadataLog.readOnly(file), (error: unknown) =>
      error instanceof MetadataCorruptionError && error.offset === first.end && /expected/.test(error.message));

    // A record in a format this version does not know.
    writeFileSync(file, Buffer.concat([bytes.subarray(0, first.end), encodeRecord(2, Buffer.from([9, 0, 0, 0, 0, 0, 0, 0]))]));
    await assert.rejects(MetadataLog.readOnly(file), (error: unknown) =>
      error instanceof MetadataCorruptionError && error.offset === first.end && /unknown metadata record format 9/.test(error.message));
  });
  it('writes a checkpoint too big for one record as several, each under the budget, read back whole', async () => {
    // 17 million frame ids (68 MB as uint32) in one checkpoint: one record would pass the 64 MB budget, and a profile
    // four times bigger would pass the 256 MB the reader takes for damage, leaving a store that cannot be opened.
    const { log, metadata } = await MetadataLog.open(file);
    for (const frame of FRAMES) metadata.internFrame(frame);
    const depth = 17_000;
    // Distinct stacks: the first six frames spell the stack's number in base 4.
    const frameAt = (s: number, i: number): number => 1 + ((Math.floor(s / 4 ** (i % 6)) + i) % FRAMES.length);
    for (let s = 0; s < 1000; s++) metadata.internStack(Array.from({ length: depth }, (_, i) => frameAt(s, i)));
    assert.equal(metadata.stackCount, 1000);
    await log.persist(metadata);
    metadata.internStack([1, 2, 3]);
    await log.persist(metadata);
    await log.close();
    const sizes = payloads(file).map(payload => payload.length);
    assert.ok(sizes.length >= 3, `${sizes.length} records`);
    assert.ok(Math.max(...sizes) <= RECORD_BUDGET_BYTES + 4 * depth + 4096, `records of ${sizes.join(', ')} bytes`);
    // Compared by a digest of every id in order: a deep comparison of 17 million ids as arrays takes seconds.
    const digest = (read: MetadataStore): string => {
      let hash = 0;
      for (let id = 1; id <= read.stackCount; id++) for (const frame of read.stack(id)) hash = (Math.imul(hash, 31) + frame) | 0;
      return `${read.frameCount} frames, ${read.stackCount} stacks, ${hash}`;
    };
    const reopened = await MetadataLog.open(file);
    assert.equal(digest(reopened.metadata), digest(metadata));
    assert.equal(digest(await MetadataLog.readOnly(file)), digest(metadata));
    // The sequence goes on from the last record: a later checkpoint appends after them and reads back too.
    reopened.metadata.internStack([3, 2, 1]);
    await reopened.log.persist(reopened.metadata);
    await reopened.log.close();
    assert.equal((await MetadataLog.readOnly(file)).stackCount, 1002);
  });

  it('splits changes into pieces that apply to the same metadata as the whole', () => {
    const whole = new MetadataStore();
    for (const frame of FRAMES) whole.internFrame(frame);
    addStacks(whole, 3000, 7);
    for (const budget of [1, 600, 50_000, Infinity]) {
      const pieces = splitChanges(whole.changesSince(0, 0), budget);
      const rebuilt = new MetadataStore();
      for (const piece of pieces) rebuilt.apply(piece);
      assert.deepEqual(contents(rebuilt), contents(whole), `budget ${budget}`);
      if (budget === Infinity) assert.equal(pieces.length, 1);
      if (budget === 1) assert.equal(pieces.length, FRAMES.length + whole.stackCount, 'one item a piece when every item passes the budget');
    }
  });
});
