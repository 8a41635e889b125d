import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusDir } from '../../../../test/support/corpus';
import { random } from '../../../../test/support/random';
import { checkStreamedImport, parseWhole } from '../../../../test/support/streamedImport';
import { jsonFormat, streamableFormat } from '../../detectFormat';
import { importProfileBytes, importProfileFile, profileIdOf } from '../../importFile';
import { parseStreamedFile } from '../../streamImport';
import { ProfileFile } from '../formatReader';
import { chromeTraceReader } from './chromeTraceReader';
import { chromeTraceChunks } from './chromeTraceStream';

/**
 * A big Chrome trace is read as a stream (chromeTraceStream.ts): its events found one by one in chunks, each parsed
 * alone and given to the reader that reads whole traces. The promise is that it imports exactly as the whole file
 * read in memory does (the same profiles, notes and `profile_id`, or the same error), whatever the chunk size
 * (strings, escapes and events cut anywhere), for every Chrome trace of the corpus, both layouts (`traceEvents` and
 * a bare array, unterminated too) and the same traces written otherwise; and that a file the stream declines
 * (damage, other JSON) is read whole, as before.
 */

const corpus = corpusDir();

function traceCorpus(): { name: string; bytes: Buffer }[] {
  return readdirSync(join(corpus, 'chrome-trace'))
    .filter(name => name.endsWith('.json'))
    .sort()
    .map(name => ({ name, bytes: readFileSync(join(corpus, 'chrome-trace', name)) }));
}

type Outcome = { profiles: unknown; notes: string[] } | { error: string } | undefined;

