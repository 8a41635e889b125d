import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { IngestProfileParams } from '../../../common/protocol/probeProtocol';
import { Store } from '../../../storage/store';
import { ProfileBuilder } from '../importedProfile';
import { RecordingHub } from '../../recording/recordingHub';
import { querySourceCosts } from '../../queries/source/sourceCostQueries';
import { applySourceMaps } from './applySourceMaps';
import { IDLE_RECORDING_MS, RecordingSourceMaps } from './recordingSourceMaps';

/**
 * A script whose map sends its first position to a line of src/a.ts: `AASA` is line 10, `AAWA` line 12 (the same
 * size), `AAmBA` line 20 (one character longer).
 */
function writeApp(dir: string, mappings: string): { script: string; map: string } {
  const script = join(dir, 'app.js');
  const map = join(dir, 'app.js.map');
  writeFileSync(script, 'function main() { for (;;); }\n//# sourceMappingURL=app.js.map\n');
  writeFileSync(map, JSON.stringify({ version: 3, sources: ['src/a.ts'], names: [], mappings }));
  return { script, map };
}

/** A chunk of 50 samples in `main`, at the script's first line and column, of one session. */
function chunk(script: string, chunkKey: string): IngestProfileParams {
  const url = pathToFileURL(script).href;
  return {
    format: 'v8',
    profile: {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, children: [2] },
        { id: 2, callFrame: { functionName: 'main', scriptId: '1', url, lineNumber: 0, columnNumber: 0 } },
      ],
      startTime: 0,
      endTime: 50_000,
      samples: Array(50).fill(2),
      timeDeltas: Array(50).fill(1000),
    },
    startMs: 1_700_000_000_000,
    labels: { session_id: 'mapped', pid: '7', runtime: 'node' },
    droppedChunks: 0,
    chunkKey,
  };
}

describe('source maps across a recording', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-recording-maps-'));
    mkdirSync(join(dir, 'src'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a map once across a recording’s chunks, and again once it changes size or time', async () => {
    const { script, map } = writeApp(dir, 'AASA');
    // A whole second, which every file system keeps exactly, so that the files can be given it back below.
    const written = new Date('2026-01-01T00:00:00Z');
    const backdate = (): void => [script, map].forEach(file => utimesSync(file, written, written));
    backdate();
    const store = await Store.open(join(dir, 'store'));
    const hub = new RecordingHub(store);
    /** The original line `main` was stored at, in the chunk with this key. */
    const lineIn = async (chunkKey: string): Promise<number | undefined> => {
      const costs = await querySourceCosts(store, { selection: { kind: 'allRuns', selector: `{__chunk="${chunkKey}"}` } });
      return costs.files.find(f => f.file === join(dir, 'src', 'a.ts'))?.functions[0];
    };
    try {
      for (let i = 1; i <= 5; i++) await hub.ingest(chunk(script, `run:${i}`));
      for (let i = 1; i <= 5; i++) assert.equal(await lineIn(`run:${i}`), 10, `chunk ${i}`);
      // Other mappings of the same size, written with the old modification time: a map read again would say line 12,
      // which a resolver made for each chunk did. Kept for the recording, the map is not read again.
      writeApp(dir, 'AAWA');
      backdate();
      await hub.ingest(chunk(script, 'run:6'));
      assert.equal(await lineIn('run:6'), 10);
      // A map that changed size is read again, from the next chunk on.
      writeApp(dir, 'AAmBA');
      await hub.ingest(chunk(script, 'run:7'));
      assert.equal(await lineIn('run:7'), 20);
    } finally {
      await store.close();
    }
  });

  it('keeps one resolver per recording, which reads the script and its map once, until the recording is idle', async () => {
    const { script, map } = writeApp(dir, 'AASA');
    const maps = new RecordingSourceMaps({ log: () => undefined });
    const builder = new ProfileBuilder('cpuprofile', [{ profileType: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', unit: 'nanoseconds' }]);
    const frame = builder.frame({ name: 'main', file: pathToFileURL(script).href, line: 1, column: 1, module: '', address: 0 });
    builder.sample(builder.stack([frame]), [1000], 0);
    const profile = builder.build({ durationNs: 1000 });
    const labels = { session_id: 's1' };
    const resolver = maps.resolverFor(labels, 'run-a:1', 0);
    for (let i = 1; i <= 20; i++) {
      assert.equal(maps.resolverFor(labels, `run-a:${i}`, i), resolver, 'the same resolver for every chunk of a session');
      assert.equal((await applySourceMaps(profile, resolver)).frames[0]!.line, 10);
    }
    assert.equal(resolver.filesRead, 2, 'the script and its map, once');
    writeFileSync(map, JSON.stringify({ version: 3, sources: ['src/a.ts'], names: [], mappings: 'AAmBA' }));
    assert.equal((await applySourceMaps(profile, resolver)).frames[0]!.line, 20);
    assert.equal(resolver.filesRead, 4, 'both again, once the map changed');
    // Another session has its own; without a session, a probe's run (its chunk keys' prefix) is the recording.
    assert.notEqual(maps.resolverFor({ session_id: 's2' }, undefined, 30), resolver);
    assert.equal(maps.resolverFor({}, 'run-b:1', 31), maps.resolverFor({}, 'run-b:2', 32));
    assert.notEqual(maps.resolverFor({}, 'run-c:1', 33), maps.resolverFor({}, 'run-b:3', 34));
    // A recording silent for a minute is dropped with its maps.
    assert.notEqual(maps.resolverFor(labels, 'run-a:21', 20 + IDLE_RECORDING_MS), resolver);
    maps.clear();
  });
});
