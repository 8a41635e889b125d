import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectToAgent, type AgentConnection } from '../../common/agentConnection';
import { IngestProfileRequest, OpenProfileRequest } from '../../common/protocol/agentProtocol';
import { storedProfileState } from '../../agent/import/storedProfile';
import { profileIdOf } from '../../agent/import/importFile';
import { gunzipIfCompressed } from '../../agent/readProfileFile';
import { count, eq, executePlan, scan, sum } from '../../storage/query';
import { readManifest } from '../../storage/manifest';
import { Store } from '../../storage/store';
import { corpusDir } from '../support/corpus';
import { exited, startBuiltAgent } from '../support/agentProcess';
import { pollUntil } from '../support/poll';
import { busyServer, spawnProfiledProgram } from '../support/profiledProgram';
import { random } from '../support/random';
import { syntheticChunk } from '../support/syntheticChunk';

/**
 * Crash safety end to end: the agent process is killed with SIGKILL again and again while it takes in a stream of
 * chunks (a writer that keeps what was acknowledged), a real profiled program's probe streams to it, profile files
 * are opened through it, and it flushes and compacts every few hundred milliseconds. Half the kills land at a
 * random moment, half the moment a flush or compaction starts writing a block. Afterwards every acknowledged
 * chunk is stored exactly once and whole, every opened file is whole, and the program's run is covered.
 */

const KILLS = Number(process.env.ICICLE_KILLS ?? 8);
const SAMPLES_PER_CHUNK = 1000;

/** Sends chunks one after another, resending each until some agent acknowledges it, as the probe does. */
class ChunkWriter {
  readonly acknowledged = new Map<string, number>();
  private stopped = false;
  private connection: AgentConnection | undefined;
  private connectedAt = 0;
  reconnects = 0;
  /** Milliseconds from each kill to the next acknowledgement. */
  readonly recoveries: number[] = [];
  private killedAt: number | undefined;
  readonly done: Promise<void>;

  constructor(private readonly socket: string) {
    this.done = this.run();
  }

  noteKill(): void {
    this.killedAt = Date.now();
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.done;
  }

  private async run(): Promise<void> {
    for (let i = 0; !this.stopped; i++) {
      const profile = syntheticChunk(i, SAMPLES_PER_CHUNK);
      for (;;) {
        try {
          if (!this.connection) {
            this.connection = await connectToAgent(this.socket, 'probe', 'test');
            this.connectedAt = Date.now();
          }
          const result = await this.connection.connection.sendRequest(IngestProfileRequest.type, {
            format: 'v8', profile, startMs: Date.now(), labels: { session_id: 'writer' }, droppedChunks: 0,
          });
          // A chunk the killed agent stored but could not acknowledge is found again: stored once, acknowledged now.
          this.acknowledged.set(result.profileId, SAMPLES_PER_CHUNK);
          // Recovered once a connection made after the kill acknowledges (an answer already on its way does not count).
          if (this.killedAt !== undefined && this.connectedAt >= this.killedAt) {
            this.recoveries.push(Date.now() - this.killedAt);
            this.killedAt = undefined;
          }
          break;
        } catch {
          this.connection?.dispose();
          this.connection = undefined;
          this.reconnects++;
          if (this.stopped) return;
          await new Promise(resolve => setTimeout(resolve, 20));
        }
      }
      await new Promise(resolve => setTimeout(resolve, 15));
    }
    this.connection?.dispose();
  }
}

/** Profile files opened through the agent while it is being killed: each is retried until it opens. */
const OPENED = ['pprof/fib.pb.gz', 'pprof/alloc_objects.pb.gz', 'cpuprofile/sucrase.cpuprofile'];

async function rowsByProfile(store: Store, session: string): Promise<Map<string, number>> {
  const snapshot = store.snapshot();
  try {
    const plan = scan().where(eq('labels.session_id', session)).aggregate(['labels.profile_id'], [count('rows')]).build();
    const { table } = await executePlan(plan, snapshot);
    const ids = table.getChild('labels.profile_id')!.toArray() as string[];
    const rows = table.getChild('rows')!.toArray() as ArrayLike<number>;
    return new Map(ids.map((id, i) => [id, Number(rows[i])]));
  } finally {
    snapshot.release();
  }
}

async function cpuNanos(store: Store, session: string): Promise<number> {
  const snapshot = store.snapshot();
  try {
    const plan = scan().where(eq('labels.session_id', session)).aggregate([], [sum('value', 'value')]).build();
    const { table } = await executePlan(plan, snapshot);
    return Number(table.getChild('value')?.get(0) ?? 0);
  } finally {
    snapshot.release();
  }
}

