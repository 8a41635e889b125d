import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Store } from '../../../../storage/store';
import { corpusDir } from '../../../../test/support/corpus';
import { random } from '../../../../test/support/random';
import { parseProfileBytes } from '../../detectFormat';
import { importProfileBytes, importProfileFile, profileIdOf } from '../../importFile';
import { parseStreamedFile } from '../../streamImport';
import { fileAnchor } from '../../timeAnchor';
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

const corpus = corpusDir();

function v8Corpus(): { name: string; bytes: Buffer }[] {
  const files = readdirSync(join(corpus, 'cpuprofile'))
    .filter(name => name.endsWith('.cpuprofile'))
    .sort()
    .map(name => ({ name, bytes: readFileSync(join(corpus, 'cpuprofile', name)) }));
  files.push({ name: 'tsc-small.cpuprofile', bytes: gunzipSync(readFileSync(join(corpus, 'generated', 'tsc-small.cpuprofile.gz'))) });
  return files;
}

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

  function whole(path: string, name: string, bytes: Buffer): ReturnType<typeof parseProfileBytes> | Error {
    try {
      return parseProfileBytes(bytes, name, fileAnchor(statSync(path).mtimeMs));
    } catch (error) {
      return error as Error;
    }
  }

  /** The streamed parse of `bytes` (written to a file) is the whole file's parse, with the same profile_id. */
  async function assertStreamedAsWhole(name: string, bytes: Buffer, chunkBytes: number): Promise<void> {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    const expected = whole(path, name, bytes);
    assert.ok(!(expected instanceof Error), `${name}: ${(expected as Error).message}`);
    const streamed = await parseStreamedFile(path, name, { minBytes: 0, chunkBytes });
    assert.ok(streamed, `${name} was not streamed`);
    assert.deepEqual(streamed.parsed, expected, `${name}, chunks of ${chunkBytes} bytes`);
    assert.equal(streamed.profileId, profileIdOf(bytes));
  }

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
      for (const chunkBytes of [4093, 4 * 1024 * 1024]) await assertStreamedAsWhole(name, bytes, chunkBytes);
      // One- and seven-byte pieces: every string, number and node is cut somewhere.
      const expected = cpuprofileReader.parse(new ProfileFile(bytes), name, []);
      for (const size of bytes.length > 2_000_000 ? [7] : [1, 7]) assert.deepEqual(chunked(bytes, size, name), expected, `${name} in pieces of ${size}`);
    });
  }
});
