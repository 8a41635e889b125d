import * as assert from 'node:assert/strict';
import { random } from '../../../../test/support/random';
import { parseProfileBytes } from '../../detectFormat';
import type { ImportedProfile } from '../../importedProfile';
import { fileAnchor } from '../../timeAnchor';
import { ChunkedByteLines, forEachByteLine } from '../textLines';
import { BytesMap } from './bytesMap';
import { parsePerfScript } from './perfScript';
import { perfScriptParser } from './perfScanner';
import { StackTrie } from './stackTrie';

/**
 * The byte scanner (perfScanner.ts) reads `perf script` text from its bytes: headers of the common form from bytes,
 * frame lines looked up by their bytes, strings made only of what is new. These tests hold it to the text reader
 * (parseHeader, parseFrameLine) on random and hostile lines, and to the same result however the bytes are cut.
 */

const COMMS = ['xz', 'web server', 'ƒünç 😀', '<script>alert(1)</script>', 'a\u2028b', 'java\u00a0x', 'tab\there', '1.5:', 'cpu-clock:', '[001]', '12/34', 'x\u0000y', '名前', '\ufeffbom', 'a"b\'c', ''];
const IDS = ['1234', '1234/1240', '77/78', '12/', 'abc', '0', '99999999999', '/5'];
const CPUS = ['', '', '[003]', '[x]', '[]'];
const TIMES = ['100.000000:', '100.002500:', '5.5:', '1.:', '.5:', '12345678901234.123456:', '0.000001:', '', '1e5.2:', '99999999.9999999:', '996.257774:'];
const PERIODS = ['', '1001001', '1001001', '500', 'NaN', '-5', '99999999999999999999', '9007199254740993', '007'];
const EVENTS = ['cpu-clock:ppp:', 'cpu-clock:', 'cycles:', 'instructions:u:', 'sched:sched_switch:', 'sched:', '', 'ƒ:'];
const INLINE = ['', '', '', '401000 inline_leaf+0x4 (/bin/app)', 'ffffffff81000130 k ([kernel.kallsyms])', 'zz not hex'];
const SEPARATORS = [' ', ' ', '  ', '\t', ' \t '];
const FRAMES = [
  '7f0000001234 handle(Request const&) (anonymous namespace)+0x1a (/usr/lib/libapp.so (deleted))',
  'ffffffff81000130 entry_SYSCALL_64_after_hwframe+0x76 ([kernel.kallsyms])',
  '7f00deadbeef [unknown] ([unknown])',
  '3a1b2e00 JS:*main /app/index.js:3:19 (/tmp/perf-4321.map)',
  '20a07 ƒünç😀+0x7 (/opt/名前.so)',
  '20a08 <img src=x onerror=alert(1)> (/bin/"quoted")',
  '20a09 a\u2028b\u0000c (/bin/a)',
  '10 f (/bin/a)',
  '/src/a.c:12',
  '[kernel.kallsyms][ffffffff81c7ee24]',
  'not a frame',
  '0 [unknown] ([unknown])',
];

function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

/** A random `perf script` text: headers of every form, good and bad, frames, srclines, comments, blank lines, CRLF. */
function randomPerfText(rng: () => number): string {
  const lines: string[] = [];
  if (rng() < 0.3) lines.push('# ========', '# captured on: Wed Aug 15 16:01:24 2018', '# ========');
  const samples = 1 + Math.floor(rng() * 12);
  let thread = '';
  for (let s = 0; s < samples; s++) {
    // Half the headers name the thread the last one named, in the same bytes, as most of a recording does.
    if (s === 0 || rng() < 0.5) thread = `${pick(rng, COMMS)}${pick(rng, SEPARATORS)}${pick(rng, IDS)}`;
    const fields = [thread, pick(rng, CPUS), pick(rng, TIMES), pick(rng, PERIODS), pick(rng, EVENTS), pick(rng, INLINE)].filter(f => f !== '');
    lines.push(fields.map((f, i) => (i === 0 ? f : `${pick(rng, SEPARATORS)}${f}`)).join('') + (rng() < 0.3 ? ' ' : ''));
    const frames = Math.floor(rng() * 5);
    for (let f = 0; f < frames; f++) lines.push(`${pick(rng, ['\t', '\t    ', '  '])}${pick(rng, FRAMES)}`);
    if (rng() < 0.1) lines.push('junk line');
    if (rng() < 0.9) lines.push('');
  }
  return lines.join(rng() < 0.3 ? '\r\n' : '\n');
}

