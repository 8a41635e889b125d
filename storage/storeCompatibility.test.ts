import * as assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertGolden } from '../test/support/golden';
import { readRows, simpleWrite, stackOf } from '../test/support/sampleData';
import { MetadataLog } from './metadata/metadataLog';
import type { MetadataStore } from './metadata/metadataStore';
import { Store } from './store';
import { decodeRecord } from './wal/walRecord';

/**
 * A store written by an earlier version of the store (testdata/storeV3: write-ahead-log payloads of version 3, one
 * Parquet block, a metadata log, a manifest) must open and read exactly as that version read it. The directory was
 * written by storage/ as it was at commit 1c1753c; the golden is what that commit read back from it.
 */
/** The columns the fixture's writer knew: a column added since reads as its default and is tested elsewhere. */
const V3_STORE_COLUMNS = ['duration_ns', 'labels.branch', 'labels.profile_id', 'labels.thread', 'line', 'period_ns', 'profile_type', 'stack_id', 'timestamp', 'value'];

describe('store compatibility', function () {
  // The first block read starts the block worker, which takes seconds on a loaded machine.
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-store-v3-'));
    // Opening a store takes its lock and may rewrite its log's tail: work on a copy.
    cpSync(join(__dirname, 'testdata', 'storeV3'), dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens a store whose log holds version 3 payloads and reads every row, frame, stack and key as written', async () => {
    const store = await Store.open(dir, { autoCompactBlocks: 0 });
    assert.equal(store.openReport.replayedTxs, 2);
    assert.equal(store.openReport.walCorruption, undefined);
    const snapshot = store.snapshot();
    const rows = byTime(await readRows(snapshot, V3_STORE_COLUMNS));
    snapshot.release();
    const frames = Array.from({ length: store.metadata.frameCount }, (_, i) => store.metadata.frame(i + 1));
    const stacks = Array.from({ length: store.metadata.stackCount }, (_, i) => [...store.metadata.stack(i + 1)]);
    const again = await store.writeTransaction([], { idempotencyKey: 'chunk:fixture-1' });
    assert.deepEqual(again, { txId: 3, alreadyStored: true });
    // Flushing what the log held writes it to a block (sorted anew): the rows read from blocks only are the same.
    await store.flush();
    const flushed = store.snapshot();
    const rowsFromBlocks = byTime(await readRows(flushed, V3_STORE_COLUMNS));
    flushed.release();
    await store.close();
    assert.deepEqual(rowsFromBlocks, rows);
    assertGolden(join(__dirname, 'testdata', 'storeV3.golden.json'), `${JSON.stringify({ rows, frames, stacks }, null, 1)}\n`);
  });


  it('appends its new frames and stacks after the JSON metadata records it was written with, and reads them all back', async () => {
    const store = await Store.open(dir, { autoCompactBlocks: 0 });
    const before = metadataOf(store.metadata);
    assert.ok(before.stacks.length >= 3, 'the fixture holds stacks in its metadata log');
    const deep = Array.from({ length: 300 }, (_, i) => `f${i % 40}`).join(';');
    const stacks = [stackOf(store, 'main;fresh'), stackOf(store, deep)];
    await store.write({ ...simpleWrite(stacks[0]!, 3, { branch: 'new' }, 1_800_000_000_000), stackIds: [stacks[0]!, stacks[1]!, stacks[0]!] });
    // The checkpoint appends the new frames and stacks to the fixture's metadata log.
    await store.flush();
    const after = metadataOf(store.metadata);
    await store.close();
    assert.deepEqual(after.frames.slice(0, before.frames.length), before.frames);
    assert.deepEqual(after.stacks.slice(0, before.stacks.length), before.stacks);
    assert.equal(after.stacks.length, before.stacks.length + 2);
    // The file now holds the version's JSON records, then a binary one.
    const formats = recordFormats(join(dir, 'metadata.log'));
    assert.equal(formats[0], 'json');
    assert.equal(formats.at(-1), 'binary');
    assert.deepEqual(metadataOf(await MetadataLog.readOnly(join(dir, 'metadata.log'))), after);
    const reopened = await Store.open(dir, { autoCompactBlocks: 0 });
    try {
      assert.deepEqual(metadataOf(reopened.metadata), after);
      const snapshot = reopened.snapshot();
      const rows = await readRows(snapshot, ['stack_id', 'labels.branch']);
      snapshot.release();
      assert.deepEqual(rows.filter(row => row['labels.branch'] === 'new').map(row => row['stack_id']).sort(), [stacks[0], stacks[0], stacks[1]].sort());
    } finally {
      await reopened.close();
    }
  });
});

function metadataOf(metadata: MetadataStore): { frames: unknown[]; stacks: number[][] } {
  return {
    frames: Array.from({ length: metadata.frameCount }, (_, i) => metadata.frame(i + 1)),
    stacks: Array.from({ length: metadata.stackCount }, (_, i) => [...metadata.stack(i + 1)]),
  };
}

/** Each metadata-log record's format, by its payload's first byte ('{' for the JSON of earlier versions). */
function recordFormats(file: string): string[] {
  const bytes = readFileSync(file);
  const formats: string[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const decoded = decodeRecord(bytes, offset);
    if (decoded.kind !== 'record') throw new Error(`no whole record at ${offset}`);
    formats.push(decoded.payload[0] === 0x7b ? 'json' : 'binary');
    offset = decoded.end;
  }
  return formats;
}

/** Rows in time order (every fixture row has its own timestamp): a flush sorts a block's rows by their labels. */
function byTime(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.sort((a, b) => (a['timestamp'] as number) - (b['timestamp'] as number));
}
