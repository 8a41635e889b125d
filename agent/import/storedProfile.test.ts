import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq, executePlan, scan } from '../../storage/query';
import { labelKeys } from '../queries/labels/labelQueries';
import { Store } from '../../storage/store';
import { corpusDir } from '../../test/support/corpus';
import { parseProfileBytes } from './detectFormat';
import { importProfileBytes, profileIdOf } from './importFile';
import { gunzipIfCompressed } from '../readProfileFile';
import { importToStore, plannedWrites } from './importToStore';
import { PROFILE_ROWS_LABEL, storedProfileState } from './storedProfile';

async function rowsOf(store: Store, profileId: string): Promise<number> {
  const snapshot = store.snapshot();
  try {
    const plan = scan().where(eq('labels.profile_id', profileId)).aggregate([], [count('rows')]).build();
    const { table } = await executePlan(plan, snapshot);
    return Number(table.getChild('rows')?.get(0) ?? 0);
  } finally {
    snapshot.release();
  }
}

/**
 * A profile stored in several writes is told from one cut short by an agent killed between its writes: the cut
 * one is imported again, whole, rather than skipped as "already stored" with part of its samples missing.
 */
describe('stored profiles, whole or cut short', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-stored-profile-'));
    store = await Store.open(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports again a two-type pprof of which only the first write was stored', async () => {
    const bytes = gunzipIfCompressed(readFileSync(join(corpusDir(), 'pprof', 'fib.pb.gz')), 'fib.pb.gz');
    const profileId = profileIdOf(bytes);
    const { format, profiles } = parseProfileBytes(bytes, 'fib.pb.gz', { startMs: 0 });
    const whole = plannedWrites(profiles[0]!);
    assert.equal(whole.writes, 2, 'samples and CPU time: one write each');
    // What an agent killed after the first write leaves: the first value type only, marked with the whole count.
    const first = { ...profiles[0]!, valueTypes: profiles[0]!.valueTypes.slice(0, 1), sampleValues: profiles[0]!.sampleValues.slice(0, 1) };
    await importToStore(store, first, { source: 'fib.pb.gz', format, profile_id: profileId, [PROFILE_ROWS_LABEL]: String(whole.rows) });
    assert.equal(await storedProfileState(store, profileId), 'partial');

    const again = await importProfileBytes(store, bytes, 'fib.pb.gz', {});
    assert.equal(again.alreadyStored, false, 'a profile stored in part is not "already stored"');
    assert.equal(again.rows, whole.rows);
    assert.equal(await rowsOf(store, profileId), whole.rows, 'the cut-short rows were replaced, not added to');
    assert.equal(await storedProfileState(store, profileId), 'whole');
    assert.equal((await importProfileBytes(store, bytes, 'fib.pb.gz', {})).alreadyStored, true);
    // The bookkeeping label filters like any other but is not offered to users.
    const snapshot = store.snapshot();
    assert.ok(!(await labelKeys(snapshot)).includes(PROFILE_ROWS_LABEL));
    snapshot.release();
  });

  it('stores a profile that fits one write without the mark, and finds it whole', async () => {
    const bytes = readFileSync(join(corpusDir(), 'cpuprofile', 'simple.cpuprofile'));
    const imported = await importProfileBytes(store, bytes, 'simple.cpuprofile', {});
    assert.ok(imported.rows > 0);
    assert.equal(store.snapshot().columnNames().includes(`labels.${PROFILE_ROWS_LABEL}`), false);
    assert.equal(await storedProfileState(store, imported.profileId), 'whole');
    assert.equal(await storedProfileState(store, 'ffffffffffffffff'), 'absent');
  });
});
