import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { random } from '../../../../test/support/random';
import { assertStreamedAsWhole, checkStreamedImport, parseWhole, v8Corpus } from '../../../../test/support/streamedImport';
import { importProfileBytes, importProfileFile } from '../../importFile';
import { parseStreamedFile } from '../../streamImport';
import { ProfileFile } from '../formatReader';
import { cpuprofileReader } from './v8Reader';
import { scanV8Profile } from './v8ProfileScanner';
import { v8ProfileChunks } from './v8ProfileStream';

/**
 * A big V8 profile is read as a stream (v8ProfileStream.ts): chunk by chunk, by the byte scanner that reads whole
 * files. The promise is that it imports exactly as the whole file read in memory does (the same profiles and
 * `profile_id`), whatever the chunk size (strings, numbers and nodes cut anywhere), for every V8 profile of the
 * corpus and for the same profiles written otherwise; and that a damaged or truncated copy, which the stream
 * declines, is read whole and gets the whole file's error.
 */

/** The chunk parser fed `bytes` in pieces of `size`, in memory (no file reads, so that one-byte pieces are cheap). */
function chunked(bytes: Buffer, size: number, name = 'profile'): unknown {
  const parser = v8ProfileChunks(name, bytes.length);
  for (let at = 0; at < bytes.length; at += size) parser.push(bytes.subarray(at, at + size));
  return parser.finish();
}

describe('streamed import of V8 profiles', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-stream-v8-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const { name, bytes } of v8Corpus()) {
    it(`reads ${name} as the whole file reads it, in chunks of any size`, async () => {
      if (scanV8Profile(bytes) === undefined) {
        // Not V8's own layout (the legacy `head` tree): read whole, where the checked path reads it.
        const path = join(dir, name);
        writeFileSync(path, bytes);
        assert.equal(await parseStreamedFile(path, name, { minBytes: 0 }), undefined);
        assert.equal(chunked(bytes, 7), undefined);
        return;
      }
      for (const chunkBytes of [4093, 4 * 1024 * 1024]) await assertStreamedAsWhole(dir, name, bytes, { minBytes: 0, chunkBytes });
      // One- and seven-byte pieces: every string, number and node is cut somewhere.
      const expected = cpuprofileReader.parse(new ProfileFile(bytes), name, []);
      for (const size of bytes.length > 2_000_000 ? [7] : [1, 7]) assert.deepEqual(chunked(bytes, size, name), expected, `${name} in pieces of ${size}`);
    });
  }

  it('reads the same profiles written otherwise (spaces, CRLF, byte order mark, extra fields), or leaves them whole', async () => {
    const sucrase = v8Corpus().find(f => f.name === 'sucrase.cpuprofile')!.bytes;
    const json = JSON.parse(sucrase.toString('utf8')) as { nodes: Record<string, unknown>[]; startTime: number };
    json.nodes.forEach((node, i) => {
      if (i % 3 === 0) node['deoptReason'] = i % 2 ? '' : { nested: [1, 2.5e3, true, null, 'x\\"y'] };
    });
    const variants: [string, Buffer][] = [
      ['pretty.cpuprofile', Buffer.from(JSON.stringify(json, null, 2))],
      ['crlf.cpuprofile', Buffer.from(JSON.stringify(json, null, '\t').replace(/\n/g, '\r\n'))],
      ['bom.cpuprofile', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), sucrase])],
      ['escaped.cpuprofile', Buffer.from(sucrase.toString('utf8').replace(/"functionName":"([a-z])/g, '"functionName":"\\u00e9\\n$1'))],
    ];
    for (const [name, bytes] of variants) {
      assert.ok(scanV8Profile(bytes), `${name} is read by the scanner whole`);
      for (const chunkBytes of [4093, 65536]) await assertStreamedAsWhole(dir, name, bytes, { minBytes: 0, chunkBytes });
      assert.deepEqual(chunked(bytes, 7, name), cpuprofileReader.parse(new ProfileFile(bytes), name, []), `${name} in pieces of 7`);
    }
    // Another key order is for the whole-file path (V8 writes `nodes` first).
    const { nodes, ...rest } = json;
    const path = join(dir, 'reordered.cpuprofile');
    writeFileSync(path, JSON.stringify({ ...rest, nodes }));
    assert.equal(await parseStreamedFile(path, 'reordered.cpuprofile', { minBytes: 0 }), undefined);
  });

  it('reads damaged and truncated copies as the whole file reads them, errors included', async () => {
    const rng = random(40);
    const source = v8Corpus().find(f => f.name === 'sucrase.cpuprofile')!.bytes;
    let streamedCount = 0;
    for (let i = 0; i < 60; i++) {
      const copy = Buffer.from(i % 2 ? source : source.subarray(0, 1 + Math.floor(rng() * source.length)));
      // Damage: digits changed (the file often stays a profile), and bytes that break strings or the JSON.
      for (let k = 0; k < 1 + Math.floor(rng() * 4); k++) {
        const at = Math.floor(rng() * copy.length);
        if (copy[at]! >= 0x30 && copy[at]! <= 0x39) copy[at] = 0x30 + Math.floor(rng() * 10);
        else if (rng() < 0.3) copy[at] = [0x22, 0x5c, 0x2c, 0x7d, 0x5d, 0x0a, 0xff][Math.floor(rng() * 7)]!;
      }
      const name = `damaged-${i}.cpuprofile`;
      const path = join(dir, name);
      writeFileSync(path, copy);
      const expected = parseWhole(path, name, copy);
      const streamed = await parseStreamedFile(path, name, { minBytes: 0, chunkBytes: 1000 + Math.floor(rng() * 5000) });
      if (streamed === undefined) {
        // Declined: read whole, as importProfileFile does. The scanner must not have accepted it whole either.
        assert.equal(scanV8Profile(copy), undefined, `${name} is V8's layout whole but was not streamed`);
        continue;
      }
      streamedCount++;
      assert.ok(!(expected instanceof Error), `${name} streamed but the whole file fails: ${(expected as Error).message}`);
      assert.deepEqual(streamed.parsed, expected, name);
    }
    assert.ok(streamedCount >= 10, `only ${streamedCount} damaged copies stayed profiles`);
  });

  it('imports into the store what the whole-file import stores, gives truncated files the same error, and knows a file is there already', async () => {
    const { name, bytes } = v8Corpus().find(f => f.name === 'tsc-small.cpuprofile')!;
    await checkStreamedImport(dir, name, bytes, async ({ streamed, whole }) => {
      for (const cut of [1, 9, 5000, Math.floor(bytes.length / 2), bytes.length - 2]) {
        const truncated = join(dir, `cut-${cut}.cpuprofile`);
        writeFileSync(truncated, bytes.subarray(0, cut));
        const wholeError = await importProfileBytes(whole, bytes.subarray(0, cut), 'cut.cpuprofile', {}).then(() => undefined, (error: Error) => error.message);
        assert.ok(wholeError, `cut at ${cut} reads whole`);
        await assert.rejects(importProfileFile(streamed, truncated, 'cut.cpuprofile', {}, { streamMinBytes: 0 }), (error: Error) => error.message === wholeError);
      }
    });
  });
});
