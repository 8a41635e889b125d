import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from './store';
import { readRows, simpleWrite, stackOf } from '../test/support/sampleData';

/** Deleting a selection (a recorded run) from a real store on disk: blocks rewritten, nothing else touched. */
describe('store deleteWhere', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-store-delete-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('deletes the selected rows from blocks and from memory, keeps every other row, and survives a reopen', async () => {
    const store = await Store.open(dir, { replacedBlockGraceMs: 0 });
    const stack = stackOf(store, 'main;work');
    // Run a in two blocks (alone, and mixed with run b), then both in the active part: every case of a block.
    await store.write(simpleWrite(stack, 5, { session_id: 'a', branch: 'main' }, 1000));
    await store.flush();
    await store.write(simpleWrite(stack, 3, { session_id: 'a', branch: 'main' }, 2000));
    await store.write(simpleWrite(stack, 4, { session_id: 'b', branch: 'main' }, 2000, 7));
    await store.flush();
    await store.write(simpleWrite(stack, 2, { session_id: 'b' }, 3000, 7));
    await store.write(simpleWrite(stack, 6, { session_id: 'a' }, 3000));
    await store.write(simpleWrite(stack, 1, { source: 'imported.cpuprofile' }, 4000, 100));
    const blocksBefore = readdirSync(join(dir, 'blocks')).sort();

    assert.equal(await store.deleteWhere({ matchers: [{ key: 'session_id', op: '=', value: 'a' }] }), 14);
    const remaining = async (s: Store) => {
      const snapshot = s.snapshot();
      try {
        return (await readRows(snapshot, ['labels.session_id', 'labels.source', 'value'])).map(r => `${r['labels.session_id'] ?? r['labels.source']}:${r['value']}`).sort();
      } finally {
        snapshot.release();
      }
    };
    const expected = [...Array(6).fill('b:7'), 'imported.cpuprofile:100'].sort();
    assert.deepEqual(await remaining(store), expected);
    // The block holding only run a is gone, the mixed one replaced; no file is left over.
    const blocksAfter = readdirSync(join(dir, 'blocks')).sort();
    assert.ok(!blocksAfter.includes(blocksBefore[0]!), 'the block of run a alone was deleted');
    assert.equal(blocksAfter.length, store.stats().blocks);
    // Deleting what is no longer there deletes nothing.
    assert.equal(await store.deleteWhere({ matchers: [{ key: 'session_id', op: '=', value: 'a' }] }), 0);
    await store.close();

    const reopened = await Store.open(dir);
    assert.deepEqual(await remaining(reopened), expected);
    await reopened.close();
  });

  it('refuses an empty selection, which would delete everything', async () => {
    const store = await Store.open(dir);
    await assert.rejects(store.deleteWhere({ matchers: [] }), /needs a selection/);
    await store.close();
  });

  it('moves the deletion generation when rows leave (deletion, retention), not when they move (flush, compaction)', async () => {
    const store = await Store.open(dir, { replacedBlockGraceMs: 0, retentionMaxAgeMs: 60_000 });
    const stack = stackOf(store, 'main;work');
    const generations: Record<string, number> = { opened: store.deletionGeneration };
    await store.write(simpleWrite(stack, 5, { session_id: 'a' }, Date.now()));
    await store.flush();
    await store.write(simpleWrite(stack, 3, { session_id: 'b' }, Date.now()));
    await store.flush();
    generations['written and flushed'] = store.deletionGeneration;
    assert.equal(await store.compact(), 1);
    generations['compacted'] = store.deletionGeneration;
    assert.equal(await store.deleteWhere({ matchers: [{ key: 'session_id', op: '=', value: 'nobody' }] }), 0);
    generations['nothing deleted'] = store.deletionGeneration;
    assert.equal(await store.deleteWhere({ matchers: [{ key: 'session_id', op: '=', value: 'a' }] }), 5);
    generations['deleted'] = store.deletionGeneration;
    assert.equal(await store.applyRetention(Date.now() + 3_600_000), 1);
    generations['retained away'] = store.deletionGeneration;
    assert.deepEqual(generations, { opened: 0, 'written and flushed': 0, compacted: 0, 'nothing deleted': 0, deleted: 1, 'retained away': 2 });
    await store.close();
  });
});
