/// <reference types="mocha" />
import { FRAME_KINDS, type PackedCallTree } from '../common/callTree';
import { describeFrame, frameLocation } from './frameDetails';
import { assertEqual } from '../test/support/webviewAssertions';

/** (root) → handler (a file URL with an escaped space) → (native) leaf without a URL. */
function tree(): PackedCallTree {
  return {
    strings: ['', 'handler', 'file:///work/my%20app/server.js', 'memcpy'],
    parent: [-1, 0, 1],
    name: [0, 1, 3],
    url: [0, 2, 0],
    line: [0, 12, 0],
    column: [0, 3, 0],
    kind: [0, FRAME_KINDS.indexOf('user'), FRAME_KINDS.indexOf('native')],
    selfSamples: [0, 3, 1],
    totalSamples: [4, 4, 1],
    selfValue: [0, 30_000, 2_000_000],
    totalValue: [2_030_000, 2_030_000, 2_000_000],
  };
}

describe('describeFrame', () => {
  it('states self and total time with their share of the whole profile, and the samples', () => {
    const details = describeFrame(tree(), 1, 'micros');
    assertEqual(details.name, 'handler', 'name');
    assertEqual(details.location, '/work/my app/server.js:12', 'location');
    assertEqual(details.self, '30 ms (1.5%)', 'self');
    assertEqual(details.total, '2.03 s (100%)', 'total');
    assertEqual(details.samples, '3 samples self, 4 samples total', 'samples');
  });

  it('falls back to samples when the profile has no times, and omits the location of frames without source', () => {
    const details = describeFrame(tree(), 2, 'samples');
    assertEqual(details.location, undefined, 'location');
    assertEqual(details.self, '1 sample (25%)', 'self');
    assertEqual(details.total, '1 sample (25%)', 'total');
  });

  it('leaves URLs that are not file URLs as they are', () => {
    const t = tree();
    t.strings[2] = 'webpack://app/./src/index.ts';
    assertEqual(frameLocation(t, 1), 'webpack://app/./src/index.ts:12', 'location');
  });
});
