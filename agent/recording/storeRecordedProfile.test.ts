import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SamplesStoredNotification } from '../../common/protocol/agentProtocol';
import { SPOOL_SUFFIX, type IngestProfileParams, type SpanWallTime } from '../../common/protocol/probeProtocol';
import { selectorMayMatch } from '../../common/selectorMatch';
import { SPAN_WALL_TIME_PROFILE_TYPE } from '../../common/profileTypes';
import { and, count, eq, executePlan, groupKey, scan, sum } from '../../storage/query';
import { Store } from '../../storage/store';
import { syntheticChunk } from '../../test/support/syntheticChunk';
import { CHUNK_LABEL, storeRecordedProfile } from './storeRecordedProfile';
import { RecordingHub } from './recordingHub';
import { SpoolIngester } from './spoolIngester';

type V8Params = Extract<IngestProfileParams, { format: 'v8' }>;

async function storedRows(store: Store, session: string): Promise<number> {
  const snapshot = store.snapshot();
  try {
    const plan = scan().where(eq('labels.session_id', session)).aggregate([], [count('rows')]).build();
    const { table } = await executePlan(plan, snapshot);
    return Number(table.getChild('rows')?.get(0) ?? 0);
  } finally {
    snapshot.release();
  }
}

/**
 * A chunk in flight when its program exits reaches the agent twice at once: over the socket and from the spool.
 * Before chunks had keys checked in the store's write, both copies were looked up, both found absent, and both
 * stored (the run's CPU time doubled).
 */
