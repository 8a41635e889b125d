import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { corpusDir } from '../../../../test/support/corpus';
import { random } from '../../../../test/support/random';
import { cpuProfileToImported } from './cpuprofileImport';
import { decodeText } from '../parseSupport';
import { scanV8Profile } from './v8ProfileScanner';

/**
 * The byte scanner is a fast path: whatever it accepts must import exactly as JSON.parse and the checked path
 * import it, and whatever JSON.parse refuses it must refuse too. These tests hold it to that on the corpus's V8
 * profiles, on the same profiles written differently, and on thousands of damaged copies.
 */

function corpusProfiles(): { name: string; bytes: Buffer }[] {
  const corpus = corpusDir();
  const files = [
    ...readdirSync(join(corpus, 'cpuprofile')).map(name => join('cpuprofile', name)),
    join('generated', 'tsc-small.cpuprofile.gz'),
  ];
  return files
    .filter(name => /\.cpuprofile(\.gz)?$/.test(name))
    .map(name => {
      const raw = readFileSync(join(corpus, name));
      return { name, bytes: raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw };
    });
}

/** The import through the checked path, or the error it throws. */
function throughJsonParse(bytes: Buffer): unknown {
  let json: unknown;
  try {
    json = JSON.parse(decodeText(bytes));
  } catch {
    return 'not JSON';
  }
  try {
    return cpuProfileToImported({ json }, 'profile');
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Asserts that the scanner either leaves the file to the checked path or imports it exactly as that path does. */
function assertAgrees(bytes: Buffer, what: string): boolean {
  const columns = scanV8Profile(bytes);
  if (columns === undefined) return false;
  const expected = throughJsonParse(bytes);
  assert.notEqual(expected, 'not JSON', `${what}: the scanner accepted text that JSON.parse refuses`);
  let actual: unknown;
  try {
    actual = cpuProfileToImported({ columns }, 'profile');
  } catch (error) {
    actual = error instanceof Error ? error.message : String(error);
  }
  assert.deepEqual(actual, expected, `${what}: the scanner's import differs from JSON.parse's`);
  return true;
}

const small = {
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, hitCount: 0, children: [2, 3] },
    { id: 2, callFrame: { functionName: 'main', scriptId: '7', url: 'file:///app/main.js', lineNumber: 3, columnNumber: 10 }, hitCount: 2, children: [4], positionTicks: [{ line: 5, ticks: 2 }] },
    { id: 3, callFrame: { functionName: '(garbage collector)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, hitCount: 1 },
    { id: 4, callFrame: { functionName: 'work', scriptId: '7', url: 'file:///app/main.js', lineNumber: 20, columnNumber: 2 }, hitCount: 3, positionTicks: [{ line: 22, ticks: 1 }, { line: 21, ticks: 2 }] },
  ],
  startTime: 100,
  endTime: 900,
  samples: [2, 4, 4, 3, 2, 4],
  timeDeltas: [10, 100, 100, 100, 100, 100],
};

describe('V8 profile byte scanner', function () {
  this.timeout(120_000);

  it('reads every V8 profile of the corpus as JSON.parse does', () => {
    const profiles = corpusProfiles();
    assert.ok(profiles.length >= 4);
    for (const { name, bytes } of profiles) {
      // The legacy format (a nested `head` tree, before Chrome 58) is for the checked path.
      const legacy = bytes.subarray(0, 16).toString('latin1').startsWith('{"head"');
      if (legacy) assert.equal(scanV8Profile(bytes), undefined, `${name} is a legacy profile`);
      else assert.ok(assertAgrees(bytes, name), `${name} is written by V8 and should take the fast path`);
    }
  });

  it('reads the same profile written with whitespace, escapes, other key orders and number forms', () => {
    const variants: Record<string, string> = {
      compact: JSON.stringify(small),
      indented: JSON.stringify(small, null, 2),
      'byte order mark': `\ufeff${JSON.stringify(small)}`,
      'escaped strings': JSON.stringify(small).replace('"main"', '"m\\u0061in\\"\\\\\\/"').replace('file:///app/main.js', 'file:///app/m\\u00e4in.js'),
      'non-ASCII names': JSON.stringify(small).replace('"work"', '"wörk ✓ 𝄞"'),
      'keys in another order': JSON.stringify({ ...small, nodes: small.nodes.map(({ callFrame, ...rest }) => ({ ...rest, callFrame: { columnNumber: callFrame.columnNumber, url: callFrame.url, lineNumber: callFrame.lineNumber, functionName: callFrame.functionName } })) }),
      'unknown fields': JSON.stringify({ ...small, nodes: small.nodes.map(n => ({ ...n, deoptReason: '', codeType: 'JS', extra: [{ a: [1, { b: null }], c: true, d: false }] })) }),
      'fractions and exponents': JSON.stringify(small).replace('"timeDeltas":[10,', '"timeDeltas":[1.5e1,').replace('"startTime":100', '"startTime":1.0E2').replace('"endTime":900', '"endTime":900.25'),
      'negative zero and big integers': JSON.stringify(small).replace('"lineNumber":3', '"lineNumber":-0').replace('"endTime":900', '"endTime":12345678901234567890'),
      'parent ids instead of children': JSON.stringify({ ...small, nodes: small.nodes.map(({ children: _, ...n }) => ({ ...n, ...(n.id === 2 || n.id === 3 ? { parent: 1 } : n.id === 4 ? { parent: 2 } : {}) })) }),
      'no samples (hit counts)': JSON.stringify({ nodes: small.nodes, startTime: 0, endTime: 600 }),
    };
    for (const [what, text] of Object.entries(variants)) assert.ok(assertAgrees(Buffer.from(text, 'utf8'), what), `${what} should take the fast path`);
  });

  it('leaves unusual or invalid files to the checked path', () => {
    const compact = JSON.stringify(small);
    const refused: Record<string, string> = {
      'a duplicate key': compact.replace('"hitCount":0,', '"hitCount":0,"hitCount":1,'),
      'an escaped key': compact.replace('"startTime"', '"st\\u0061rtTime"'),
      'another top-level key': compact.replace('"startTime"', '"title":"x","startTime"'),
      'a name that is not a string': compact.replace('"functionName":"main"', '"functionName":7'),
      'a hit count that is not a number': compact.replace('"hitCount":2', '"hitCount":"2"'),
      'trailing text': `${compact} x`,
      'a truncated file': compact.slice(0, compact.length - 3),
      'a leading zero': compact.replace('"startTime":100', '"startTime":0100'),
      'a raw control character': compact.replace('"main"', '"ma\u0001in"'),
      'a bad escape': compact.replace('"main"', '"ma\\qin"'),
      'a legacy head tree': JSON.stringify({ head: { functionName: '(root)', id: 1, children: [] }, startTime: 0, endTime: 1 }),
      'no nodes': JSON.stringify({ startTime: 0 }),
      'an empty nodes array': JSON.stringify({ nodes: [], startTime: 0 }),
      'UTF-16': `\ufeff${compact}`,
    };
    for (const [what, text] of Object.entries(refused)) {
      const bytes = what === 'UTF-16' ? Buffer.from(text, 'utf16le') : Buffer.from(text, 'utf8');
      assert.equal(scanV8Profile(bytes), undefined, `${what} should be left to the checked path`);
    }
  });

  it('holds node columns in typed arrays, with no parent column for a profile as V8 writes it', () => {
    // A huge profile (1.86M nodes) is held as these columns: plain arrays took twice the memory, grown in V8's heap.
    const columns = scanV8Profile(Buffer.from(JSON.stringify(small)))!;
    assert.ok(columns.nodeIds instanceof Int32Array && columns.hitCounts instanceof Int32Array && columns.childIds instanceof Int32Array);
    assert.ok(columns.tickLines instanceof Float64Array && columns.samples instanceof Float64Array && columns.timeDeltas instanceof Float64Array);
    assert.deepEqual(Array.from(columns.nodeIds), [1, 2, 3, 4]);
    assert.equal(columns.parentIds, undefined);
    const withParents = JSON.stringify({ ...small, nodes: small.nodes.map(({ children: _, ...n }) => ({ ...n, ...(n.id === 1 ? {} : { parent: n.id === 4 ? 2 : 1 }) })) });
    assert.deepEqual(Array.from(scanV8Profile(Buffer.from(withParents))!.parentIds!), [NaN, 1, 1, 2]);
    // Ids, children and hit counts that are not 32-bit integers are for the checked path, which reads them as before.
    const compact = JSON.stringify(small);
    for (const text of [compact.replace('"id":2,', '"id":2.5,'), compact.replace('"children":[4]', '"children":[4294967300]'), compact.replace('"hitCount":3', '"hitCount":1.5')]) {
      assert.equal(scanV8Profile(Buffer.from(text)), undefined, text);
      assert.notEqual(throughJsonParse(Buffer.from(text)), 'not JSON');
    }
  });

  it('agrees with JSON.parse on 3000 damaged profiles', () => {
    const seeds = [Buffer.from(JSON.stringify(small)), ...corpusProfiles().filter(p => p.bytes.length < 256 * 1024).map(p => p.bytes)];
    const next = random(0x5ca11e);
    let fast = 0;
    for (let i = 0; i < 3000; i++) {
      const seed = seeds[Math.floor(next() * seeds.length)]!;
      const out = Buffer.from(seed);
      const at = (): number => Math.floor(next() * out.length);
      let input: Buffer = out;
      switch (Math.floor(next() * 4)) {
        case 0:
          for (let k = 0, n = 1 + Math.floor(next() * 4); k < n; k++) out[at()] = Math.floor(next() * 256);
          break;
        case 1:
          input = out.subarray(0, at());
          break;
        case 2: {
          // A printable byte that JSON gives meaning to, where damage most often still parses.
          const chars = '0123456789-.eE",:{}[] \\u';
          out[at()] = chars.charCodeAt(Math.floor(next() * chars.length));
          break;
        }
        default: {
          const from = at();
          const to = at();
          input = Buffer.concat([out.subarray(0, to), out.subarray(from, from + Math.floor(next() * 64)), out.subarray(to)]);
        }
      }
      if (assertAgrees(input, `damaged input ${i}`)) fast++;
    }
    // Some damage (a changed digit, a changed letter in a name) leaves a valid profile, which the fast path reads.
    assert.ok(fast > 100, `only ${fast} damaged inputs took the fast path`);
  });
});