function parse(bytes: Buffer, headersFromText: boolean): ImportedProfile[] | string {
  const parser = perfScriptParser('random.txt', { notes: [] }, { headersFromText });
  forEachByteLine(bytes, parser.line);
  try {
    return parser.finish();
  } catch (error) {
    return (error as Error).message;
  }
}

describe('perf script byte scanner', () => {
  it('reads every header as the text reader does, good and bad ones, with notes', () => {
    const rng = random(2020);
    let read = 0;
    // Headers that start with the bytes naming the last one's thread, but name another or none.
    const tricky = [
      'xz 1234 1.0: 1 ev:\n\t 10 f (/bin/a)\n\nxz 12341.5: 1 ev:\n\t 10 f (/bin/a)\n\nxz 1234 2.0: 1 ev:\n',
      'xz 1234 [001] 1.0: 1 ev:\n\t 10 f (/bin/a)\n\nxz 1234 junk 2.0: 1 ev:\n\t 10 f (/bin/a)\n\nxz 1234 [002] 3.0: 1 ev:\n',
      'a b 7/8 1.0: 1 ev:\n\na b 7/8 9/10 2.0: 1 ev:\n\na b 7/8\t[1] [2] 3.0: 1 ev:\n\na b 7/8 4.0:\n',
    ];
    for (let i = 0; i < 400 + tricky.length; i++) {
      const bytes = Buffer.from(tricky[i - 400] ?? randomPerfText(rng), 'utf8');
      const notesFromBytes: string[] = [];
      const notesFromText: string[] = [];
      const fromBytes = perfScriptParser('r.txt', { notes: notesFromBytes });
      const fromText = perfScriptParser('r.txt', { notes: notesFromText }, { headersFromText: true });
      forEachByteLine(bytes, fromBytes.line);
      forEachByteLine(bytes, fromText.line);
      const outcome = (parser: typeof fromBytes): ImportedProfile[] | string => {
        try {
          return parser.finish();
        } catch (error) {
          return (error as Error).message;
        }
      };
      const expected = outcome(fromText);
      assert.deepEqual(outcome(fromBytes), expected, bytes.toString('utf8'));
      assert.deepEqual(notesFromBytes, notesFromText);
      if (typeof expected !== 'string') read++;
    }
    assert.ok(read > 200, `only ${read} of the random texts held a sample`);
  });

  it('reads the same profile however the bytes are cut, multi-byte characters and CRLF included', () => {
    const rng = random(2021);
    for (let i = 0; i < 150; i++) {
      const bytes = Buffer.from(randomPerfText(rng), 'utf8');
      const whole = parse(bytes, false);
      const parser = perfScriptParser('random.txt', { notes: [] });
      const lines = new ChunkedByteLines(parser.line, () => new Error('too long'));
      for (let at = 0; at < bytes.length; ) {
        const next = Math.min(bytes.length, at + 1 + Math.floor(rng() * 9));
        lines.push(bytes.subarray(at, next));
        at = next;
      }
      lines.end();
      let cut: ImportedProfile[] | string;
      try {
        cut = parser.finish();
      } catch (error) {
        cut = (error as Error).message;
      }
      assert.deepEqual(cut, whole);
    }
  });

  it('makes names from their UTF-8 bytes, and bytes that are not UTF-8 the replacement character, as decoding the whole text does', () => {
    const text = [
      'ƒünç 😀 4321/4322 [001] 10.5: 1001001 cpu-clock:',
      '\t 20a07 ƒünç😀+0x7 (/opt/名前.so)',
      '\t 20a08 <img src=x onerror=alert(1)> (/bin/"quoted")',
      '\t 20a09 bad\u00ffbyte (/bin/a)',
      '',
    ].join('\r\n');
    // The 0xff above is written as the byte 0xff, which is no UTF-8.
    const bytes = Buffer.from(text.replace('\u00ff', '\u0000'), 'utf8');
    bytes[bytes.indexOf(0)] = 0xff;
    const [profile] = parse(bytes, false) as ImportedProfile[];
    assert.deepEqual(
      Array.from(profile!.stacks[0]!, f => [profile!.frames[f]!.name, profile!.frames[f]!.module]),
      [
        ['ƒünç😀', '/opt/名前.so'],
        ['<img src=x onerror=alert(1)>', '/bin/"quoted"'],
        ['bad\ufffdbyte', '/bin/a'],
      ],
    );
    assert.deepEqual(profile!.sampleLabels['comm'], ['ƒünç 😀']);
    assert.deepEqual(profile!.nativeAddresses?.leafOffsets, ['20a07']);
    assert.deepEqual(parsePerfScript(bytes.toString('utf8'), 'x.txt'), [profile], 'the text in memory reads the same');
  });

  it('reads a file read whole from its own UTF-8 bytes as from the same text with a byte order mark or in UTF-16', () => {
    const text = 'ƒünç 😀 4321/4322 10.5: 1001001 cpu-clock:\n\t 20a07 ƒünç😀+0x7 (/opt/名前.so)\n\nxz 1/2 10.6: 1001001 cpu-clock:\n\t 10 f (/bin/a)\n';
    const anchor = fileAnchor(Date.UTC(2026, 0, 1));
    const utf8 = parseProfileBytes(Buffer.from(text, 'utf8'), 'a.txt', anchor);
    assert.equal(utf8.format, 'perf-script');
    assert.deepEqual(utf8.profiles[0]!.sampleLabels['comm'], ['ƒünç 😀', 'xz']);
    assert.deepEqual(parseProfileBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]), 'a.txt', anchor), utf8);
    assert.deepEqual(parseProfileBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'a.txt', anchor), utf8);
  });

  it('keeps lines cut between chunks whole, and bounds how long one may grow', () => {
    const rng = random(2022);
    for (let i = 0; i < 60; i++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(rng() * 30) }, () => pick(rng, ['a', 'é', '😀', '\n', '\r', ' '])).join(''), 'utf8');
      const expected: string[] = [];
      forEachByteLine(bytes, (b, s, e) => expected.push(b.toString('utf8', s, e)));
      const got: string[] = [];
      const lines = new ChunkedByteLines((b, s, e) => got.push(b.toString('utf8', s, e)), () => new Error('too long'));
      for (let at = 0; at < bytes.length; ) {
        const next = Math.min(bytes.length, at + Math.floor(rng() * 5));
        lines.push(bytes.subarray(at, next));
        at = next;
      }
      lines.end();
      assert.deepEqual(got, expected, JSON.stringify(bytes.toString('utf8')));
    }
    const bounded = new ChunkedByteLines(() => {}, () => new Error('a line is too long'), 100);
    bounded.push(Buffer.alloc(60, 0x78));
    assert.throws(() => bounded.push(Buffer.alloc(60, 0x79)), /a line is too long/);
  });
});

