import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPOOL_SUFFIX, type IngestProfileParams } from '../../common/protocol/probeProtocol';
import { count, eq, executePlan, scan } from '../../storage/query';
import { Store } from '../../storage/store';
import { syntheticChunk } from '../../test/support/syntheticChunk';
import { CHUNK_LABEL } from './ingestChunk';
import { RecordingHub } from './recordingHub';
import { SpoolIngester } from './spoolIngester';

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

  const chunk = (i: number, session: string, chunkKey?: string): IngestProfileParams => ({
    profile: syntheticChunk(i, 500),
    startMs: 1_700_000_000_000 + i,
    labels: { session_id: session, pid: '42', runtime: 'node' },
    droppedChunks: 0,
    ...(chunkKey === undefined ? {} : { chunkKey }),
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

  it('keys a chunk by the probe, not by its bytes: a copy serialised differently is the same chunk', async () => {
    const params = chunk(2, 'reserialised', 'run-b:7');
    const respaced = { ...params, profile: JSON.stringify(JSON.parse(params.profile), null, 1) };
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
});
