import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { corpusDir } from '../../../../test/support/corpus';
import { ProfileImportError } from '../../importedProfile';
import { looksLikeChromeTrace } from '../chromeTrace/chromeTrace';
import { looksLikeCollapsed } from '../collapsed/collapsed';
import { looksLikePerfScript } from '../perf/perfScript';
import { looksLikeSpeedscope } from '../speedscope/speedscope';
import { firefoxProfileError, looksLikeFirefox, unsupportedFormatError } from './unsupportedFormats';

describe('unsupported formats', () => {
  it('recognises the Firefox Profiler formats: Gecko, processed, and DevTools recordings', () => {
    const gecko = { meta: { version: 24, interval: 1, startTime: 0, product: 'Firefox' }, libs: [], threads: [] };
    const processed = { meta: { preprocessedProfileVersion: 47, interval: 1 }, threads: [{ name: 'GeckoMain' }] };
    const recording = { label: '', duration: 3, markers: [], fileType: 'Recorded Performance Data', profile: gecko };
    for (const profile of [gecko, processed, recording]) {
      assert.ok(looksLikeFirefox(profile));
      assert.ok(looksLikeFirefox(JSON.stringify(profile)), JSON.stringify(profile).slice(0, 40));
      assert.ok(unsupportedFormatError(profile, 'p.json') instanceof ProfileImportError);
    }
    assert.ok(!looksLikeFirefox({ nodes: [] }));
    assert.ok(!looksLikeFirefox('[{"ph": "X"}]'));
  });

  it('explains what the file is and what to do, as a ProfileImportError of no format', () => {
    for (const error of [firefoxProfileError('f.json')]) {
      assert.ok(error instanceof ProfileImportError);
      assert.equal(error.format, 'unknown');
      assert.match(error.message, /is not a profile Icicle reads: it is a .*Icicle reads V8 CPU profiles.*speedscope/);
    }
  });

  it('lets no sniffer of this folder claim the corpus files of other formats', () => {
    const root = corpusDir();
    for (const folder of ['cpuprofile', 'pprof', 'pprof-legacy']) {
      for (const name of readdirSync(join(root, folder))) {
        let bytes = readFileSync(join(root, folder, name));
        if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
        const head = bytes.subarray(0, 65536);
        const text = head.toString('utf8');
        const claims = [
          looksLikeChromeTrace(text) && 'chrome-trace',
          looksLikeSpeedscope(text) && 'speedscope',
          looksLikePerfScript(text) && 'perf-script',
          looksLikeCollapsed(bytes) && 'collapsed',
          looksLikeFirefox(text) && 'firefox',
        ].filter(Boolean);
        assert.deepEqual(claims, [], `${folder}/${name}`);
      }
    }
  });
});
