import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { Function as PprofFunction, Label, Line, Location, Mapping, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import type { Selection } from '../../../../storage/query';
import { Store } from '../../../../storage/store';
import { corpusDir } from '../../../../test/support/corpus';
import { ProfileImportError, type ImportedProfile } from '../../importedProfile';
import { importToStore } from '../../importToStore';
import { assertTopMatches, goToolAvailable, goTop, storeTop } from '../../../../test/support/goPprofTool';
import { checkProtobuf, describeLegacyPprof, isPprof, parsePprof, profileTypeName } from './pprof';
import { classifyStoredFrame } from '../../../frameKind';

const corpus = corpusDir();
const pprofFiles = [
  ...readdirSync(join(corpus, 'pprof')).map(f => join(corpus, 'pprof', f)),
  ...readdirSync(join(corpus, 'generated'))
    .filter(f => /^go-.*\.pb\.gz$/.test(f))
    .map(f => join(corpus, 'generated', f)),
].sort();
const legacyFiles = readdirSync(join(corpus, 'pprof-legacy'))
  .map(f => join(corpus, 'pprof-legacy', f))
  .sort();

function readPprof(path: string): Uint8Array {
  const bytes = readFileSync(path);
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
}

/** Negative values, numeric labels, inlined frames, a location without lines and a label key with a space. */
function handMade(): Uint8Array {
  const st = new StringTable();
  const s = (text: string): number => st.dedup(text);
  const profile = new Profile({
    sampleType: [new ValueType({ type: s('samples'), unit: s('count') }), new ValueType({ type: s('cpu'), unit: s('nanoseconds') })],
    periodType: new ValueType({ type: s('cpu'), unit: s('nanoseconds') }),
    period: 10_000_000,
    timeNanos: 1_700_000_000_123_456_789n,
    durationNanos: 2_000_000_000,
    mapping: [new Mapping({ id: 1, filename: s('/usr/bin/app') }), new Mapping({ id: 2, filename: s('/usr/lib/libc.so.6') })],
    function: [
      new PprofFunction({ id: 1, name: s('main.main'), systemName: s('main.main'), filename: s('/home/u/app/main.go'), startLine: 20 }),
      new PprofFunction({ id: 2, name: s('main.inner'), filename: s('/home/u/app/main.go'), startLine: 10 }),
      new PprofFunction({ id: 3, name: s('runtime.mallocgc'), filename: s('/usr/lib/go/src/runtime/malloc.go'), startLine: 900 }),
      new PprofFunction({ id: 4, name: s('github.com/x/y.F'), filename: s('/root/go/pkg/mod/github.com/x/y@v1.0.0/f.go') }),
    ],
    location: [
      // main.inner inlined into main.main: line[0] is the innermost.
      new Location({ id: 1, mappingId: 1, address: 0x401000, line: [new Line({ functionId: 2, line: 12, column: 5 }), new Line({ functionId: 1, line: 30 })] }),
      new Location({ id: 2, mappingId: 2, address: 0x7f0000001234n }),
      new Location({ id: 3, mappingId: 1, address: 0x402000, line: [new Line({ functionId: 3, line: 0 })] }),
      new Location({ id: 4, mappingId: 1, address: 0x403000, line: [new Line({ functionId: 4, line: 7 })] }),
    ],
    sample: [
      new Sample({
        locationId: [3, 1],
        value: [2, 20_000_000],
        label: [new Label({ key: s('thread id'), str: s('worker 1') }), new Label({ key: s('bytes'), num: 4096, numUnit: s('bytes') })],
      }),
      new Sample({ locationId: [2, 4, 1], value: [-3, -30_000_000], label: [new Label({ key: s('offset'), num: -5 })] }),
      new Sample({ locationId: [3, 1], value: [1, 10_000_000] }),
    ],
    stringTable: st,
  });
  return profile.encode();
}

describe('pprof import', () => {
  let dir: string;
  let store: Store;
  before(async function () {
    if (!goToolAvailable()) throw new Error('go is not installed (scripts/setup.sh installs golang-go): these tests compare with go tool pprof');
    dir = mkdtempSync(join(tmpdir(), 'icicle-pprof-'));
    store = await Store.open(join(dir, 'store'));
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('matches go tool pprof on every corpus file', () => {
    for (const path of pprofFiles) {
      const name = basename(path);
      it(name, async function () {
        this.timeout(60_000); // go tool pprof runs as a child process: slow on a loaded machine, never a timed figure.
        const bytes = readPprof(path);
        assert.ok(isPprof(bytes), 'isPprof recognises it');
        assert.equal(describeLegacyPprof(bytes), undefined);
        const profile: ImportedProfile = parsePprof(bytes, name)[0]!;
        const profileId = name.replace(/[^A-Za-z0-9_]/g, '_');
        await importToStore(store, profile, { profile_id: profileId });
        const goTops = Promise.all(profile.valueTypes.map((v, i) => goTop(path, i, v.unit)));
        const source = store.snapshot();
        try {
          const tops = await goTops;
          for (let i = 0; i < profile.valueTypes.length; i++) {
            const { profileType }: { profileType: string } = profile.valueTypes[i]!;
            const selection: Selection = { profileType, matchers: [{ key: 'profile_id', op: '=', value: profileId }] };
            const ours = await storeTop(source, selection);
            const signed: number = profile.sampleValues[i]!.reduce((a, b) => a + b, 0);
            assert.equal(ours.total, signed, `${profileType}: the store's signed total is the file's`);
            assertTopMatches(tops[i]!, ours, `${name} ${profileType}`);
          }
        } finally {
          source.release();
        }
      });
    }
  });

  describe('legacy formats', () => {
    for (const path of legacyFiles) {
      const name = basename(path);
      it(`refuses ${name}, naming its format and the conversion`, function () {
        this.timeout(60_000);
        const bytes = readFileSync(path);
        assert.equal(isPprof(bytes), false);
        assert.match(describeLegacyPprof(bytes) ?? '', /legacy/);
        assert.throws(
          () => parsePprof(bytes, name),
          (error: unknown) =>
            error instanceof ProfileImportError &&
            error.message.startsWith(`${name} is not a readable pprof profile: it is a legacy `) &&
            error.message.includes('go tool pprof -proto FILE > FILE.pb.gz'),
        );
      });

      it(`imports ${name} once go tool pprof -proto has converted it`, async function () {
        this.timeout(60_000);
        const out = join(dir, `${name}.pb.gz`);
        const converted = spawnSync('go', ['tool', 'pprof', '-symbolize=none', '-proto', path], { timeout: 10_000, env: { ...process.env, PPROF_BINARY_PATH: '/nonexistent-icicle-binaries' } });
        assert.equal(converted.status, 0, String(converted.stderr));
        writeFileSync(out, converted.stdout);
        const [profile] = parsePprof(readPprof(out), name);
        assert.ok(profile && profile.sampleStacks.length > 0);
        const signed = profile.sampleValues.at(-1)!.reduce((a, b) => a + Math.abs(b), 0);
        assert.equal(signed, (await goTop(out, profile.valueTypes.length - 1, profile.valueTypes.at(-1)!.unit)).total);
      });
    }
    it('describes the text formats pprof used to read', () => {
      const text = (s: string): Uint8Array => new TextEncoder().encode(s);
      assert.match(describeLegacyPprof(text('heap profile: 1: 2 [3: 4] @ heap/1048576\n'))!, /heap profile/);
      assert.match(describeLegacyPprof(text('--- contention:\ncycles/second=1\n'))!, /contention/);
      assert.match(describeLegacyPprof(text('goroutine profile: total 4\n'))!, /goroutine/);
      assert.match(describeLegacyPprof(text('--- threadz 1 ---\n'))!, /thread/);
      assert.match(describeLegacyPprof(text('goroutine 1 [running]:\nmain.main()\n'))!, /goroutine dump .*without `debug=2`/);
      assert.equal(describeLegacyPprof(text('{"nodes": []}')), undefined);
    });
  });

  describe('damaged and foreign input', () => {
    const simple = readPprof(join(corpus, 'pprof', 'simple.prof'));
    const refuses = (bytes: Uint8Array, pattern: RegExp): void => {
      const started = performance.now();
      assert.throws(() => parsePprof(bytes, 'x.pb'), (error: unknown) => error instanceof ProfileImportError && pattern.test(error.message) && !/\n\s+at /.test(error.message));
      assert.ok(performance.now() - started < 1000, 'refused quickly');
    };

    it('refuses what is not protobuf, saying so', () => {
      refuses(new Uint8Array(), /the file is empty/);
      refuses(new TextEncoder().encode('{"nodes": [], "samples": []}'), /it is text, not protobuf pprof data/);
      refuses(new TextEncoder().encode('hello world, this is not a profile\n'), /not protobuf pprof data/);
      refuses(Uint8Array.from([0xff, 0xfe, 0x00, 0x01, 0x02]), /not protobuf data/);
      for (const bytes of [new Uint8Array(), new TextEncoder().encode('hello'), Uint8Array.from([0x1f, 0x8b])]) assert.equal(isPprof(bytes), false);
    });

    it('refuses a truncated file', () => {
      refuses(simple.subarray(0, simple.length - 7), /truncated/);
      refuses(Uint8Array.from([0x0a, 0x05, 0x08]), /truncated/);
    });

    it('refuses a huge run of continuation bytes at once, where pprof-format would take quadratic time', () => {
      // A sample (field 2) whose packed location ids (field 1) are 2 MB of continuation bytes, well-formed at the top.
      const varint = (n: number): number[] => {
        const out: number[] = [];
        for (; n >= 0x80; n = Math.floor(n / 0x80)) out.push((n % 0x80) | 0x80);
        return [...out, n];
      };
      const run = 2_000_000;
      const inner = [0x0a, ...varint(run)];
      const header = [0x12, ...varint(inner.length + run), ...inner];
      const bytes = new Uint8Array(header.length + run).fill(0xff);
      bytes.set(header, 0);
      bytes[bytes.length - 1] = 0x01; // the end of one 2 MB number: pprof-format would need minutes for it
      refuses(bytes, /a number longer than 10 bytes in a Sample/);
    });

    it('refuses references to what the file does not define', () => {
      const strings = new StringTable();
      const p = new Profile({
        sampleType: [new ValueType({ type: strings.dedup('samples'), unit: strings.dedup('count') })],
        sample: [new Sample({ locationId: [7], value: [1] })],
        stringTable: strings,
      });
      refuses(p.encode(), /sample 0 refers to location 7, which the file does not define/);
      p.sample = [new Sample({ locationId: [1], value: [1] })];
      p.location = [new Location({ id: 1, line: [new Line({ functionId: 3 })] })];
      refuses(p.encode(), /location 1 refers to function 3/);
      p.location = [new Location({ id: 1, line: [new Line({ functionId: 3 })] })];
      p.function = [new PprofFunction({ id: 3, name: 99 })];
      refuses(p.encode(), /function 3 refers to string 99, but the string table has 3/);
      p.function = [new PprofFunction({ id: 3, name: 1 })];
      p.sample = [new Sample({ locationId: [1], value: [1, 2] })];
      refuses(p.encode(), /sample 0 has 2 values but the file declares 1 sample types/);
    });

    for (const [what, original] of [
      ['simple.prof', simple],
      ['the hand-made profile', handMade()],
    ] as const) {
      it(`never throws anything but a ProfileImportError, nor hangs, on damaged copies of ${what}`, function () {
        this.timeout(20_000);
        let seed = 12345;
        const random = (n: number): number => {
          seed = (seed * 1103515245 + 12345) % 2147483648;
          return seed % n;
        };
        let refused = 0;
        for (let round = 0; round < 1500; round++) {
          const bytes = Uint8Array.from(original);
          const edits = 1 + random(4);
          for (let e = 0; e < edits; e++) bytes[random(bytes.length)] = random(256);
          const cut = round % 3 === 0 ? bytes.subarray(0, random(bytes.length)) : bytes;
          const started = performance.now();
          try {
            parsePprof(cut, 'fuzz.pb');
          } catch (error) {
            assert.ok(error instanceof ProfileImportError, `round ${round}: ${String(error)}`);
            refused++;
          }
          assert.ok(performance.now() - started < 500, `round ${round} took too long`);
        }
        assert.ok(refused > 100, `${refused} of 1500 damaged copies refused`);
      });
    }
  });

  describe('a hand-made profile', () => {
    it('imports exactly', () => {
      const [profile] = parsePprof(handMade(), 'hand.pb');
      assert.ok(profile);
      const expected: ImportedProfile = {
        format: 'pprof',
        valueTypes: [
          { profileType: 'process_cpu:samples:count:cpu:nanoseconds', unit: 'count' },
          { profileType: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', unit: 'nanoseconds' },
        ],
        frames: [
          { name: 'main.inner', file: '/home/u/app/main.go', line: 12, column: 5, module: '/usr/bin/app', address: 0x401000, functionLine: 10 },
          { name: 'main.main', file: '/home/u/app/main.go', line: 30, column: 0, module: '/usr/bin/app', address: 0x401000, functionLine: 20 },
          { name: '0x7f0000001234', file: '', line: 0, column: 0, module: '/usr/lib/libc.so.6', address: 0x7f0000001234 },
          // Line 0: the function's start line stands in.
          { name: 'runtime.mallocgc', file: '/usr/lib/go/src/runtime/malloc.go', line: 900, column: 0, module: '/usr/bin/app', address: 0x402000, functionLine: 900 },
          { name: 'github.com/x/y.F', file: '/root/go/pkg/mod/github.com/x/y@v1.0.0/f.go', line: 7, column: 0, module: '/usr/bin/app', address: 0x403000, functionLine: 0 },
        ],
        stacks: [Uint32Array.of(3, 0, 1), Uint32Array.of(2, 4, 0, 1)],
        sampleStacks: [0, 1, 0],
        sampleValues: [
          [2, -3, 1],
          [20_000_000, -30_000_000, 10_000_000],
        ],
        sampleTimes: undefined,
        sampleLabels: { thread_id: ['worker 1', null, null], bytes: ['4096 bytes', null, null], offset: [null, '-5', null] },
        labels: {},
        startMs: Number(1_700_000_000_123_456_789n) / 1e6,
        clock: 'epoch',
        durationNs: 2_000_000_000,
        periodNs: 10_000_000,
      };
      assert.deepEqual(profile, expected);
      // How the store will colour these frames (frameKind.ts classifies stored frames of every format).
      assert.deepEqual(
        profile.frames.map(f => classifyStoredFrame({ functionName: f.name, file: f.file, line: f.line, module: f.module })),
        ['user', 'user', 'native', 'runtime', 'dependency'],
      );
    });

    it('writes negative values to the store and reads them back', async () => {
      const [profile] = parsePprof(handMade(), 'hand.pb');
      await importToStore(store, profile!, { profile_id: 'hand' });
      const source = store.snapshot();
      try {
        const top = await storeTop(source, { profileType: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', matchers: [{ key: 'profile_id', op: '=', value: 'hand' }] });
        assert.equal(top.total, 0);
        assert.equal(top.absTotal, 60_000_000);
        assert.equal(top.flat.get('[libc.so.6]'), -30_000_000);
      } finally {
        source.release();
      }
    });
  });

  describe('helpers', () => {
    it('names profile types the way Parca does', () => {
      const t = (type: string, unit: string): { type: string; unit: string } => ({ type, unit });
      assert.deepEqual(profileTypeName([t('samples', 'count'), t('cpu', 'nanoseconds')], t('cpu', 'nanoseconds')).types, [
        'process_cpu:samples:count:cpu:nanoseconds',
        'process_cpu:cpu:nanoseconds:cpu:nanoseconds',
      ]);
      assert.deepEqual(profileTypeName([t('alloc_space', 'bytes')], t('space', 'bytes')).types, ['memory:alloc_space:bytes:space:bytes']);
      assert.deepEqual(profileTypeName([t('goroutine', 'count')], t('goroutine', 'count')).types, ['goroutine:goroutine:count:goroutine:count']);
      assert.deepEqual(profileTypeName([t('contentions', 'count'), t('delay', 'nanoseconds')], t('contentions', 'count'), 'mutex.pb.gz').name, 'mutex');
      assert.deepEqual(profileTypeName([t('contentions', 'count'), t('delay', 'nanoseconds')], t('contentions', 'count'), 'block.pb.gz').name, 'block');
      assert.deepEqual(profileTypeName([t('cpu', 'nanoseconds')], undefined).types, ['process_cpu:cpu:nanoseconds:unknown:unknown']);
      assert.deepEqual(profileTypeName([t('wall', 'nanoseconds'), t('wall', 'nanoseconds')], undefined).types, [
        'profile:wall:nanoseconds:unknown:unknown',
        'profile:wall_2:nanoseconds:unknown:unknown',
      ]);
    });

    it('classifies Go frames', () => {
      const f = (functionName: string, file: string, module = ''): Parameters<typeof classifyStoredFrame>[0] => ({ functionName, file, line: 1, module });
      assert.equal(classifyStoredFrame(f('runtime.gcBgMarkWorker', '')), 'runtime');
      assert.equal(classifyStoredFrame(f('x', 'runtime/proc.go')), 'runtime');
      assert.equal(classifyStoredFrame(f('do_syscall_64', '', '[kernel.kallsyms]')), 'native');
      assert.equal(classifyStoredFrame(f('0x1234', '', '/usr/lib/libc.so.6')), 'native');
      assert.equal(classifyStoredFrame(f('y.F', '/app/vendor/github.com/y/f.go')), 'dependency');
      assert.equal(classifyStoredFrame(f('main.main', '/app/main.go')), 'user');
    });

    it('accepts every corpus file in one structural pass', () => {
      for (const path of pprofFiles) assert.equal(checkProtobuf(readPprof(path)), undefined, basename(path));
    });
  });
});
