import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPOOL_SUFFIX, type IngestProfileParams } from '../../common/protocol/probeProtocol';
import { SpoolIngester } from './spoolIngester';

function chunk(name: string): string {
  return JSON.stringify({ profile: `{"name":"${name}"}`, startMs: 1, labels: { name }, droppedChunks: 0 } satisfies IngestProfileParams);
}

describe('SpoolIngester', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-spool-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a scan asked for while a pass runs imports the chunks spooled after that pass listed the folder', async () => {
    const stored: string[] = [];
    let release = (): void => undefined;
    const held = new Promise<void>(resolve => (release = resolve));
    let listed = (): void => undefined;
    const firstTaken = new Promise<void>(resolve => (listed = resolve));
    const spool = new SpoolIngester(dir, async params => {
      // The first chunk is held, as a slow store write would hold it, while a second chunk is spooled.
      if (params.labels['name'] === 'first') {
        listed();
        await held;
      }
      stored.push(params.labels['name']!);
    });
    writeFileSync(join(dir, `1${SPOOL_SUFFIX}`), chunk('first'));
    const running = spool.scan();
    await firstTaken;
    writeFileSync(join(dir, `2${SPOOL_SUFFIX}`), chunk('second'));
    // `icicle record` scans once its program has exited, then closes the store: this scan must take the second.
    const afterExit = spool.scan();
    release();
    await running;
    await afterExit;
    assert.deepEqual(stored, ['first', 'second']);
    assert.deepEqual(readdirSync(dir), []);
  });
});
