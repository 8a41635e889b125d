import * as assert from 'node:assert/strict';
import type { ImportedProfile } from '../../importedProfile';
import { ProfileImportError } from '../../importedProfile';
import { looksLikeCollapsed, parseCollapsed } from './collapsed';

function folded(profile: ImportedProfile): string[] {
  return profile.sampleStacks.map((s, i) => `${Array.from(profile.stacks[s]!, f => profile.frames[f]!.name).reverse().join(';')} ${profile.sampleValues[0]![i]}`);
}

const TEXT = 'main;parse;lex 3\nmain;parse 2\nmain;éval 1\n';
const EXPECTED = ['main;parse;lex 3', 'main;parse 2', 'main;éval 1'];

function utf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
  return le;
}

describe('collapsed stacks importer', () => {
  it('reads UTF-8, with and without a byte order mark, and CRLF line ends', () => {
    assert.deepEqual(folded(parseCollapsed(Buffer.from(TEXT), 'a.txt')[0]!), EXPECTED);
    assert.deepEqual(folded(parseCollapsed(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT.replace(/\n/g, '\r\n'))]), 'b.txt')[0]!), EXPECTED);
  });

  it('reads UTF-16 little- and big-endian, with a byte order mark or without', () => {
    const le = Buffer.from(`\ufeff${TEXT.replace(/\n/g, '\r\n')}`, 'utf16le');
    assert.deepEqual(folded(parseCollapsed(le, 'le.txt')[0]!), EXPECTED);
    assert.deepEqual(folded(parseCollapsed(utf16be(`\ufeff${TEXT}`), 'be.txt')[0]!), EXPECTED);
    assert.deepEqual(folded(parseCollapsed(Buffer.from(TEXT, 'utf16le'), 'le-nobom.txt')[0]!), EXPECTED);
    assert.ok(looksLikeCollapsed(le));
  });

  it('skips and counts lines that are not `stack count`, keeps fractional counts and frames with spaces', () => {
    const notes: string[] = [];
    const text = '# produced by a tool\nmain;do work 2.5\nno count here\nmain;x -3\nmain;y 1e3\n;\n  \nmain;z\t4\n';
    const [profile] = parseCollapsed(Buffer.from(text), 'c.txt', { notes });
    assert.deepEqual(folded(profile!), ['main;do work 2.5', 'main;z 4']);
    assert.equal(profile!.valueTypes[0]!.profileType, 'profile:samples:count:samples:count');
    assert.equal(profile!.sampleTimes, undefined);
    assert.match(notes[0]!, /^5 lines were not a stack followed by a count and were skipped \(the first is line 1\)\.$/);
  });

  it('refuses a file with no valid line, quoting a short excerpt of the first', () => {
    const long = `<b>${'x'.repeat(500)}</b> nope`;
    assert.throws(() => parseCollapsed(Buffer.from(`${long}\n`), 'bad.txt'), (error: unknown) => {
      assert.ok(error instanceof ProfileImportError);
      assert.match(error.message, /^bad\.txt is not a readable collapsed stacks file: no line is a stack followed by a sample count, like "main;work 12" \(line 1 reads "<b>x+…"\)\.$/);
      assert.ok(error.message.length < 200);
      return true;
    });
    assert.throws(() => parseCollapsed(Buffer.alloc(0), 'empty.txt'), /it is empty/);
  });

  it('sniffs folded stacks, not other text', () => {
    assert.ok(looksLikeCollapsed(Buffer.from(TEXT)));
    assert.ok(looksLikeCollapsed(Buffer.from('# comment\n// another\na;b 1\na;c 2\ninvalid line\n')));
    assert.ok(!looksLikeCollapsed(Buffer.from('xz 30000   996.257774:    1001001 cpu-clock:ppp: \n\tffffffff821ecc26 do_syscall_64+0x46 ([kernel.kallsyms])\n')));
    assert.ok(!looksLikeCollapsed(Buffer.from('{"traceEvents": []}\n')));
    assert.ok(!looksLikeCollapsed(Buffer.from('')));
    // A first line far longer than the first read (a deep stack), and a first line whose count is invalid.
    const deep = `${Array.from({ length: 30_000 }, (_, i) => `frame${i}`).join(';')} 3`;
    assert.ok(deep.length > 4 * 64 * 1024);
    assert.ok(looksLikeCollapsed(Buffer.from(`${deep}\na;b 1\n`)));
    assert.ok(looksLikeCollapsed(Buffer.from(`${deep}`)));
    assert.ok(looksLikeCollapsed(Buffer.from('a;b NaN\na;c 2\na;d 3\n')));
    assert.ok(!looksLikeCollapsed(Buffer.from('a;b NaN\na;c -2\na;d 3\n')), 'mostly invalid lines are some other text');
  });

  it('keeps the file and line of frames written `name (file:line)`, as py-spy writes Python frames', () => {
    const text = '<module> (app.py:1);main (app.py:30);work (lib/util.py:12) 7\n<module> (app.py:1);main (app.py:30) 3\nplain;frame(int) 1\n';
    const [profile] = parseCollapsed(Buffer.from(text), 'py.txt');
    const frames = profile!.frames.map(f => `${f.name}@${f.file}:${f.line}`);
    assert.deepEqual(frames, ['<module>@app.py:1', 'main@app.py:30', 'work@lib/util.py:12', 'plain@:0', 'frame(int)@:0']);
  });

  it('reads back the anonymous functions Icicle exports with their column, `(anonymous) (file:line:column)`', () => {
    const text = 'main (/app/a.js:1);(anonymous) (/app/a.js:12:5) 2\nmain (/app/a.js:1);(anonymous) (/app/a.js:12:30) 1\n';
    const [profile] = parseCollapsed(Buffer.from(text), 'a.collapsed');
    assert.deepEqual(profile!.frames.map(f => `${f.name}@${f.file}:${f.line}:${f.column}`), ['main@/app/a.js:1:0', '(anonymous)@/app/a.js:12:5', '(anonymous)@/app/a.js:12:30']);
  });
});
