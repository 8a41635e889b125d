import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPOOL_SUFFIX, type IngestProfileParams } from '../../common/protocol/probeProtocol';
import { SpoolIngester } from './spoolIngester';

function chunk(name: string): string {
  return JSON.stringify({ format: 'v8', profile: { nodes: [], name }, startMs: 1, labels: { name }, droppedChunks: 0 } satisfies IngestProfileParams);
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
  it('reads chunks as probes spool them now and as they spooled them before the format tag, and sets aside the rest', async () => {
    const stored: IngestProfileParams[] = [];
    const spool = new SpoolIngester(dir, async params => void stored.push(params));
    writeFileSync(join(dir, `1${SPOOL_SUFFIX}`), chunk('current'));
    // A probe from before the tag wrote V8's profile as JSON text inside the chunk's JSON.
    writeFileSync(join(dir, `2${SPOOL_SUFFIX}`), JSON.stringify({ profile: JSON.stringify({ nodes: [], name: 'legacy' }), startMs: 2, labels: { name: 'legacy' }, droppedChunks: 0, chunkKey: 'run:1' }));
    writeFileSync(join(dir, `3${SPOOL_SUFFIX}`), JSON.stringify({ profile: 'not json', startMs: 3, labels: {}, droppedChunks: 0 }));
    writeFileSync(join(dir, `4${SPOOL_SUFFIX}`), JSON.stringify({ format: 'pprof', bytes: 'AAAA', startMs: 4, labels: {}, droppedChunks: 0 }));
    assert.equal(await spool.scan(), 2);
    assert.deepEqual(
      stored.map(p => [p.format, p.format === 'v8' ? p.profile['name'] : undefined, p.chunkKey]),
      [
        ['v8', 'current', undefined],
        ['v8', 'legacy', 'run:1'],
      ],
    );
    assert.deepEqual(readdirSync(dir).sort(), [`3${SPOOL_SUFFIX}.bad`, `4${SPOOL_SUFFIX}.bad`]);
  });
});