describe('BytesMap', () => {
  it('gives equal bytes one index and different bytes different ones, and refuses keys past its bounds', () => {
    const rng = random(5);
    const map = new BytesMap(100_000, 10 * 2 ** 20);
    const seen = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      // Keys of a few lengths over a few letters, so that many share a length and most of their bytes.
      const key = Array.from({ length: 1 + Math.floor(rng() * 9) }, () => pick(rng, ['a', 'b', 'é'])).join('');
      const bytes = Buffer.concat([Buffer.from('xx'), Buffer.from(key), Buffer.from('yy')]);
      let index = map.find(bytes, 2, bytes.length - 2);
      if (index < 0) index = map.add(bytes, 2, bytes.length - 2);
      if (!seen.has(key)) seen.set(key, index);
      assert.equal(index, seen.get(key), key);
    }
    assert.equal(new Set(seen.values()).size, seen.size);
    const small = new BytesMap(2, 1000);
    for (const key of ['a', 'b']) assert.equal(small.find(Buffer.from(key), 0, 1), -1);
    assert.equal(small.add(Buffer.from('b'), 0, 1), 0);
    assert.equal(small.find(Buffer.from('c'), 0, 1), -1);
    assert.equal(small.add(Buffer.from('c'), 0, 1), 1);
    assert.equal(small.find(Buffer.from('d'), 0, 1), -1);
    assert.equal(small.add(Buffer.from('d'), 0, 1), -1, 'full');
    assert.equal(small.find(Buffer.from('c'), 0, 1), 1, 'still finds what it holds');
  });
});

