import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import type { Selection } from '../../storage/query';
import { mergeStacks } from '../queries/stacks/mergeStacks';
import { Store } from '../../storage/store';
import { assertGolden } from '../../test/support/golden';
import { corpusDir } from '../../test/support/corpus';
import { ProfileBuilder } from '../import/importedProfile';
import { importToStore } from '../import/importToStore';
import { goDurationSeconds, goToolAvailable, goTop } from '../../test/support/goPprofTool';
import { importProfileBytes } from '../import/importFile';
import { parsePprof } from '../import/formats/pprof/pprof';
import { collapsedFrameName, exportCollapsed } from './collapsedExport';
import { ExportError, exportPprof } from './pprofExport';

const corpus = corpusDir();
const roundTrip = [
  'pprof/large.cpu',
  'generated/go-workload.cpu.pb.gz',
  'generated/go-workload.allocs.pb.gz',
  'pprof/alloc_space_delta.pb.gz', // negative values
  'pprof/sample.cpu', // inlined frames
  'pprof/normal-cpu.stripped.pprof', // locations without lines
  'pprof/profile-with-labels.pb.gz',
];

const idOf = (file: string): string => file.replace(/[^A-Za-z0-9_]/g, '_');
const only = (file: string, profileType?: string): Selection => ({ ...(profileType ? { profileType } : {}), matchers: [{ key: 'profile_id', op: '=', value: idOf(file) }] });

/** The profile type the importer gave a sample type of the file. */
function profileTypeOf(file: string, type: string, unit: string): string {
  const [profile] = parsePprof(gunzipSync(readFileSync(join(corpus, file))), file);
  const found = profile!.valueTypes.find(v => v.profileType.split(':')[1] === type && v.profileType.split(':')[2] === unit);
  if (!found) throw new Error(`no ${type}/${unit} in ${file}`);
  return found.profileType;
}

function hasNegative(p: Profile): boolean {
  return p.sample.some(s => s.value.some(v => typeof v === 'bigint' && BigInt.asIntN(64, v) < 0n));
}