/** The chunk parser fed `bytes` in pieces of `size`, in memory (one-byte pieces are cheap so); undefined when declined. */
function chunked(bytes: Buffer, size: number, name: string): Outcome {
  const notes: string[] = [];
  const parser = chromeTraceChunks(name, notes);
  for (let at = 0; at < bytes.length; at += size) parser.push(bytes.subarray(at, at + size));
  const sniffed = parser.sniffedJson!();
  if (sniffed === undefined) return undefined;
  if (sniffed.json !== undefined && jsonFormat(sniffed.json) !== 'chrome-trace') return undefined;
  try {
    const profiles = parser.finish();
    return profiles === undefined ? undefined : { profiles, notes };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The reader's parse of the whole file, as detection gives it the file (its text). */
function wholeReader(bytes: Buffer, name: string): Outcome {
  const notes: string[] = [];
  try {
    return { profiles: chromeTraceReader.parse(new ProfileFile(bytes), name, notes), notes };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The chunk parser in pieces of `size` reads what the whole reader reads, or declines a file the whole reader fails on. */
function assertPiecesAsWhole(bytes: Buffer, size: number, name: string): void {
  const inPieces = chunked(bytes, size, name);
  const wholeRead = wholeReader(bytes, name);
  if (inPieces === undefined) assert.ok(wholeRead !== undefined && 'error' in wholeRead, `${name} declined in pieces of ${size}, but the whole file reads`);
  else assert.deepEqual(inPieces, wholeRead, `${name} in pieces of ${size}`);
}

describe('streamed import of Chrome traces', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-stream-trace-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The streamed parse of `bytes` (written to a file) is the whole file's parse or error, with the same profile_id. */
  async function assertStreamedAsWhole(name: string, bytes: Buffer, chunkBytes: number): Promise<void> {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    const expected = parseWhole(path, name, bytes);
    if (expected instanceof Error) {
      // The same error, or declined (read whole by importProfileFile, where it gets that error).
      const streamed = await parseStreamedFile(path, name, { minBytes: 0, chunkBytes }).catch((error: Error) => error);
      assert.ok(streamed === undefined || (streamed instanceof Error && streamed.message === expected.message), `${name}: ${String(streamed)}`);
      return;
    }
    assert.equal(expected.format, 'chrome-trace', name);
    const streamed = await parseStreamedFile(path, name, { minBytes: 0, chunkBytes });
    assert.ok(streamed, `${name} was not streamed`);
    assert.deepEqual(streamed.parsed, expected, `${name}, chunks of ${chunkBytes} bytes`);
    assert.equal(streamed.profileId, profileIdOf(bytes));
  }

  for (const { name, bytes } of traceCorpus()) {
    it(`reads ${name} as the whole file reads it, in chunks of any size`, async () => {
      assert.ok(!(wholeReader(bytes, name) as { error?: string }).error, `${name} reads whole`);
      assert.equal(streamableFormat(bytes.subarray(0, 256 * 1024))?.format, 'chrome-trace', `${name} is streamed as a Chrome trace`);
      for (const chunkBytes of [4093, 4 * 1024 * 1024]) await assertStreamedAsWhole(name, bytes, chunkBytes);
      // One- and seven-byte pieces: every string, escape, number and event is cut somewhere.
      for (const size of [1, 7]) assertPiecesAsWhole(bytes, size, name);
    });
  }

  it('reads the same traces written otherwise (spaces, CRLF, byte order mark, escapes, member order), or leaves them whole', async () => {
    const objectForm = traceCorpus().find(f => f.name === 'Trace-20230603T221323.json')!.bytes;
    const arrayForm = traceCorpus().find(f => f.name === 'simple.json')!.bytes;
    const json = JSON.parse(objectForm.toString('utf8')) as { traceEvents: Record<string, unknown>[]; metadata: unknown };
    // Strings with brackets, quotes and backslashes that a scanner must not count as structure.
    json.traceEvents.forEach((event, i) => {
      if (i % 5 === 0) event['cat'] = `]}[{"\\${i}\u00e9\u2028`;
    });
    const { traceEvents, metadata, ...rest } = json;
    const variants: [string, Buffer][] = [
      ['pretty.json', Buffer.from(JSON.stringify(json, null, 2))],
      ['crlf.json', Buffer.from(JSON.stringify(json, null, '\t').replace(/\n/g, '\r\n'))],
      ['bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), objectForm])],
      ['bom-array.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), arrayForm])],
      ['metadata-first.json', Buffer.from(JSON.stringify({ metadata, ...rest, traceEvents, more: [1, 'x', { y: null }] }))],
      ['other-values.json', Buffer.from(`[{"ph":"M","pid":1},1,-2.5e3,"s\\"]",true,false,null,[{"ph":"X"}],{},${arrayForm.toString('utf8').slice(1)}`)],
      ['empty-object.json', Buffer.from('{"traceEvents":[]}')],
      ['unterminated-comma.json', Buffer.from(`${arrayForm.toString('utf8').trimEnd().slice(0, -1)},\n  `)],
      ['unterminated-number.json', Buffer.from(`${arrayForm.toString('utf8').trimEnd().slice(0, -1)},12`)],
      ['unterminated-array-event.json', Buffer.from(`${arrayForm.toString('utf8').trimEnd().slice(0, -1)},[1]`)],
      ['unterminated-array-event-comma.json', Buffer.from(`${arrayForm.toString('utf8').trimEnd().slice(0, -1)},[1],`)],
      ['just-open.json', Buffer.from('[ \n')],
    ];
    for (const [name, bytes] of variants) {
      for (const chunkBytes of [4093, 65536]) await assertStreamedAsWhole(name, bytes, chunkBytes);
      assertPiecesAsWhole(bytes, 7, name);
    }
    // A key written with escapes is read by the chunk parser; the head's sniffer (text) does not see it as a trace, so
    // such a file is read whole, as before.
    const escaped = Buffer.from(JSON.stringify(json).replace('"traceEvents"', '"trace\\u0045vents"'));
    assert.equal(streamableFormat(escaped), undefined);
    assertPiecesAsWhole(escaped, 7, 'escaped-key.json');
    assert.ok(chunked(escaped, 4093, 'escaped-key.json'), 'the escaped key is read as traceEvents');

    // An event that is an array at the end of an unterminated array cannot be closed by the whole-file path either.
    const path = join(dir, 'unterminated-array-event.json');
    assert.ok(parseWhole(path, 'x.json', readFileSync(path)) instanceof Error);

    // JSON that detection gives another reader, or refuses, or reads otherwise, is left to the whole-file path.
    const declined: [string, string][] = [
      ['with-nodes.json', JSON.stringify({ traceEvents, nodes: [] })],
      ['firefox.json', JSON.stringify({ traceEvents, meta: { interval: 1 }, threads: [] })],
      ['twice.json', JSON.stringify({ traceEvents }).replace(/\}$/, ',"traceEvents":[]}')],
      ['not-an-array.json', '{"traceEvents":{"ph":"X"}}'],
      ['nested.json', JSON.stringify({ other: { traceEvents } })],
      ['trailing.json', `${JSON.stringify({ traceEvents })} x`],
      ['cut-object.json', JSON.stringify({ traceEvents }).slice(0, -1)],
    ];
    for (const [name, text] of declined) {
      const file = join(dir, name);
      writeFileSync(file, text);
      assert.equal(await parseStreamedFile(file, name, { minBytes: 0, chunkBytes: 4093 }).catch(() => 'threw'), undefined, `${name} is read whole`);
    }
  });

  it('streams no other JSON of the corpus as a trace', async () => {
    for (const folder of ['firefox', 'speedscope', 'heapprofile', 'cpuprofile']) {
      for (const name of readdirSync(join(corpus, folder)).sort()) {
        const path = join(corpus, folder, name);
        const streamed = await parseStreamedFile(path, name, { minBytes: 0 }).catch((error: Error) => error);
        assert.ok(streamed === undefined || (!(streamed instanceof Error) && streamed.parsed.format !== 'chrome-trace'), `${folder}/${name}`);
      }
    }
  });

  it('reads damaged and truncated copies as the whole file reads them, errors included', async () => {
    const rng = random(20);
    const sources = traceCorpus().filter(f => ['simple.json', 'Trace-20230603T221323.json', 'simple-with-samples.json'].includes(f.name));
    let streamedCount = 0;
    let declinedCount = 0;
    for (let i = 0; i < 90; i++) {
      const source = sources[i % sources.length]!.bytes;
      const copy = Buffer.from(i % 2 ? source : source.subarray(0, 1 + Math.floor(rng() * source.length)));
      // Damage: digits changed (the file often stays a trace), and bytes that break strings or the JSON.
      for (let k = 0; k < Math.floor(rng() * 4); k++) {
        const at = Math.floor(rng() * copy.length);
        if (copy[at]! >= 0x30 && copy[at]! <= 0x39) copy[at] = 0x30 + Math.floor(rng() * 10);
        else if (rng() < 0.3) copy[at] = [0x22, 0x5c, 0x2c, 0x7d, 0x5d, 0x0a, 0xff, 0x5b][Math.floor(rng() * 8)]!;
      }
      const name = `damaged-${i}.json`;
      const path = join(dir, name);
      writeFileSync(path, copy);
      const expected = parseWhole(path, name, copy);
      const chunkBytes = 1000 + Math.floor(rng() * 5000);
      let streamed;
      try {
        streamed = await parseStreamedFile(path, name, { minBytes: 0, chunkBytes });
      } catch (error) {
        assert.ok(expected instanceof Error, `${name}: streamed fails (${(error as Error).message}), whole reads`);
        assert.equal((error as Error).message, expected.message, name);
        streamedCount++;
        continue;
      }
      if (streamed === undefined) {
        // Declined: read whole, as importProfileFile does. The whole file must be no trace either.
        assert.ok(expected instanceof Error || expected.format !== 'chrome-trace', `${name} is a trace whole but was not streamed`);
        declinedCount++;
        continue;
      }
      streamedCount++;
      assert.ok(!(expected instanceof Error), `${name} streamed but the whole file fails: ${(expected as Error).message}`);
      assert.deepEqual(streamed.parsed, expected, name);
    }
    assert.ok(streamedCount >= 30 && declinedCount >= 10, `${streamedCount} streamed, ${declinedCount} declined`);
  });

  it('imports into the store what the whole-file import stores, truncated files included, and knows a file is there already', async () => {
    for (const source of ['Trace-20230603T221323.json', 'chrome-85-parcel.json']) {
      const { name, bytes } = traceCorpus().find(f => f.name === source)!;
      await checkStreamedImport(dir, name, bytes, async ({ streamed, whole: wholeStore }) => {
        for (const cut of [1, 9, 5000, Math.floor(bytes.length / 2), bytes.length - 2]) {
          const truncated = join(dir, `cut-${cut}.json`);
          writeFileSync(truncated, bytes.subarray(0, cut));
          const wholeResult = await importProfileBytes(wholeStore, bytes.subarray(0, cut), `cut-${cut}.json`, {}).then(
            result => ({ rows: result.rows, format: result.format }),
            (error: Error) => error.message,
          );
          const streamedResult = await importProfileFile(streamed, truncated, `cut-${cut}.json`, {}, { streamMinBytes: 0 }).then(
            result => ({ rows: result.rows, format: result.format }),
            (error: Error) => error.message,
          );
          assert.deepEqual(streamedResult, wholeResult, `${source} cut at ${cut}`);
        }
      });
      rmSync(join(dir, 'streamed'), { recursive: true, force: true });
      rmSync(join(dir, 'whole'), { recursive: true, force: true });
    }
  });
});
