import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { corpusDir } from '../../test/support/corpus';
import { random } from '../../test/support/random';
import { parseProfileBytes } from './detectFormat';
import { ProfileImportError } from './importedProfile';

/** Inputs per run; ICICLE_FUZZ_INPUTS raises it for a longer local run. */
const INPUTS = Number(process.env['ICICLE_FUZZ_INPUTS'] ?? 5000);
const PER_INPUT_MS = 2000;
const MAX_SEED_BYTES = 256 * 1024;

/** One mutation of a real file: flipped bytes, a truncation, a spliced copy of a region, or interesting bytes. */
function mutate(bytes: Buffer, next: () => number): Buffer {
  const out = Buffer.from(bytes);
  const at = (): number => Math.floor(next() * out.length);
  switch (Math.floor(next() * 5)) {
    case 0: {
      for (let i = 0, n = 1 + Math.floor(next() * 8); i < n; i++) out[at()] = Math.floor(next() * 256);
      return out;
    }
    case 1:
      return out.subarray(0, at());
    case 2: {
      const from = at();
      const length = Math.floor(next() * Math.min(4096, out.length - from));
      const to = at();
      return Buffer.concat([out.subarray(0, to), out.subarray(from, from + length), out.subarray(to)]);
    }
    case 3: {
      const interesting = ['-1', '1e308', 'null', '"', '{', ']', '\u0000', '\uffff', '99999999999999999999', ';', '\n', '0x'];
      const text = Buffer.from(interesting[Math.floor(next() * interesting.length)]!, 'utf8');
      const to = at();
      return Buffer.concat([out.subarray(0, to), text, out.subarray(to)]);
    }
    default: {
      // Varint-heavy damage for protobuf: set high bits so lengths and ids become huge.
      for (let i = 0, n = 1 + Math.floor(next() * 4); i < n; i++) {
        const index = at();
        out[index] = out[index]! | 0x80;
      }
      return out;
    }
  }
}

function seedFiles(): { name: string; bytes: Buffer }[] {
  const corpus = corpusDir();
  const seeds: { name: string; bytes: Buffer }[] = [];
  for (const folder of readdirSync(corpus).sort()) {
    const dir = join(corpus, folder);
    if (!statSync(dir).isDirectory() || folder === 'licenses') continue;
    for (const name of readdirSync(dir).sort()) {
      const raw = readFileSync(join(dir, name));
      const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
      if (bytes.length <= MAX_SEED_BYTES) seeds.push({ name: `${folder}/${name}`, bytes });
    }
  }
  // Formats the shared corpus lacks, from the repository's own test data: OTLP profiles, binary and JSON, weighted
  // like a folder of the corpus (ten copies each) so that they get their share of the inputs.
  const otlp = join(__dirname, 'formats', 'testdata', 'otlp');
  for (const name of ['spans.otlp.pb', 'spans.otlp.json']) {
    const bytes = readFileSync(join(otlp, name));
    for (let i = 0; i < 10; i++) seeds.push({ name: `otlp/${name}`, bytes });
  }
  return seeds;
}

/**
 * Fuzzing: thousands of damaged versions of the corpus's files. Each must parse or be refused with a
 * ProfileImportError, quickly, and memory must stay bounded; anything else (a TypeError, a RangeError from a huge
 * allocation, a hang) is a bug in an importer.
 */
describe('importers under random damage', function () {
  this.timeout(300_000);
  it(`parse or refuse, with a typed error and in time, ${INPUTS} mutated corpus files`, () => {
    const seeds = seedFiles();
    assert.ok(seeds.length > 30, 'the corpus has small files of every format');
    const next = random(0x1c1c1e);
    const heapBefore = process.memoryUsage().heapUsed;
    let parsed = 0;
    let refused = 0;
    for (let i = 0; i < INPUTS; i++) {
      const seed = seeds[Math.floor(next() * seeds.length)]!;
      let input = mutate(seed.bytes, next);
      if (next() < 0.3) input = mutate(input, next);
      const started = performance.now();
      try {
        parseProfileBytes(input, `fuzz-${i}`, { startMs: 0 });
        parsed++;
      } catch (error) {
        if (!(error instanceof ProfileImportError)) {
          assert.fail(`input ${i} (from ${seed.name}) threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
        }
        refused++;
      }
      const ms = performance.now() - started;
      assert.ok(ms < PER_INPUT_MS, `input ${i} (from ${seed.name}) took ${ms.toFixed(0)} ms`);
    }
    const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    assert.ok(grownMb < 512, `heap grew by ${grownMb.toFixed(0)} MB`);
    console.log(`      ${parsed} parsed, ${refused} refused`);
  });
});
