import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Store } from '../../storage/store';
import { corpusDir } from '../../test/support/corpus';
import { random } from '../../test/support/random';
import { checkStreamedImport } from '../../test/support/streamedImport';
import { parseProfileBytes } from './detectFormat';
import { ChunkedLines, forEachLine } from './formats/textLines';
import { importProfileBytes, importProfileFile, profileIdOf } from './importFile';
import { parseStreamedFile } from './streamImport';
import { fileAnchor } from './timeAnchor';

/**
 * A big `perf script` or collapsed stacks file is read as a stream (streamImport.ts): in chunks, line by line, hashed as it passes. The
 * promise is that it imports exactly as the whole file read in memory does: the same profiles, notes, `profile_id`
 * and rows, whatever the chunk size (lines and UTF-8 characters split across chunks), for every perf file of the
 * corpus and for damaged and truncated copies; and that nothing else (JSON, compressed files, UTF-16) takes this
 * path.
 */

const corpus = corpusDir();

function perfCorpus(): { name: string; bytes: Buffer }[] {
  const files = readdirSync(join(corpus, 'linux-perf'))
    .sort()
    .map(name => ({ name, bytes: readFileSync(join(corpus, 'linux-perf', name)) }));
  files.push({ name: 'xz.perf.txt', bytes: gunzipSync(readFileSync(join(corpus, 'generated', 'xz.perf.txt.gz'))) });
  return files;
}

/** The collapsed stacks of the corpus in UTF-8 (the UTF-16 one is read whole). */
function collapsedCorpus(): { name: string; bytes: Buffer }[] {
  return readdirSync(join(corpus, 'collapsed'))
    .filter(name => !name.includes('utf16'))
    .sort()
    .map(name => ({ name, bytes: readFileSync(join(corpus, 'collapsed', name)) }));
}