describe(`crash safety: ${KILLS} SIGKILLs of the agent under load`, function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-kills-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loses nothing acknowledged, stores nothing twice or in part, and recovers each time', async () => {
    const socket = join(dir, 'agent.sock');
    const store = join(dir, 'store');
    const blocks = join(store, 'blocks');
    const spool = join(dir, 'spool');
    const agentArgs = ['--flush-after-s', '0.3', '--spool', spool];
    const next = random(9);
    let agent = await startBuiltAgent(socket, store, agentArgs);
    const writer = new ChunkWriter(socket);
    const programMs = 8000 + KILLS * 1500;
    const program = spawnProfiledProgram(busyServer, [String(programMs)], { socket, spool, chunkMillis: 500, labels: { session_id: 'program' } });
    program.stderr!.pipe(process.stderr);
    let programOutput = '';
    program.stdout!.on('data', chunk => (programOutput += chunk));
    const programStarted = Date.now();

    let opening = true;
    const opener = (async () => {
      for (let i = 0; opening; i++) {
        const path = join(corpusDir(), OPENED[i % OPENED.length]!);
        try {
          const client = await connectToAgent(socket, 'test', 'test');
          try {
            await client.connection.sendRequest(OpenProfileRequest.type, { path, displayName: path });
          } finally {
            client.dispose();
          }
        } catch {
          // Killed mid-open: opened again on a later turn.
        }
        await new Promise(resolve => setTimeout(resolve, 50));
      }
    })();

    const restarts: number[] = [];
    let duringMaintenance = 0;
    try {
      for (let k = 0; k < KILLS; k++) {
        await pollUntil(() => writer.acknowledged.size > 0 && writer.recoveries.length >= k, { timeoutMs: 30_000, what: `the writer to recover from kill ${k}`, details: agent.log });
        if (k % 2 === 0) {
          await new Promise(resolve => setTimeout(resolve, 200 + next() * 1300));
        } else {
          duringMaintenance += (await blockBeingWritten(store, blocks, 15_000)) ? 1 : 0;
        }
        agent.child.kill('SIGKILL');
        writer.noteKill();
        await exited(agent.child);
        const restartStarted = Date.now();
        agent = await startBuiltAgent(socket, store, agentArgs);
        restarts.push(Date.now() - restartStarted);
      }
      await pollUntil(() => writer.recoveries.length >= KILLS, { timeoutMs: 30_000, what: 'the writer to recover from the last kill' });
      assert.equal(await exited(program), 0, 'the profiled program ran to its end through every kill');
      assert.equal(programOutput, 'done\n');
      await pollUntil(() => !existsSync(spool) || readdirSync(spool).length === 0, { timeoutMs: 30_000, what: 'the spool to be taken in' });
    } finally {
      opening = false;
      await writer.stop();
      await opener;
      program.kill();
      agent.child.kill('SIGTERM');
      await exited(agent.child);
    }
    const programRanMs = Date.now() - programStarted;

    const reopened = await Store.open(store);
    try {
      assert.equal(reopened.openReport.walCorruption, undefined);
      // Every acknowledged chunk once and whole: the same profile ids, each with exactly its samples.
      const stored = await rowsByProfile(reopened, 'writer');
      const missing = [...writer.acknowledged.keys()].filter(id => !stored.has(id));
      assert.deepEqual(missing, [], `${missing.length} acknowledged chunks are missing`);
      const wrong = [...stored].filter(([id, rows]) => rows !== writer.acknowledged.get(id));
      assert.deepEqual(wrong, [], 'chunks stored twice, in part, or never acknowledged');
      // Every opened file is whole (an open cut short is imported again in full the next time).
      for (const name of OPENED) {
        const bytes = readFileSync(join(corpusDir(), name));
        const state = await storedProfileState(reopened, profileIdOf(gunzipIfCompressed(bytes, name)));
        assert.notEqual(state, 'partial', `${name} is stored in part`);
      }
      // The program's probe kept its chunks through each kill (sent again, or spooled at its exit).
      const covered = (await cpuNanos(reopened, 'program')) / 1e6;
      assert.ok(covered > 0.7 * programMs, `the program's samples cover ${covered.toFixed(0)} of its ${programMs} ms`);
      const sorted = [...writer.recoveries].sort((a, b) => a - b);
      console.log(
        `      ${KILLS} kills (${duringMaintenance} while a block was being written): ${writer.acknowledged.size} chunks acknowledged, ` +
          `0 lost, 0 doubled; agent ready again in ${Math.min(...restarts)}–${Math.max(...restarts)} ms; writes acknowledged again ` +
          `${sorted[0]}–${sorted.at(-1)} ms after a kill (median ${sorted[Math.floor(sorted.length / 2)]}); the program's samples cover ` +
          `${((100 * covered) / programMs).toFixed(0)}% of its busy time (${(programRanMs / 1000).toFixed(0)} s run)`,
      );
      assert.ok(duringMaintenance >= 1, 'at least one kill landed while a block was being written');
    } finally {
      await reopened.close();
    }
  });
});

/**
 * Resolves true as soon as a flush or a compaction starts writing a block (a block file the manifest does not
 * list yet), or false when none starts within the time given.
 */
async function blockBeingWritten(store: string, blocks: string, timeoutMs: number): Promise<boolean> {
  const manifest = await readManifest(join(store, 'manifest.json')).catch(() => undefined);
  const nextId = manifest?.nextBlockId ?? 1;
  return new Promise(resolve => {
    const watcher = watch(blocks, (_event, name) => {
      const id = Number.parseInt(String(name ?? ''), 10);
      if (id >= nextId) finish(true);
    });
    const timer = setTimeout(() => finish(false), timeoutMs);
    function finish(found: boolean): void {
      clearTimeout(timer);
      watcher.close();
      resolve(found);
    }
  });
}
