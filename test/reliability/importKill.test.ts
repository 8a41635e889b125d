import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectToAgent } from '../../common/agentConnection';
import { OpenProfileRequest } from '../../common/protocol/agentProtocol';
import { profileIdOf } from '../../agent/import/importFile';
import { count, eq, executePlan, scan } from '../../storage/query';
import type { ScanSource } from '../../storage/query/scanSource';
import { Store } from '../../storage/store';
import { StoreReader } from '../../storage/storeReader';
import { exited, startBuiltAgent } from '../support/agentProcess';

/**
 * `kill -9` of the agent while it imports a profile big enough to take several store writes (350,000 samples; a
 * write holds at most 131,072): whatever the moment of the kill, the command line's reader (`icicle top`) and the
 * restarted agent see the profile whole or not at all, never a part served as if whole. Before imports were one
 * store transaction, a kill between writes left the first writes visible to the command line.
 */

const SAMPLES = 350_000;
const KILLS = Number(process.env.ICICLE_IMPORT_KILLS ?? 8);

/** A V8 profile of `SAMPLES` samples over a few functions. */
function bigProfile(): string {
  const frame = (id: number, functionName: string, children: number[]) => ({
    id, callFrame: { functionName, scriptId: '1', url: 'file:///app/big.js', lineNumber: id, columnNumber: 0 }, hitCount: 0, children,
  });
  const nodes = [frame(1, '(root)', [2]), frame(2, 'main', [3, 4, 5]), frame(3, 'parse', []), frame(4, 'check', []), frame(5, 'emit', [])];
  const samples = Array.from({ length: SAMPLES }, (_, i) => 3 + (i % 3));
  return JSON.stringify({ nodes, startTime: 0, endTime: SAMPLES * 100, samples, timeDeltas: samples.map(() => 100) });
}

async function profileRows(source: ScanSource, profileId: string): Promise<number> {
  if (!source.columnNames().includes('labels.profile_id')) return 0;
  const plan = scan().where(eq('labels.profile_id', profileId)).aggregate([], [count('rows')]).build();
  const { table } = await executePlan(plan, source);
  return Number(table.getChild('rows')?.get(0) ?? 0);
}

describe('kill -9 of the agent during an import', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-import-kill-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves the profile whole or absent for every reader, never in part', async () => {
    const file = join(dir, 'big.cpuprofile');
    writeFileSync(file, bigProfile());
    const profileId = profileIdOf(readFileSync(file));
    const open = async (socket: string): Promise<unknown> => {
      const client = await connectToAgent(socket, 'test', 'test');
      try {
        return await client.connection.sendRequest(OpenProfileRequest.type, { path: file, displayName: 'big.cpuprofile' });
      } finally {
        client.dispose();
      }
    };

    // How long a whole import takes here, so that the kills spread over it.
    const timing = await startBuiltAgent(join(dir, 'timing.sock'), join(dir, 'timing-store'));
    const before = Date.now();
    await open(join(dir, 'timing.sock'));
    const importMs = Date.now() - before;
    timing.child.kill('SIGTERM');
    await exited(timing.child);

    const socket = join(dir, 'agent.sock');
    const seen: number[] = [];
    let store = '';
    for (let k = 0; k < KILLS; k++) {
      // A store each, so that every kill lands in an import (one stored whole would not be imported again).
      store = join(dir, `store-${k}`);
      const agent = await startBuiltAgent(socket, store);
      const opening = open(socket).catch(() => undefined);
      // From the start of the request to well past the time a whole import took.
      await new Promise(resolve => setTimeout(resolve, Math.round((1.6 * importMs * (k + 0.5)) / KILLS)));
      agent.child.kill('SIGKILL');
      await exited(agent.child);
      await opening;
      const reader = await StoreReader.open(store);
      const read = await profileRows(reader.snapshot(), profileId);
      await reader.close();
      seen.push(read);
      assert.ok(read === 0 || read === SAMPLES, `after a kill ${k + 1} of ${KILLS}, the command line reads ${read} of the profile's ${SAMPLES} rows`);
      const reopened = await Store.open(store);
      const snapshot = reopened.snapshot();
      const agentRows = await profileRows(snapshot, profileId);
      snapshot.release();
      await reopened.close({ flush: false });
      assert.ok(agentRows === 0 || agentRows === SAMPLES, `after a kill, the restarted agent sees ${agentRows} of ${SAMPLES} rows`);
    }
    process.stderr.write(`import kills: a whole import took ${importMs} ms; rows seen after each kill: ${seen.join(', ')}\n`);
    assert.ok(seen.some(rows => rows === SAMPLES), 'a kill landed after the import (the kills spanned it)');
    // Opened once more, the profile is there whole, once.
    const agent = await startBuiltAgent(socket, store);
    await open(socket);
    agent.child.kill('SIGTERM');
    await exited(agent.child);
    const reader = await StoreReader.open(store);
    assert.equal(await profileRows(reader.snapshot(), profileId), SAMPLES);
    await reader.close();
  });
});
