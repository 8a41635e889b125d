import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectToAgent } from '../../common/agentConnection';
import { ListRunsRequest, StoreProblemNotification, StoreStatusRequest } from '../../common/protocol/agentProtocol';
import { MetadataLog } from '../../storage/metadata/metadataLog';
import { Store } from '../../storage/store';
import { exited, startBuiltAgent } from '../support/agentProcess';
import { pollUntil } from '../support/poll';
import { random } from '../support/random';
import { busyServer, spawnProfiledProgram } from '../support/profiledProgram';
import { simpleWrite, stackOf, totalValue } from '../support/sampleData';

const FILESYSTEM_MB = 24;

/**
 * The store on a full disk, for real: a small tmpfs mounted by the test (as root), filled to the brim by a file of
 * ballast. Writes must fail with a sentence that says the disk is full, nothing acknowledged may be lost, and once the
 * ballast is deleted, writing must simply work again, in the same process and after a restart.
 */
describe('the store on a full disk', function () {
  this.timeout(120_000);
  let mountPoint: string;
  let mounted = false;

  before(function () {
    if (process.getuid?.() !== 0) this.skip();
    mountPoint = mkdtempSync(join(tmpdir(), 'icicle-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${FILESYSTEM_MB}m,mode=0700`, 'tmpfs', mountPoint]);
    mounted = true;
  });
  after(() => {
    if (mounted) execFileSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('refuses writes with a clear error, loses nothing acknowledged, and writes again when space returns', async () => {
    const dir = join(mountPoint, 'store');
    let store = await Store.open(dir);
    const stack = stackOf(store, 'main;work');
    let acknowledged = 0;
    // Fill the disk with ballast, leaving a little room, then write until the store refuses.
    const ballast = join(mountPoint, 'ballast');
    writeFileSync(ballast, Buffer.alloc((FILESYSTEM_MB - 3) * 1024 * 1024));
    let failure: Error | undefined;
    for (let i = 0; i < 10_000 && !failure; i++) {
      try {
        await store.write(simpleWrite(stack, 2_000, { branch: 'main' }, 1_700_000_000_000 + i));
        acknowledged += 2_000;
      } catch (error) {
        failure = error as Error;
      }
    }
    assert.ok(failure, 'the disk never filled');
    assert.ok(acknowledged > 0, 'nothing fitted before the disk was full');
    assert.match(failure.message, /no space left|disk is full|ENOSPC/i, `the error says why: ${failure.message}`);
    assert.equal((await totalValue(store.snapshot())) / 10, acknowledged, 'every acknowledged sample is readable, none of the refused');

    // Space returns: the same store writes again.
    rmSync(ballast);
    await store.write(simpleWrite(stack, 100, { branch: 'main' }, 1_800_000_000_000));
    acknowledged += 100;
    assert.equal((await totalValue(store.snapshot())) / 10, acknowledged);
    await store.close();

    // And after a restart, exactly the acknowledged samples are there.
    store = await Store.open(dir);
    assert.equal((await totalValue(store.snapshot())) / 10, acknowledged);
    await store.close();
  });

  it('fails a metadata checkpoint that does not fit with the disk’s error, leaving the log as it was, and writes it when space returns', async () => {
    const file = join(mountPoint, 'metadata.log');
    const { log, metadata } = await MetadataLog.open(file);
    const ballast = join(mountPoint, 'metadata-ballast');
    try {
      const frames = Array.from({ length: 50 }, (_, i) => metadata.internFrame({ functionName: `f${i}`, file: '/src/a.js', line: i + 1, column: 1, module: '', address: 0 }));
      const addStacks = (count: number, seed: number): void => {
        const next = random(seed);
        for (let s = 0; s < count; s++) metadata.internStack(Array.from({ length: 200 }, () => frames[Math.floor(next() * frames.length)]!));
      };
      addStacks(10, 3);
      await log.persist(metadata);
      const sizeBefore = statSync(file).size;
      const written = metadata.stackCount;
      // About 1.6 MB of new stack ids, with 64 KiB left on the disk: the write stops short.
      addStacks(2_000, 11);
      const free = statfsSync(mountPoint).bavail * statfsSync(mountPoint).bsize;
      writeFileSync(ballast, Buffer.alloc(Math.max(0, free - 64 * 1024)));
      await assert.rejects(log.persist(metadata), (error: NodeJS.ErrnoException) => error.code === 'ENOSPC');
      assert.equal(statSync(file).size, sizeBefore, 'no part of the refused record stays in the log');
      assert.equal((await MetadataLog.readOnly(file)).stackCount, written);
      rmSync(ballast);
      await log.persist(metadata);
      const reread = await MetadataLog.readOnly(file);
      assert.equal(reread.stackCount, metadata.stackCount);
      assert.deepEqual([...reread.stack(metadata.stackCount)], [...metadata.stack(metadata.stackCount)]);
    } finally {
      await log.close();
      rmSync(ballast, { force: true });
      rmSync(file, { force: true });
    }
  });

  it('through the agent: a profiled program keeps its chunks while the disk is full, and they are stored when space returns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'icicle-full-agent-'));
    const store = join(mountPoint, 'agent-store');
    const socket = join(dir, 'agent.sock');
    const agent = await startBuiltAgent(socket, store, ['--spool', join(dir, 'spool')]);
    // Connected as the extension is, to hear the store's problem as the extension does.
    const client = await connectToAgent(socket, 'extension', 'test');
    const problems: (string | undefined)[] = [];
    client.connection.onNotification(StoreProblemNotification.type, ({ problem }) => problems.push(problem));
    const programMs = 9000;
    const program = spawnProfiledProgram(busyServer, [String(programMs)], { socket, spool: join(dir, 'spool'), chunkMillis: 300, labels: { session_id: 'full' } });
    let probeNotes = '';
    program.stderr!.on('data', chunk => (probeNotes += chunk));
    const ballast = join(mountPoint, 'agent-ballast');
    const storedSamples = async () => (await client.connection.sendRequest(ListRunsRequest.type, {})).runs.find(r => r.sessionId === 'full')?.samples ?? 0;
    try {
      await pollUntil(async () => (await storedSamples()) > 0, { timeoutMs: 30_000, what: 'the first chunks', details: agent.log });
      // The disk fills up: the agent refuses chunks with the reason, and the probe keeps them.
      const free = statfsSync(mountPoint).bavail * statfsSync(mountPoint).bsize;
      writeFileSync(ballast, Buffer.alloc(Math.max(0, free - 64 * 1024)));
      await pollUntil(() => /disk is full \(ENOSPC\)/.test(agent.log()), { timeoutMs: 30_000, what: 'a refused chunk', details: agent.log });
      const whileFull = await storedSamples();
      // The extension is told once, in words, however many chunks are refused.
      await pollUntil(() => problems.length > 0, { timeoutMs: 10_000, what: 'the store problem notification' });
      assert.match(probeNotes, /cannot store chunks now, keeping them: .*disk is full/);
      // The fault lasts a few chunks (five at 300 ms): its length is what is being tested, not a wait for a result.
      const fullSince = Date.now();
      await pollUntil(() => Date.now() - fullSince > 1500, { timeoutMs: 5_000, what: 'time to pass' });
      assert.equal(program.exitCode, null, 'the program still runs');
      // Space returns while the program still runs: the kept chunks and the new ones are stored.
      rmSync(ballast);
      assert.equal(await exited(program), 0, 'the program ran to its end');
      await pollUntil(async () => (await storedSamples()) > whileFull, { timeoutMs: 30_000, what: 'storing to resume' });
      await pollUntil(() => problems.length === 2, { timeoutMs: 10_000, what: 'the notification that the store writes again' });
      assert.deepEqual(problems, ["Icicle's profile store cannot be written now: the disk is full (ENOSPC).", undefined]);
      const status = await client.connection.sendRequest(StoreStatusRequest.type);
      assert.equal(status.maintenanceError, undefined);
      // The run is whole: what was refused while the disk was full was sent again (1 ms samples over the run).
      const { runs } = await client.connection.sendRequest(ListRunsRequest.type, {});
      const run = runs.find(r => r.sessionId === 'full')!;
      const coveredMs = run.valueNs / 1e6;
      console.log(`      the disk was full for part of a ${programMs} ms run; the stored samples cover ${coveredMs.toFixed(0)} ms of it`);
      assert.ok(coveredMs > 0.8 * programMs, `the stored samples cover ${coveredMs.toFixed(0)} of ${programMs} ms`);
    } finally {
      program.kill();
      client.dispose();
      agent.child.kill();
      await exited(agent.child);
      rmSync(ballast, { force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