describe('streamed import of line formats', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-stream-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The streamed parse of `bytes` (written to a file) against parseProfileBytes of the same bytes. */
  async function assertSameAsWhole(name: string, bytes: Buffer, chunkBytes: number, { damaged = false } = {}): Promise<void> {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    const whole = (() => {
      try {
        return parseProfileBytes(bytes, name, fileAnchor(statSync(path).mtimeMs));
      } catch (error) {
        return error as Error;
      }
    })();
    let streamed;
    try {
      streamed = await parseStreamedFile(path, name, { minBytes: 0, chunkBytes });
    } catch (error) {
      assert.ok(whole instanceof Error, `${name}: streamed failed (${(error as Error).message}) where the whole file read`);
      assert.equal((error as Error).message, whole.message);
      return;
    }
    if (streamed === undefined && damaged) {
      // Damage at the start can make the file another format's or none: then it is not for this path at all.
      assert.ok(whole instanceof Error || (whole.format !== 'perf-script' && whole.format !== 'collapsed'), `${name} reads as ${whole instanceof Error ? '' : whole.format} whole but was not streamed`);
      return;
    }
    assert.ok(streamed, `${name} was not streamed`);
    assert.ok(!(whole instanceof Error), `${name}: the whole file failed (${(whole as Error).message}) where the stream read`);
    assert.deepEqual(streamed.parsed, whole, `${name}, chunks of ${chunkBytes} bytes`);
    assert.equal(streamed.profileId, profileIdOf(bytes));
  }

  for (const { name, bytes } of [...perfCorpus(), ...collapsedCorpus()]) {
    it(`reads ${name} as the whole file reads it, in chunks of any size`, async () => {
      // One-byte reads are for the small files only: a read costs about as much as a line.
      for (const chunkBytes of [1, 7, 4093, 4 * 1024 * 1024].filter(size => bytes.length / size < 25_000)) await assertSameAsWhole(name, bytes, chunkBytes);
    });
  }

  it('reads truncated and damaged copies as the whole file reads them, errors included', async () => {
    const rng = random(20);
    const source = perfCorpus().find(f => f.name === 'forks.linux-perf.txt')!.bytes;
    for (let i = 0; i < 40; i++) {
      const copy = Buffer.from(source.subarray(0, 1 + Math.floor(rng() * source.length)));
      // Damage: bytes overwritten with noise, newlines, CRs and bytes that are not UTF-8.
      for (let k = 0; k < 1 + Math.floor(rng() * 8); k++) copy[Math.floor(rng() * copy.length)] = [0x0a, 0x0d, 0xff, 0xc3, 0x20, 0x41][Math.floor(rng() * 6)]!;
      await assertSameAsWhole(`damaged-${i}.txt`, copy, 100 + Math.floor(rng() * 3000), { damaged: true });
    }
  });

  it('reads damaged collapsed stacks as the whole file reads them', async () => {
    const rng = random(21);
    const source = Buffer.from(Array.from({ length: 400 }, (_, i) => `main;run;work${i % 17};leaf${i % 5} ${1 + (i % 9)}\n`).join(''));
    for (let i = 0; i < 30; i++) {
      const copy = Buffer.from(source.subarray(0, 1 + Math.floor(rng() * source.length)));
      for (let k = 0; k < 1 + Math.floor(rng() * 8); k++) copy[Math.floor(rng() * copy.length)] = [0x0a, 0x0d, 0xff, 0x3b, 0x20, 0x41][Math.floor(rng() * 6)]!;
      await assertSameAsWhole(`damaged-${i}.folded`, copy, 50 + Math.floor(rng() * 500), { damaged: true });
    }
  });

  it('leaves JSON other than V8 profiles, UTF-16 text and small files to the whole-file path', async () => {
    const perf = perfCorpus()[0]!.bytes;
    const cases: [string, Buffer][] = [
      // V8 profiles as V8 writes them stream (formats/v8/v8ProfileStream.test.ts); the legacy layout does not.
      ['legacy cpuprofile', readFileSync(join(corpus, 'cpuprofile', 'example.cpuprofile'))],
      ['speedscope', readFileSync(join(corpus, 'speedscope', readdirSync(join(corpus, 'speedscope')).sort()[0]!))],
      ['utf16', readFileSync(join(corpus, 'collapsed', 'simple-utf16-le.txt'))],
      ['utf16 perf', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(perf.toString('utf8'), 'utf16le')])],
    ];
    for (const [name, bytes] of cases) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      assert.equal(await parseStreamedFile(path, name, { minBytes: 0 }), undefined, name);
    }
    const path = join(dir, 'small.perf.txt');
    writeFileSync(path, perf);
    assert.equal(await parseStreamedFile(path, 'small.perf.txt'), undefined, 'below the default size, a file is read whole');
  });

  it('reads gzip files as a stream, inflated as they are read, as the whole file reads them', async () => {
    const files = [
      ...perfCorpus().map(({ name, bytes }) => ({ name: `${name}.gz`, gz: gzipSync(bytes) })),
      { name: 'tsc-small.cpuprofile.gz', gz: readFileSync(join(corpus, 'generated', 'tsc-small.cpuprofile.gz')) },
    ];
    for (const { name, gz } of files) {
      const path = join(dir, name);
      writeFileSync(path, gz);
      const inflated = gunzipSync(gz);
      const whole = parseProfileBytes(inflated, name, fileAnchor(statSync(path).mtimeMs));
      for (const chunkBytes of [4093, 4 * 1024 * 1024]) {
        const streamed = await parseStreamedFile(path, name, { minBytes: 0, chunkBytes });
        assert.ok(streamed, `${name} was not streamed`);
        assert.deepEqual(streamed.parsed, whole, `${name}, chunks of ${chunkBytes} bytes`);
        assert.equal(streamed.profileId, profileIdOf(inflated), 'the profile_id of the inflated bytes, as importProfileBytes gives');
      }
    }
  });

  it('refuses a streamed gzip that inflates past the limit by more than the ratio a profile has, and reads damaged ones whole', async () => {
    // A perf script head, then the same sample again and again: it inflates about a thousand times.
    const perf = perfCorpus().find(f => f.name === 'forks.linux-perf.txt')!.bytes.toString('utf8');
    const sample = perf.slice(0, perf.indexOf('\n\n') + 2);
    const bomb = gzipSync(Buffer.from(sample.repeat(Math.ceil((8 * 2 ** 20) / sample.length))));
    const path = join(dir, 'bomb.perf.txt.gz');
    writeFileSync(path, bomb);
    await assert.rejects(parseStreamedFile(path, 'bomb.perf.txt.gz', { minBytes: 0, gzipLimitBytes: 2 ** 20 }), /bomb\.perf\.txt\.gz is too large once decompressed/);
    // Below the limit, or within the ratio, the same file is read.
    assert.ok(await parseStreamedFile(path, 'bomb.perf.txt.gz', { minBytes: 0 }));
    const xz = perfCorpus().find(f => f.name === 'xz.perf.txt')!;
    const xzPath = join(dir, 'xz.perf.txt.gz');
    writeFileSync(xzPath, gzipSync(xz.bytes));
    assert.ok(await parseStreamedFile(xzPath, 'xz.perf.txt.gz', { minBytes: 0, gzipLimitBytes: 2 ** 16 }), 'a real recording keeps to the ratio');
    // A damaged gzip is left to the whole-file path, which says it is damaged.
    const damaged = gzipSync(xz.bytes);
    damaged.fill(0x55, damaged.length >> 1, (damaged.length >> 1) + 64);
    const damagedPath = join(dir, 'damaged.perf.txt.gz');
    writeFileSync(damagedPath, damaged);
    assert.equal(await parseStreamedFile(damagedPath, 'damaged.perf.txt.gz', { minBytes: 0 }), undefined);
    // Its checksum broken: it inflates whole before the gzip fails, and is still left to the whole-file path.
    const badSum = gzipSync(xz.bytes);
    badSum[badSum.length - 6] = badSum[badSum.length - 6]! ^ 0xff;
    const badSumPath = join(dir, 'badsum.perf.txt.gz');
    writeFileSync(badSumPath, badSum);
    assert.equal(await parseStreamedFile(badSumPath, 'badsum.perf.txt.gz', { minBytes: 0 }), undefined);
    const store = await Store.open(join(dir, 'gzip-store'));
    try {
      for (const [name, bytes, file] of [['damaged.perf.txt.gz', damaged, damagedPath], ['badsum.perf.txt.gz', badSum, badSumPath]] as const) {
        const wholeError = await importProfileBytes(store, bytes, name, {}).then(() => 'imported', (error: Error) => error.message);
        assert.match(wholeError, /gzip-compressed but damaged/);
        await assert.rejects(importProfileFile(store, file, name, {}, { streamMinBytes: 0 }), (error: Error) => error.message === wholeError);
      }
    } finally {
      await store.close();
    }
  });

  it('imports into the store the rows and profile the whole-file import stores, and knows it is there already', async () => {
    const { name, bytes } = perfCorpus().find(f => f.name === 'xz.perf.txt')!;
    await checkStreamedImport(dir, name, bytes);
  });
});

