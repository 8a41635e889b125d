import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../storage/store';
import { pollUntil } from '../../test/support/poll';
import { RecordAgent } from './recordAgent';

/** Timers the process holds (mocha's own included), from Node's list of what keeps it alive. */
function activeTimers(): number {
  return process.getActiveResourcesInfo().filter(kind => kind === 'Timeout').length;
}

describe('the agent icicle record runs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-record-agent-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps no timer once a probe that died mid-message is gone and the agent is finished, so record can exit', async () => {
    const store = await Store.open(join(dir, 'store'));
    const agent = await RecordAgent.start(store, dir, {}, () => undefined);
    const before = activeTimers();
    // What a probe killed by Ctrl+C while sending a chunk leaves: a header and the start of a body, then nothing. A
    // whole request goes first in the same write, so that its answer says the agent has read the partial one too.
    const socket = connect(join(dir, 'agent.sock'));
    const answered = new Promise<void>(resolve => socket.once('data', () => resolve()));
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'icicle/ping' });
    socket.write(`Content-Length: ${Buffer.byteLength(ping)}\r\n\r\n${ping}Content-Length: 1000\r\n\r\n{"jsonrpc":"2.0","method":"icicle/ingestProfile","par`);
    await answered;
    socket.destroy();
    await agent.finish();
    await store.close();
    await pollUntil(() => activeTimers() <= before, { timeoutMs: 5_000, what: 'the agent to hold no timer' }).catch(() => undefined);
    assert.equal(activeTimers(), before, 'a timer outlived the connection and would keep icicle record from exiting');
  });
});
