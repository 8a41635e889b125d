import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../../storage/store';
import { corpusDir } from '../../../test/support/corpus';
import { importProfileBytes } from '../../import/importFile';
import { queryView } from './viewQueries';
import { ViewWorkerClient } from './viewWorkerClient';

const text = readFileSync(join(corpusDir(), 'cpuprofile', 'sucrase.cpuprofile'), 'utf8');
const selector = '{runtime="node"}';

/** Polls `condition` until it holds or `timeoutMs` passes (the machine may be loaded: no fixed sleeps). */
async function until(condition: () => boolean, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20));
  return condition();
}

/**
 * The view query worker against a real store: a query answers from the snapshot taken when it was asked, whose
 * blocks stay on disk until the worker answers, whatever is deleted meanwhile; a worker that dies fails its query
 * with a sentence and the next query is answered by a new one.
 */
describe('view query worker', function () {
  // Real profiles imported and a worker thread started (through tsx): seconds on a loaded machine.
  this.timeout(60_000);
  let dir: string;
  let store: Store;
  let client: ViewWorkerClient;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-view-worker-'));
    store = await Store.open(dir, { replacedBlockGraceMs: 0 });
    client = new ViewWorkerClient(store);
    await importProfileBytes(store, Buffer.from(text), 'a.cpuprofile', { runtime: 'node', session_id: 'a' }, { sourceMaps: false });
    await store.flush();
    await importProfileBytes(store, Buffer.from(`${text}\n`), 'b.cpuprofile', { runtime: 'node', session_id: 'b' }, { sourceMaps: false });
    await store.flush();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a query from its snapshot while a deletion is acknowledged, and the next one without the deleted rows', async () => {
    const blocksDir = join(dir, 'blocks');
    const filesBefore = readdirSync(blocksDir);
    const whole = await queryView(store, { selector }, 0.005, { cache: false });
    const release = client.holdForTest();
    const running = client.query({ selector }, 0.005);
    const deleted = await store.deleteWhere({ matchers: [{ key: 'session_id', op: '=', value: 'b' }] });
    assert.ok(deleted > 0, 'the deletion took rows away');
    // Acknowledged while the query waits in the worker: its blocks must still be there for it to read.
    assert.deepEqual(filesBefore.filter(file => !existsSync(join(blocksDir, file))), [], 'no block of the running query was deleted');
    release();
    assert.deepEqual(await running, whole, 'the running query answers from its snapshot, with the deleted rows');
    const after = await client.query({ selector }, 0.005);
    assert.deepEqual(after, await queryView(store, { selector }, 0.005, { cache: false }));
    assert.ok(after.summary.sampleCount < whole.summary.sampleCount, `the next query does not see the deleted rows (${after.summary.sampleCount} of ${whole.summary.sampleCount})`);
    // Once answered, the snapshot is released and the replaced blocks go.
    assert.ok(await until(() => filesBefore.some(file => !existsSync(join(blocksDir, file)))), 'the replaced blocks are deleted once the query ended');
  });

  it('fails a query whose worker dies with a sentence, and answers the next one from a new worker', async () => {
    await client.query({ selector }, 0.005);
    client.holdForTest();
    const running = client.query({ selector, timeRange: { startMs: 0, endMs: Date.now() } }, 0.005);
    await client.stopWorker();
    await assert.rejects(running, (error: Error) => {
      assert.match(error.message, /^The view query was cut short: the agent's query worker stopped \(exit code \d+\)\. Ask again; a new worker will answer\.$/);
      return true;
    });
    // Asked after a new import: the new worker must be sent the whole metadata, not what the dead one lacked.
    await importProfileBytes(store, Buffer.from(`${text}\n\n`), 'c.cpuprofile', { runtime: 'node', session_id: 'c' }, { sourceMaps: false });
    assert.deepEqual(await client.query({ selector }, 0.005), await queryView(store, { selector }, 0.005, { cache: false }));
  });

  it('runs its threads at a lower priority than the calling thread (Linux: a nice value per thread)', async function () {
    if (process.platform !== 'linux') this.skip();
    await client.query({ selector }, 0.005);
    const niceOf = (task: string): number => Number(readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    const nice = readdirSync('/proc/self/task').map(niceOf);
    assert.equal(niceOf(String(process.pid)), 0, 'the calling thread keeps its priority');
    assert.ok(nice.some(n => n > 0), `a thread of the worker runs at a lower priority (nice values ${nice.join(', ')})`);
  });

  it('stops with its store: a query the worker holds fails, and the store closes', async () => {
    client.holdForTest();
    const running = client.query({ selector }, 0.005);
    await store.close();
    await assert.rejects(running, /The view query was cut short: the agent's query worker stopped/);
    await assert.rejects(client.query({ selector }, 0.005), /the store is closed/);
  });
});