describe('ChunkedLines', () => {
  it('finds the lines forEachLine finds, however the text is cut', () => {
    const rng = random(7);
    const texts = ['', '\n', 'a', 'a\n', 'a\r\n\r\nb', '\n\n\nx\n\n', 'é€😀\nligne 2\r\nfin', 'one\ntwo\nthree\n'];
    for (let i = 0; i < 50; i++) texts.push(Array.from({ length: Math.floor(rng() * 40) }, () => 'ab\n\r'[Math.floor(rng() * 4)]).join(''));
    for (const text of texts) {
      const expected: string[] = [];
      forEachLine(text, line => expected.push(line));
      for (let trial = 0; trial < 10; trial++) {
        const got: string[] = [];
        const lines = new ChunkedLines(line => got.push(line), () => new Error('too long'));
        for (let at = 0; at < text.length; ) {
          const next = Math.min(text.length, at + Math.floor(rng() * 6));
          lines.push(text.slice(at, next));
          at = next;
        }
        lines.end();
        assert.deepEqual(got, expected, JSON.stringify(text));
      }
    }
  });

  it('refuses a line longer than its bound, so memory stays bounded', () => {
    const lines = new ChunkedLines(() => {}, () => new Error('a line is too long'), 100);
    lines.push('x'.repeat(60));
    assert.throws(() => lines.push('y'.repeat(60)), /a line is too long/);
    const ended = new ChunkedLines(() => {}, () => new Error('a line is too long'), 100);
    assert.throws(() => ended.push(`short\n${'z'.repeat(101)}`), /a line is too long/);
  });
});