describe('pprof and collapsed export', () => {
  let dir: string;
  let store: Store;
  before(async function () {
    this.timeout(30_000);
    if (!goToolAvailable()) throw new Error('go is not installed (scripts/setup.sh installs golang-go): these tests compare with go tool pprof');
    dir = mkdtempSync(join(tmpdir(), 'icicle-export-'));
    store = await Store.open(join(dir, 'store'));
    for (const file of [...roundTrip, 'pprof/simple.prof']) {
      const [profile] = parsePprof(gunzipSync(readFileSync(join(corpus, file))), file);
      await importToStore(store, profile!, { profile_id: idOf(file) });
    }
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function absTotalPerStack(file: string, type: string, unit: string): Promise<number> {
    const source = store.snapshot();
    try {
      const merged = await mergeStacks(source, only(file, profileTypeOf(file, type, unit)));
      return merged.values.reduce((sum, v) => sum + Math.abs(v), 0);
    } finally {
      source.release();
    }
  }

  describe('round trip through the store: go tool pprof reads the export as it reads the original', () => {
    for (const file of roundTrip) {
      it(file, async function () {
        this.timeout(120_000);
        const original = join(corpus, file);
        const source = store.snapshot();
        let bytes: Uint8Array;
        try {
          bytes = await exportPprof(source, only(file));
        } finally {
          source.release();
        }
        const exported = join(dir, `${idOf(file)}.pb.gz`);
        writeFileSync(exported, bytes);
        const decoded = Profile.decode(gunzipSync(bytes));
        const originalProfile = Profile.decode(gunzipSync(readFileSync(original)));
        const typesOf = (p: Profile): string[] => p.sampleType.map(t => `${p.stringTable.strings[Number(t.type)]}/${p.stringTable.strings[Number(t.unit)]}`);
        assert.deepEqual(typesOf(decoded).sort(), typesOf(originalProfile).sort(), 'the same sample types');
        assert.equal(decoded.period, originalProfile.period);
        const types = typesOf(originalProfile).map(type => type.split('/') as [string, string]);
        const tops = await Promise.all(types.flatMap(([name, unit]) => [goTop(original, name, unit, 10), goTop(exported, name, unit, 10)]));
        for (let i = 0; i < types.length; i++) {
          const [name, unit] = types[i]!;
          const type = `${name}/${unit}`;
          const before = tops[2 * i]!;
          const after = tops[2 * i + 1]!;
          // go totals |value| per sample: the export has one sample per stack, so in a delta profile a stack's
          // positive and negative samples net out first. Without negative values the totals are the same.
          const perStack = await absTotalPerStack(file, name, unit);
          assert.equal(after.total, perStack, `${type}: total of |value| per stack`);
          if (!hasNegative(originalProfile)) assert.equal(after.total, before.total, `${type}: total\n${before.text}\n${after.text}`);
          assert.deepEqual(after.rows, before.rows, `${type}: top 10\n${before.text}\n${after.text}`);
        }
      });
    }
  });

  it('exports one profile type when the selection names it', async () => {
    const source = store.snapshot();
    try {
      const bytes = await exportPprof(source, only('pprof/simple.prof', 'process_cpu:cpu:nanoseconds:cpu:nanoseconds'));
      const p = Profile.decode(gunzipSync(bytes));
      assert.deepEqual(p.sampleType.map(t => p.stringTable.strings[Number(t.type)]), ['cpu']);
      const total = p.sample.reduce((sum, s) => sum + Number(s.value[0]), 0);
      assert.equal(total, 1_500_000_000);
      assert.equal(p.stringTable.strings[Number(p.periodType!.type)], 'cpu');
      assert.equal(Number(p.timeNanos), 1537130863469 * 1e6, 'the store keeps milliseconds');
    } finally {
      source.release();
    }
  });

  describe('duration_nanos is the length of the profile, as go tool pprof reads it', () => {
    const exportToFile = async (selection: Selection, name: string): Promise<string> => {
      const source = store.snapshot();
      try {
        const path = join(dir, name);
        writeFileSync(path, await exportPprof(source, selection));
        return path;
      } finally {
        source.release();
      }
    };
    it('a pprof profile (every sample at time_nanos): the file\'s own duration', async function () {
      this.timeout(120_000);
      const original = await goTop(join(corpus, 'pprof/simple.prof'), 'cpu', 'nanoseconds');
      const exported = await goTop(await exportToFile(only('pprof/simple.prof', 'process_cpu:cpu:nanoseconds:cpu:nanoseconds'), 'duration-simple.pb.gz'), 'cpu', 'nanoseconds');
      assert.equal(goDurationSeconds(exported), goDurationSeconds(original), `${original.text}\n${exported.text}`);
    });
    it('a V8 profile (samples at their own times): its endTime - startTime, not twice it', async function () {
      this.timeout(120_000);
      const bytes = readFileSync(join(corpus, 'cpuprofile/sucrase.cpuprofile'));
      const { startTime, endTime } = JSON.parse(bytes.toString('utf8')) as { startTime: number; endTime: number };
      const { profileId } = await importProfileBytes(store, bytes, 'sucrase.cpuprofile', {}, { sourceMaps: false });
      const top = await goTop(await exportToFile({ profileType: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', matchers: [{ key: 'profile_id', op: '=', value: profileId }] }, 'duration-v8.pb.gz'), 'cpu', 'nanoseconds');
      const seconds = (endTime - startTime) / 1e6;
      // go prints three significant digits.
      assert.ok(Math.abs(goDurationSeconds(top) - seconds) <= seconds * 0.01, `go read ${goDurationSeconds(top)} s, the profile is ${seconds} s long\n${top.text}`);
    });
  });

  it('spans a run of chunks from its first sample to the end of its last chunk', async () => {
    // Two 5 s chunks of a recorded run, each sampled every second from its start.
    for (const startMs of [1_000, 6_000]) {
      const builder = new ProfileBuilder('cpuprofile', [{ profileType: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', unit: 'nanoseconds' }]);
      const stack = builder.stack([builder.frame({ name: 'work', file: '', line: 0, column: 0, module: '', address: 0 })]);
      for (let s = 0; s < 5; s++) builder.sample(stack, [1e9], startMs + s * 1000);
      await importToStore(store, builder.build({ startMs, durationNs: 5e9 }), { profile_id: `chunk-${startMs}`, session_id: 'chunks' });
    }
    const source = store.snapshot();
    try {
      const p = Profile.decode(gunzipSync(await exportPprof(source, { profileType: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', matchers: [{ key: 'session_id', op: '=', value: 'chunks' }] })));
      assert.equal(Number(p.timeNanos), 1_000 * 1e6);
      assert.equal(Number(p.durationNanos), 10e9);
    } finally {
      source.release();
    }
  });

  it('refuses to put profile types of different kinds in one pprof file', async () => {
    const source = store.snapshot();
    try {
      await assert.rejects(exportPprof(source, { matchers: [] }), (e: unknown) => e instanceof ExportError && /choose one profile type/.test(e.message));
      await assert.rejects(exportCollapsed(source, only('pprof/simple.prof')), (e: unknown) => e instanceof ExportError && /several profile types/.test(e.message));
      assert.equal(await exportCollapsed(source, only('nothing-like-this')), '');
    } finally {
      source.release();
    }
  });

  it('writes collapsed stacks (golden: simple.prof, CPU time)', async () => {
    const source = store.snapshot();
    try {
      const text = await exportCollapsed(source, only('pprof/simple.prof', 'process_cpu:cpu:nanoseconds:cpu:nanoseconds'));
      assertGolden(join(__dirname, 'testdata', 'simple.prof.collapsed'), text);
      const total = text
        .trim()
        .split('\n')
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
      assert.equal(total, (await goTop(join(corpus, 'pprof/simple.prof'), 'cpu', 'nanoseconds')).total);
    } finally {
      source.release();
    }
  });

  it('keeps folded lines parseable whatever the function names', async () => {
    const builder = new ProfileBuilder('pprof', [{ profileType: 'profile:wall:nanoseconds:unknown:unknown', unit: 'nanoseconds' }]);
    const frame = (name: string): number => builder.frame({ name, file: '', line: 0, column: 0, module: '', address: 0 });
    builder.sample(builder.stack([frame('a;b'), frame('main')]), [5]);
    builder.sample(builder.stack([frame('line\nbreak'), frame('main')]), [7]);
    builder.sample(builder.stack([frame(''), frame('main')]), [1]);
    builder.sample(builder.stack([frame('a:b'), frame('main')]), [2]); // prints as the first: summed with it
    await importToStore(store, builder.build({}), { profile_id: 'names' });
    const source = store.snapshot();
    try {
      assert.equal(await exportCollapsed(source, only('names')), 'main;[unknown] 1\nmain;a:b 7\nmain;line break 7\n');
    } finally {
      source.release();
    }
    assert.equal(collapsedFrameName('x;y\r\nz'), 'x:y z');
  });
});