describe('StackTrie', () => {
  it('reaches one node for equal sequences and different nodes for different ones', () => {
    const rng = random(6);
    const trie = new StackTrie(1_000_000);
    const nodes = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const frames = Array.from({ length: Math.floor(rng() * 6) }, () => Math.floor(rng() * 4));
      let node = 0;
      for (const frame of frames) node = trie.child(node, frame);
      const key = frames.join(',');
      if (!nodes.has(key)) nodes.set(key, node);
      assert.equal(node, nodes.get(key), key);
    }
    assert.equal(new Set(nodes.values()).size, nodes.size);
    const full = new StackTrie(3);
    assert.equal(full.child(0, 7), 1);
    assert.equal(full.child(1, 7), 2);
    assert.equal(full.child(2, 7), -1, 'full');
    assert.equal(full.child(0, 7), 1);
  });
});

describe('perf script samples past one column chunk', () => {
  it('keeps every sample of 600,000 (over two chunks of 262,144) in its place: time, period, stack, thread', () => {
    const n = 600_000;
    const leaves = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      // Sample i: thread i % 7, period 1000 + i % 11, time i µs after 100 s, leaf i % 5 under main.
      const tid = 100 + (i % 7);
      lines.push(`app ${tid} ${(100 + i / 1e6).toFixed(6)}: ${1000 + (i % 11)} cpu-clock:`, `\t1000 ${leaves[i % 5]}+0x1 (/bin/app)`, '\t2000 main+0x2 (/bin/app)', '');
    }
    const [profile] = parsePerfScript(lines.join('\n'), 'big.txt');
    assert.ok(profile);
    assert.equal(profile.sampleStacks.length, n);
    const leafOf = (i: number): string => profile.frames[profile.stacks[profile.sampleStacks[i]!]![0]!]!.name;
    const t0 = profile.sampleTimes![0]!;
    for (const i of [0, 1, 262_143, 262_144, 262_145, 524_287, 524_288, 524_289, n - 1]) {
      assert.equal(leafOf(i), leaves[i % 5], `stack of sample ${i}`);
      assert.equal(profile.sampleLabels['tid']![i], String(100 + (i % 7)), `thread of sample ${i}`);
      assert.equal(profile.sampleValues[1]![i], 1000 + (i % 11), `period of sample ${i}`);
      assert.ok(Math.abs(profile.sampleTimes![i]! - t0 - i / 1000) < 1e-6, `time of sample ${i}`);
    }
    for (let i = 0; i < n; i++) if (leafOf(i) !== leaves[i % 5]) assert.fail(`stack of sample ${i}`);
  });
});
