import * as assert from 'node:assert/strict';
import { encodeWrite, InvalidWriteError } from './sampleWrite';

const base = { profileType: 'cpu:samples:count:cpu:nanoseconds', timestamps: [1, 2, 3], values: [1, 1, 1], stackIds: [1, 1, 1] };

describe('a sample write', () => {
  it('takes a row label already in dictionary form as it is, codes checked and copied', () => {
    const codes = Int32Array.of(1, -1, 0);
    const encoded = encodeWrite({ ...base, rowLabels: { thread: { dictionary: ['a', 'b'], codes } } }, 1);
    assert.deepEqual(encoded.rowLabels['thread'], { dictionary: ['a', 'b'], codes: Int32Array.of(1, -1, 0) });
    codes[0] = 0;
    assert.equal(encoded.rowLabels['thread']!.codes[0], 1, 'the caller may reuse its array');
  });

  it('encodes a row label given as values, the same as the dictionary form', () => {
    const encoded = encodeWrite({ ...base, rowLabels: { thread: ['b', null, 'a'] } }, 1);
    assert.deepEqual(encoded.rowLabels['thread'], { dictionary: ['b', 'a'], codes: Int32Array.of(0, -1, 1) });
  });

  it('refuses codes outside the dictionary, and a dictionary-form column of the wrong length', () => {
    assert.throws(() => encodeWrite({ ...base, rowLabels: { thread: { dictionary: ['a'], codes: Int32Array.of(0, 1, 0) } } }, 1), /row label thread has code 1 at row 1, outside its dictionary of 1/);
    assert.throws(() => encodeWrite({ ...base, rowLabels: { thread: { dictionary: ['a'], codes: Int32Array.of(0) } } }, 1), InvalidWriteError);
  });
});