describe('ingesting a recorded chunk exactly once', function () {
  this.timeout(60_000);
  let dir: string;
  let store: Store;
  let hub: RecordingHub;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-ingest-once-'));
    store = await Store.open(join(dir, 'store'));
    hub = new RecordingHub(store);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const chunk = (i: number, session: string, chunkKey?: string): V8Params => ({
    format: 'v8',
    profile: syntheticChunk(i, 500),
    startMs: 1_700_000_000_000 + i,
    labels: { session_id: session, pid: '42', runtime: 'node' },
    droppedChunks: 0,
    ...(chunkKey === undefined ? {} : { chunkKey }),
  });

  it('tells listeners the labels every stored sample carries, once per chunk stored, so views that cannot gain skip it', async () => {
    const heard: SamplesStoredNotification.Params[] = [];
    hub.onStored(stored => heard.push(stored));
    const first = await hub.ingest({ ...chunk(1, 'run-a', 'run-a:1'), labels: { session_id: 'run-a', pid: '42', 'launch.name': 'web' } });
    await hub.ingest(chunk(1, 'run-a', 'run-a:1'));
    assert.equal(heard.length, 1, 'a copy already stored is not announced');
    assert.deepEqual(heard[0], { sessionId: 'run-a', rows: 500, labels: { session_id: 'run-a', pid: '42', launch_name: 'web', profile_id: first.profileId } });
    // The labels are the stored ones: a selector on them finds the chunk's rows in the store.
    assert.equal(await storedRows(store, 'run-a'), 500);
    assert.equal(selectorMayMatch('{session_id="run-a", launch_name="web"}', heard[0]!.labels), true);
    assert.equal(selectorMayMatch('{session_id="run-b"}', heard[0]!.labels), false);
  });

  it('stores a chunk once when the socket and the spool deliver it at the same moment', async () => {
    const params = chunk(1, 'both', 'run-a:1');
    const spool = new SpoolIngester(join(dir, 'spool'), p => hub.ingest(p));
    await spool.start(60_000);
    writeFileSync(join(dir, 'spool', `42-1-0${SPOOL_SUFFIX}`), JSON.stringify(params));
    const [, spooled] = await Promise.all([hub.ingest(params), spool.scan()]);
    spool.stop();
    assert.equal(spooled, 1, 'the spooled copy was taken in (and deleted)');
    assert.equal(await storedRows(store, 'both'), 500, 'stored once');
  });

  it('keys a chunk by the probe, not by its content: a copy that differs is the same chunk', async () => {
    const params = chunk(2, 'reserialised', 'run-b:7');
    const respaced = { ...params, profile: { extra: 1, ...syntheticChunk(2, 500) } };
    const results = await Promise.all([hub.ingest(params), hub.ingest(respaced), hub.ingest(params)]);
    assert.equal(results.filter(r => !r.alreadyStored).length, 1);
    assert.equal(await storedRows(store, 'reserialised'), 500);
    // The rows carry the chunk's key, which says which chunk each sample came in.
    const snapshot = store.snapshot();
    const plan = scan().where(eq(`labels.${CHUNK_LABEL}`, 'run-b:7')).aggregate([], [count('rows')]).build();
    assert.equal(Number((await executePlan(plan, snapshot)).table.getChild('rows')?.get(0)), 500);
    snapshot.release();
  });

  it('stores a keyless chunk (an older probe, a collector) once by its content, also when sent twice at once', async () => {
    const params = chunk(3, 'keyless');
    await Promise.all([hub.ingest(params), hub.ingest(params)]);
    assert.equal(await storedRows(store, 'keyless'), 500);
    // Different chunks with different keys are all stored.
    await Promise.all([hub.ingest(chunk(4, 'keyless', 'run-c:1')), hub.ingest(chunk(5, 'keyless', 'run-c:2'))]);
    assert.equal(await storedRows(store, 'keyless'), 1500);
  });
  it('skips a copy already stored before reading it: a copy whose profile would not even parse is answered as stored', async () => {
    const params = chunk(6, 'unread', 'run-d:1');
    assert.equal((await hub.ingest(params)).alreadyStored, false);
    // The same key with a profile no reader accepts: reading it would throw, so the answer proves it was not read.
    const unreadable: V8Params = { ...params, profile: { nodes: [{ id: 'not a node' }] } };
    await assert.rejects(hub.ingest({ ...unreadable, chunkKey: 'run-d:2' }), /not a readable V8 CPU profile|node/);
    const again = await hub.ingest(unreadable);
    assert.deepEqual([again.alreadyStored, again.rows], [true, 0]);
    assert.equal(await storedRows(store, 'unread'), 500);
  });

  it('answers a large chunk sent again in a fraction of the time its first copy took to store', async () => {
    const params: V8Params = { ...chunk(7, 'large', 'run-e:1'), profile: syntheticChunk(7, 200_000, 400) };
    const first = performance.now();
    await storeRecordedProfile(store, params);
    const firstMs = performance.now() - first;
    const again = performance.now();
    const result = await storeRecordedProfile(store, params);
    const againMs = performance.now() - again;
    assert.equal(result.alreadyStored, true);
    // Reading 200,000 samples takes over a hundred milliseconds; a key lookup well under one. Before, the copy was
    // read whole and only the store's write found its key (measured: the copy took 58% of the first's time).
    assert.ok(againMs < firstMs / 10, `the copy took ${againMs.toFixed(1)} ms, the first ${firstMs.toFixed(1)} ms`);
  });

  it('stores the labels the probe gave each sample (its OpenTelemetry span) as per-row labels', async () => {
    const sets = [
      { trace_id: 'a'.repeat(32), span_id: '1'.repeat(16), http_route: '/users/:id' },
      { trace_id: 'b'.repeat(32), span_id: '2'.repeat(16), http_route: '/orders' },
    ];
    // 500 samples: every third is the first request's, every third the second's, the rest in no span.
    const ofSample = Array.from({ length: 500 }, (_, k) => (k % 3 === 2 ? -1 : k % 3));
    await storeRecordedProfile(store, { ...chunk(1, 'spans', 'spans:1'), sampleLabels: { sets, ofSample } });
    const rowsWhere = async (key: string, value: string): Promise<number> => {
      const snapshot = store.snapshot();
      try {
        const plan = scan().where(eq(`labels.${key}`, value)).aggregate([], [count('rows')]).build();
        return Number((await executePlan(plan, snapshot)).table.getChild('rows')?.get(0) ?? 0);
      } finally {
        snapshot.release();
      }
    };
    assert.equal(await rowsWhere('http_route', '/users/:id'), ofSample.filter(s => s === 0).length);
    assert.equal(await rowsWhere('trace_id', 'b'.repeat(32)), ofSample.filter(s => s === 1).length);
    assert.equal(await storedRows(store, 'spans'), 500, 'samples in no span are stored too');
    // Labels that do not match the samples in number are not theirs: the chunk is stored without them.
    await storeRecordedProfile(store, { ...chunk(2, 'spans', 'spans:2'), sampleLabels: { sets, ofSample: ofSample.slice(1) } });
    assert.equal(await rowsWhere('http_route', '/users/:id'), ofSample.filter(s => s === 0).length);
  });

  it('stores the wall time of the spans a chunk says ended, one row per span with its labels, once however often the chunk arrives', async () => {
    const spans: SpanWallTime[] = [
      { labels: { trace_id: 'a'.repeat(32), span_id: '1'.repeat(16), span_name: 'GET', http_route: '/users/:id' }, startMs: 1_700_000_000_100.25, wallNs: 48_000_000 },
      { labels: { trace_id: 'b'.repeat(32), span_id: '2'.repeat(16), span_name: 'GET' }, startMs: 1_700_000_000_200, wallNs: 7_500_000 },
    ];
    const params = { ...chunk(3, 'walls', 'walls:1'), spanWalls: { spans, dropped: 0 } };
    // Sent and spooled at once: both arrive together.
    const both = await Promise.all([hub.ingest(params), hub.ingest(structuredClone(params))]);
    assert.deepEqual(both.map(r => r.alreadyStored).sort(), [false, true]);
    const snapshot = store.snapshot();
    try {
      const plan = scan()
        .where(and(eq('profile_type', SPAN_WALL_TIME_PROFILE_TYPE), eq('labels.session_id', 'walls')))
        .aggregate([groupKey('labels.trace_id', undefined, 'trace'), groupKey('labels.http_route', undefined, 'route'), groupKey('timestamp', undefined, 'at')], [sum('value', 'wall'), count('rows')])
        .build();
      const { table } = await executePlan(plan, snapshot);
      const rows = Array.from({ length: table.numRows }, (_, i) => ['trace', 'route', 'at', 'wall', 'rows'].map(c => table.getChild(c)?.get(i) as unknown));
      assert.deepEqual(rows.map(r => [r[0], r[1] ?? null, Number(r[2]), Number(r[3]), Number(r[4])]).sort(), [
        ['a'.repeat(32), '/users/:id', 1_700_000_000_100, 48_000_000, 1], // at its start, in whole milliseconds
        ['b'.repeat(32), null, 1_700_000_000_200, 7_500_000, 1],
      ]);
    } finally {
      snapshot.release();
    }
    assert.equal(await storedRows(store, 'walls'), 500 + 2, 'the chunk\'s CPU samples and its two spans');
  });

  it('stores a chunk spooled by a probe from before the format tag (its profile as JSON text), once', async () => {
    const profile = syntheticChunk(8, 500);
    const legacy = { profile: JSON.stringify(profile), startMs: 1_700_000_000_008, labels: { session_id: 'legacy', pid: '42', runtime: 'node' }, droppedChunks: 0, chunkKey: 'run-f:1' };
    const spool = new SpoolIngester(join(dir, 'spool'), p => hub.ingest(p));
    await spool.start(60_000);
    writeFileSync(join(dir, 'spool', `42-1-0${SPOOL_SUFFIX}`), JSON.stringify(legacy));
    assert.equal(await spool.scan(), 1);
    spool.stop();
    assert.equal(await storedRows(store, 'legacy'), 500);
    // The same chunk sent as probes send it now is the same chunk.
    assert.equal((await hub.ingest({ ...chunk(8, 'legacy', 'run-f:1'), profile })).alreadyStored, true);
    assert.equal(await storedRows(store, 'legacy'), 500);
  });
});
