import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connectToAgent } from '../../common/agentConnection';
import { SamplesStoredNotification, SetScrapeTargetsRequest } from '../../common/protocol/agentProtocol';
import { exited, startBuiltAgent } from '../../test/support/agentProcess';
import { buildHotGoProgram } from '../../test/support/nativeFixture';
import { pollUntil } from '../../test/support/poll';

/** Scraping a real Go program's net/http/pprof endpoint, through a real agent into a real store. */

const root = join(__dirname, '..', '..');

describe('pprof scraping', function () {
  this.timeout(180_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-scrape-test-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("scrapes a Go program's /debug/pprof/profile continuously and stores what it burns", async () => {
    const hot = buildHotGoProgram(dir);
    const program = spawn(hot, ['-serve', '127.0.0.1:0', '-ms', '60000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const address = await new Promise<string>(resolve => createInterface({ input: program.stdout! }).once('line', resolve));
    const store = join(dir, 'store');
    const socket = join(dir, 'agent.sock');
    const { child: agent, log } = await startBuiltAgent(socket, store);
    const client = await connectToAgent(socket, 'extension', 'test');
    try {
      let profiles = 0;
      client.connection.onNotification(SamplesStoredNotification.type, () => profiles++);
      const { problems } = await client.connection.sendRequest(SetScrapeTargetsRequest.type, {
        targets: [
          { url: `http://${address}/debug/pprof/profile`, intervalSeconds: 1 },
          { url: 'file:///etc/passwd', intervalSeconds: 1 },
          { url: 'http://127.0.0.1:9/debug/pprof/profile', intervalSeconds: 1 },
        ],
      });
      assert.deepEqual(problems, ['file:///etc/passwd is not an http or https URL']);
      await pollUntil(() => profiles >= 2, { timeoutMs: 60_000, what: 'two scraped profiles', details: log });
      // A target that refuses connections is reported in the agent's log, not thrown at anyone.
      await pollUntil(() => /could not scrape http:\/\/127\.0\.0\.1:9\/debug\/pprof\/profile/.test(log()), { timeoutMs: 30_000, what: 'the refused target in the log' });
      await client.connection.sendRequest(SetScrapeTargetsRequest.type, { targets: [] });
      const top = spawnSync(process.execPath, [join(root, 'out', 'agent', 'icicle.js'), 'top', '--store', store, '--json', '--where', `job=${address}`, '--type', 'process_cpu:cpu:nanoseconds:cpu:nanoseconds'], { encoding: 'utf8' });
      assert.equal(top.status, 0, top.stderr);
      const functions = (JSON.parse(top.stdout) as { functions: { function: string }[] }).functions;
      assert.equal(functions[0]!.function, 'main.burn');
    } finally {
      client.dispose();
      program.kill();
      agent.kill();
      await Promise.all([exited(agent), exited(program)]);
    }
  });
});
