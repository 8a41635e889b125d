import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COLUMN } from '../../storage/schema';
import { executePlan, max, min, scan, selectionPredicate } from '../../storage/query';
import { Store } from '../../storage/store';
import { corpusDir } from '../../test/support/corpus';
import { openProfileThroughStore } from '../profileLibrary';
import { storeRecordedProfile } from '../recording/storeRecordedProfile';
import { importProfileBytes, importProfileFile } from './importFile';
import { ProfileBuilder } from './importedProfile';
import { placeProfiles } from './timeAnchor';
import type { V8CpuProfile } from '../../common/protocol/probeProtocol';

const corpus = corpusDir();
/** A V8 profile: startTime and endTime are microseconds of a monotonic clock, 22 s apart. */
const SUCRASE = join(corpus, 'cpuprofile', 'sucrase.cpuprofile');
const v8 = JSON.parse(readFileSync(SUCRASE, 'utf8')) as { startTime: number; endTime: number; timeDeltas: number[] };
const durationMs = (v8.endTime - v8.startTime) / 1000;
/** When the file was written, in this test: a fixed moment well in the past. */
const WRITTEN_MS = Date.UTC(2026, 0, 15, 9, 30, 0);

/** First and last sample time of a profile in a store, ms since the epoch. */
async function sampleSpan(store: Store, profileId: string): Promise<{ first: number; last: number }> {
  const source = store.snapshot();
  try {
    const plan = scan([COLUMN.timestamp, 'labels.profile_id'])
      .where(selectionPredicate({ matchers: [{ key: 'profile_id', op: '=', value: profileId }] }))
      .aggregate([], [min(COLUMN.timestamp, 'first'), max(COLUMN.timestamp, 'last')])
      .build();
    const { table } = await executePlan(plan, source);
    return { first: table.getChild('first')!.get(0) as number, last: table.getChild('last')!.get(0) as number };
  } finally {
    source.release();
  }
}

describe('imported profiles keep their own clock', function () {
  this.timeout(60_000);
  let dir: string;
  const stores: Store[] = [];
  const openStore = async (name: string): Promise<Store> => {
    const store = await Store.open(join(dir, name));
    stores.push(store);
    return store;
  };
  before(() => (dir = mkdtempSync(join(tmpdir(), 'icicle-time-'))));
  after(async () => {
    for (const store of stores) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a .cpuprofile file ends when it was written, and importing it again (another store, later) gives the same times', async () => {
    const file = join(dir, 'sucrase.cpuprofile');
    copyFileSync(SUCRASE, file);
    utimesSync(file, WRITTEN_MS / 1000, WRITTEN_MS / 1000);
    const first = await importProfileFile(await openStore('a'), file, 'sucrase.cpuprofile', {});
    const spanA = await sampleSpan(stores[0]!, first.profileId);
    // The last sample is at most one sampling interval before the end; the first is the profile's first delta after its start.
    const lastDelta = v8.endTime - v8.startTime - v8.timeDeltas.reduce((a, b) => a + b, 0);
    assert.equal(spanA.last, Math.round(WRITTEN_MS - lastDelta / 1000), 'the last sample, by the file\'s time');
    assert.ok(Math.abs(spanA.first - (WRITTEN_MS - durationMs + v8.timeDeltas[0]! / 1000)) <= 1, `the first sample, ${durationMs} ms before`);
    const again = await importProfileFile(await openStore('b'), file, 'sucrase.cpuprofile', {});
    assert.deepEqual(await sampleSpan(stores[1]!, again.profileId), spanA, 'the same times when imported again');
  });

  it('never ends in the future: a file written "later" than now, or text without a file, ends now at the latest', async () => {
    const store = await openStore('c');
    const future = join(dir, 'future.cpuprofile');
    writeFileSync(future, readFileSync(join(corpus, 'cpuprofile', 'simple.cpuprofile')));
    const tomorrow = Date.now() + 86_400_000;
    utimesSync(future, tomorrow / 1000, tomorrow / 1000);
    const fromFile = await importProfileFile(store, future, 'future.cpuprofile', {});
    assert.ok((await sampleSpan(store, fromFile.profileId)).last <= Date.now(), 'a file from the future');
    const text = readFileSync(join(corpus, 'cpuprofile', 'example.cpuprofile'), 'utf8');
    const opened = await openProfileThroughStore(store, text, 'example.cpuprofile');
    assert.ok(opened.timeline !== undefined && opened.timeline.span.endMs <= Date.now(), 'text sent by the editor');
  });

  it('a probe chunk starts when the probe says it started', async () => {
    const store = await openStore('d');
    const startMs = Date.UTC(2026, 1, 1);
    const chunk = await storeRecordedProfile(store, { format: 'v8', profile: JSON.parse(readFileSync(SUCRASE, 'utf8')) as V8CpuProfile, startMs, labels: {}, droppedChunks: 0 });
    assert.equal((await sampleSpan(store, chunk.profileId)).first, Math.round(startMs + v8.timeDeltas[0]! / 1000));
  });

  it('a pprof file with time_nanos keeps it; one without is placed like any file, not at 1970', async () => {
    const store = await openStore('e');
    const withTime = await importProfileBytes(store, readFileSync(join(corpus, 'pprof', 'simple.prof')), 'simple.prof', {}, { anchor: { endMs: WRITTEN_MS } });
    assert.equal((await sampleSpan(store, withTime.profileId)).first, 1537130863469, 'time_nanos');
    const builder = new ProfileBuilder('pprof', [{ profileType: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', unit: 'nanoseconds' }]);
    builder.sample(builder.stack([builder.frame({ name: 'main', file: '', line: 0, column: 0, module: '', address: 0 })]), [10]);
    const [placed] = placeProfiles([builder.build({ durationNs: 5e9 })], { endMs: WRITTEN_MS });
    assert.equal(placed!.startMs, WRITTEN_MS - 5000, 'a 5 s profile without time_nanos ends at the anchor');
  });
});
