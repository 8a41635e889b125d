import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { random } from '../../../../test/support/random';
import { assertStreamedAsWhole, parseWhole, v8Corpus as allV8Profiles } from '../../../../test/support/streamedImport';
import { parseStreamedFile } from '../../streamImport';
import { nodeBoundaryAfter } from './v8ParallelScan';
import { scanV8Profile } from './v8ProfileScanner';

/**
 * A big V8 profile is read by two threads (v8ParallelScan.ts): this one up to a node boundary past the middle, a
 * worker from there, their columns joined. The promise is the stream's own: the same profiles and `profile_id` as
 * the whole file read in memory, for every corpus profile and for files laid out to mislead the boundary search.
 * Every file here is read in two parts (parallelMinBytes 0) unless no boundary follows its middle.
 */

/** The corpus profiles the scanner reads (V8's own layout). */
function v8Corpus(): { name: string; bytes: Buffer }[] {
  return allV8Profiles().filter(f => scanV8Profile(f.bytes) !== undefined);
}

describe('a V8 profile read by two threads', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-v8-parallel-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Checks the two-part parse of `bytes` against the whole file's; returns where the second part started. */
  async function assertAsWhole(name: string, bytes: Buffer, chunkBytes: number): Promise<number> {
    await assertStreamedAsWhole(dir, name, bytes, { minBytes: 0, chunkBytes, parallelMinBytes: 0 });
    return nodeBoundaryAfter(join(dir, name), Math.floor(bytes.length / 2), 16 * 1024 * 1024);
  }

  it('reads every corpus profile as the whole file reads it', async () => {
    let split = 0;
    for (const { name, bytes } of v8Corpus()) {
      for (const chunkBytes of [4093, 4 * 1024 * 1024]) if ((await assertAsWhole(name, bytes, chunkBytes)) > 0) split++;
    }
    assert.ok(split >= 4, `only ${split} reads were in two parts`);
  });

  it('reads a file whose only `},{"id":` past the middle is inside a node, not between two, with this thread alone', async () => {
    // Nodes written with their call frame first: no boundary between nodes reads `},{"id":`. A position tick object
    // with an `id` first (a key the reader skips) makes one inside a node, past the middle.
    const json = JSON.parse(v8Corpus().find(f => f.name === 'sucrase.cpuprofile')!.bytes.toString('utf8')) as { nodes: Record<string, unknown>[] };
    const half = Math.floor(json.nodes.length / 2);
    json.nodes = json.nodes.map((node, i) => {
      const { callFrame, ...rest } = node;
      if (i >= half && Array.isArray(rest['positionTicks']) && rest['positionTicks'].length > 0) rest['positionTicks'] = [...(rest['positionTicks'] as unknown[]), { id: i, line: 1, ticks: 1 }];
      return { callFrame, ...rest };
    });
    const bytes = Buffer.from(JSON.stringify(json));
    assert.ok(scanV8Profile(bytes), 'the file is one the scanner reads');
    const found = await assertAsWhole('misleading.cpuprofile', bytes, 65536);
    assert.ok(found > 0, 'the search found the position tick as a boundary');
    assert.match(bytes.toString('latin1', found - 40, found), /"ticks":\d+\},$/, 'it is a position tick, not a node');
  });

  it('declines a file damaged past the middle when the whole-file scanner declines it, and reads it as the whole file otherwise', async () => {
    const rng = random(41);
    const source = v8Corpus().find(f => f.name === 'tsc-small.cpuprofile')!.bytes;
    let declined = 0;
    let read = 0;
    for (let i = 0; i < 16; i++) {
      const copy = Buffer.from(i % 4 === 3 ? source.subarray(0, source.length - 1 - Math.floor(rng() * source.length * 0.4)) : source);
      for (let k = 0; k < 1 + Math.floor(rng() * 3); k++) {
        const at = Math.floor(copy.length * (0.55 + 0.45 * rng()));
        if (copy[at]! >= 0x30 && copy[at]! <= 0x39) copy[at] = 0x30 + Math.floor(rng() * 10);
        else copy[at] = [0x22, 0x5c, 0x2c, 0x7d, 0x5d, 0xff][Math.floor(rng() * 6)]!;
      }
      const name = `damaged-${i}.cpuprofile`;
      const path = join(dir, name);
      writeFileSync(path, copy);
      const streamed = await parseStreamedFile(path, name, { minBytes: 0, chunkBytes: 1 << 20, parallelMinBytes: 0 });
      if (streamed === undefined) {
        assert.equal(scanV8Profile(copy), undefined, `${name} is V8's layout whole but was declined`);
        declined++;
        continue;
      }
      const expected = parseWhole(path, name, copy);
      assert.ok(!(expected instanceof Error), `${name} was read but the whole file fails: ${(expected as Error).message}`);
      assert.deepEqual(streamed.parsed, expected, name);
      read++;
    }
    assert.ok(declined >= 3 && read >= 1, `declined ${declined}, read ${read}`);
  });
});
