import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { vectorFromArray, Utf8 } from 'apache-arrow';
import { compareUtf8, decodeUtf8, encodeUtf8, hasBytePrefix, utf8Chunks } from './utf8Order';

/** Characters from every UTF-8 length and both sides of the place where byte order and `<` disagree. */
const CHARACTERS = ['a', 'b', 'z', '~', 'é', 'ÿ', 'Ā', '中', '\ud7ff', '\ue000', '\uffee', '\uffff', '😀', '\u{10000}', '\u{10ffff}', ''];
const textArb = fc.array(fc.constantFrom(...CHARACTERS), { maxLength: 6 }).map(parts => parts.join(''));

const order = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

describe('UTF-8 order', () => {
  it('compares encoded strings as `<` compares the strings, also where code points and code units disagree', () => {
    fc.assert(
      fc.property(textArb, textArb, (a, b) => {
        const x = encodeUtf8(a);
        const y = encodeUtf8(b);
        assert.equal(Math.sign(compareUtf8(x, 0, x.length, y, 0, y.length)), order(a, b));
      }),
      { numRuns: 5000 },
    );
    // The one case byte order gets wrong, spelled out: U+E000 sorts after a surrogate pair.
    const bmp = encodeUtf8('\ue000');
    const astral = encodeUtf8('😀');
    assert.ok(compareUtf8(astral, 0, astral.length, bmp, 0, bmp.length) < 0);
  });

  it('compares within larger buffers and tests prefixes by bytes', () => {
    fc.assert(
      fc.property(textArb, textArb, (a, p) => {
        const bytes = encodeUtf8(`xx${a}yy`);
        const prefix = encodeUtf8(p);
        const start = 2;
        const end = bytes.length - 2;
        assert.equal(decodeUtf8(bytes, start, end), a);
        assert.equal(hasBytePrefix(bytes, start, end, prefix), a.startsWith(p));
      }),
    );
  });

  it('reads a dictionary of several chunks entry by entry, as Arrow reads it', () => {
    const first = vectorFromArray(['b', 'é', ''], new Utf8());
    const second = vectorFromArray(['😀', 'a'], new Utf8());
    const dictionary = first.concat(second);
    const read: string[] = [];
    for (const chunk of utf8Chunks(dictionary)) {
      for (let j = 0; j < chunk.length; j++) read[chunk.first + j] = decodeUtf8(chunk.bytes, chunk.offsets[j]!, chunk.offsets[j + 1]!);
    }
    assert.deepEqual(read, ['b', 'é', '', '😀', 'a']);
    assert.deepEqual(read, [...dictionary].map(String));
  });
});
