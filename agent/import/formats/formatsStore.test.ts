import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { LabelMatcher } from '../../../common/selector';
import { functionCosts } from '../../queries/stacks/functionCosts';
import { mergeStacks } from '../../queries/stacks/mergeStacks';
import { Store } from '../../../storage/store';
import { corpusDir } from '../../../test/support/corpus';
import type { ImportedProfile } from '../importedProfile';
import { importToStore } from '../importToStore';
import { parseChromeTrace } from './chromeTrace/chromeTrace';
import { parseCollapsed } from './collapsed/collapsed';
import { parsePerfScript } from './perf/perfScript';
import { parseSpeedscope } from './speedscope/speedscope';

/**
 * One corpus file per format through the real store: imported with importToStore, then queried back. Whatever the
 * route, the store must hold what the importer produced: per value type, as many rows as non-zero samples and the
 * same total, the leaf function with the most self value the importer's own, and per-sample labels that filter.
 */
const CASES: { name: string; parse: (root: string) => ImportedProfile[]; filter?: { matcher: LabelMatcher; rows: number } }[] = [
  { name: 'chrome-trace/simple.json (V8 samples)', parse: root => parseChromeTrace(readFileSync(join(root, 'chrome-trace', 'simple.json'), 'utf8'), 'simple.json') },
  {
    name: 'chrome-trace/multiprocess.json (duration events)',
    parse: root => parseChromeTrace(readFileSync(join(root, 'chrome-trace', 'multiprocess.json'), 'utf8'), 'multiprocess.json'),
    filter: { matcher: { key: 'pid', op: '=', value: '2' }, rows: 2 },
  },
  {
    name: 'speedscope/two-sampled.speedscope.json',
    parse: root => parseSpeedscope(readFileSync(join(root, 'speedscope', 'two-sampled.speedscope.json'), 'utf8'), 'two-sampled'),
    filter: { matcher: { key: 'thread', op: '=', value: 'two' }, rows: 5 },
  },
  {
    name: 'linux-perf/forks.linux-perf.txt',
    parse: root => parsePerfScript(readFileSync(join(root, 'linux-perf', 'forks.linux-perf.txt'), 'utf8'), 'forks'),
    filter: { matcher: { key: 'comm', op: '=', value: 'forks' }, rows: 237 },
  },
  { name: 'generated/xz.perf.txt.gz', parse: root => parsePerfScript(gunzipSync(readFileSync(join(root, 'generated', 'xz.perf.txt.gz'))).toString('utf8'), 'xz') },
  { name: 'collapsed/simple-utf16-le.txt', parse: root => parseCollapsed(readFileSync(join(root, 'collapsed', 'simple-utf16-le.txt')), 'utf16') },
];

describe('format importers through the store', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-formats-'));
    store = await Store.open(join(dir, 'store'));
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  CASES.forEach((testCase, index) => {
    it(testCase.name, async function () {
      this.timeout(30_000);
      const profiles = testCase.parse(corpusDir());
      const profileId = `case${index}`;
      let expectedRows = 0;
      for (const profile of profiles) {
        expectedRows += profile.sampleValues.reduce((sum, values) => sum + values.filter(v => Math.round(v) !== 0).length, 0);
        const result = await importToStore(store, profile, { profile_id: profileId });
        assert.ok(result.rows > 0);
      }
      const snapshot = store.snapshot();
      try {
        let rows = 0;
        for (const profile of profiles) {
          for (let t = 0; t < profile.valueTypes.length; t++) {
            const selection = { profileType: profile.valueTypes[t]!.profileType, matchers: [{ key: 'profile_id', op: '=' as const, value: profileId }] };
            const merged = await mergeStacks(snapshot, selection);
            const values = profile.sampleValues[t]!;
            const stored = merged.values.reduce((a, b) => a + b, 0);
            const storedRows = merged.samples.reduce((a, b) => a + b, 0);
            assert.equal(stored, values.reduce((a, b) => a + Math.round(b), 0), `total of ${selection.profileType}`);
            assert.equal(storedRows, values.filter(v => Math.round(v) !== 0).length);
            rows += storedRows;

            // The importer's top self function (by leaf frame name and file) is the store's.
            const self = new Map<string, number>();
            profile.sampleStacks.forEach((s, i) => {
              const leaf = profile.stacks[s]![0];
              if (leaf === undefined) return;
              const key = JSON.stringify([profile.frames[leaf]!.name, profile.frames[leaf]!.file]);
              self.set(key, (self.get(key) ?? 0) + Math.round(values[i]!));
            });
            // Ties (collapsed/simple has b and c at 5) are broken by the key on both sides.
            const [topKey, topValue] = [...self].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!;
            const costs = (await functionCosts(snapshot, selection)).map(c => ({ key: JSON.stringify([c.functionName, c.file]), self: c.self }));
            const storeTop = costs.sort((a, b) => b.self - a.self || (a.key < b.key ? -1 : 1))[0]!;
            assert.equal(storeTop.key, topKey);
            assert.equal(storeTop.self, topValue);
          }
        }
        assert.equal(rows, expectedRows);
        if (testCase.filter) {
          const type = profiles[0]!.valueTypes[0]!.profileType;
          const merged = await mergeStacks(snapshot, { profileType: type, matchers: [{ key: 'profile_id', op: '=', value: profileId }, testCase.filter.matcher] });
          assert.equal(merged.samples.reduce((a, b) => a + b, 0), testCase.filter.rows);
        }
      } finally {
        snapshot.release();
      }
    });
  });
});
