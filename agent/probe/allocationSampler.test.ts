import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALLOCATED_BYTES_PROFILE_TYPE, CPU_TIME_PROFILE_TYPE } from '../../common/profileTypes';
import { PROBE_ENV } from '../../common/protocol/probeProtocol';
import { icicleSync } from '../../test/support/icicleCli';

/**
 * Allocation sampling in real programs: `icicle record --allocations` loads the real probe (out/agent/nodeProbe.js,
 * built by `node esbuild.mjs --dev`) into a real Node program whose allocations are known, and the store's
 * allocated bytes are compared with them.
 */

/**
 * Allocates arrays of 1000 small integers, keeping none: allocateMany 10 for each one allocateFew makes, in slices
 * (the probe's timer runs between them) for the given milliseconds, then prints how many arrays each made. Each
 * array is a 32-byte JSArray and a FixedArray of 1000 8-byte elements and a 16-byte header: 8048 bytes.
 */
const ALLOCATORS = `
let sink;
let many = 0, few = 0;
function allocateMany() { for (let i = 0; i < 1000; i++) { sink = new Array(1000).fill(0); many++; } }
function allocateFew() { for (let i = 0; i < 100; i++) { sink = new Array(1000).fill(0); few++; } }
const end = Date.now() + Number(process.argv[2]);
(function slice() { allocateMany(); allocateFew(); if (Date.now() < end) setImmediate(slice); else console.log(JSON.stringify({ many, few })); })();
`;
const ARRAY_BYTES = 8048;

/** allocateMany makes 1000 × argv[2] arrays per round, allocateFew 100, for 30 rounds. */
const SCALED = `
let sink;
const scale = Number(process.argv[2]);
function allocateMany() { for (let i = 0; i < 1000 * scale; i++) sink = new Array(1000).fill(0); }
function allocateFew() { for (let i = 0; i < 100; i++) sink = new Array(1000).fill(0); }
for (let round = 0; round < 30; round++) { allocateMany(); allocateFew(); }
`;

interface TopJson {
  profileType: string;
  totalValue: number;
  functions: { function: string; self: number; file: string; line: number }[];
}

describe('allocation sampling (icicle record --allocations)', function () {
  this.timeout(120_000);
  let dir: string;
  let program: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-alloc-test-'));
    program = join(dir, 'allocators.js');
    writeFileSync(program, ALLOCATORS);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function top(store: string, type?: string): TopJson {
    const run = icicleSync(['top', '--store', store, '--json', '--limit', '20', ...(type ? ['--type', type] : [])]);
    assert.equal(run.status, 0, run.stderr);
    return JSON.parse(run.stdout) as TopJson;
  }

  it('stores the bytes each function allocated beside CPU time: 10 to 1 within 20%, each chunk counted once', () => {
    const store = join(dir, 'store');
    // Chunks of 400 ms: the run's bytes are the sum of several chunks, which must not overlap.
    const env = { ...process.env, [PROBE_ENV.chunkMillis]: '400' };
    // Without inlining: V8's sampling heap profiler names the outermost function of optimized code, so once TurboFan
    // inlines slice and the allocators into Node's processImmediate (seen within 2.5 s on a quiet machine), their
    // bytes go to processImmediate (README's limits). This test is about what the probe stores, not about V8's tiers.
    const run = icicleSync(['record', '--allocations', '--store', store, '--', process.execPath, '--no-turbo-inlining', program, '2500'], { env, timeoutMs: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    const made = JSON.parse(/^\{"many".*$/m.exec(run.stdout)![0]) as { many: number; few: number };
    // The run's summary lists the functions that allocated most after those that ran most.
    assert.match(run.stdout, /^CPU time \(process_cpu:cpu:nanoseconds:cpu:nanoseconds\) — total [\s\S]*^Allocated bytes \(memory:alloc_space:bytes:space:bytes\) — total [\d.]+ MiB\n.*\n.*allocateMany /m);

    const allocations = top(store, ALLOCATED_BYTES_PROFILE_TYPE);
    assert.equal(allocations.profileType, ALLOCATED_BYTES_PROFILE_TYPE);
    const bytesOf = (name: string) => allocations.functions.find(f => f.function === name);
    const many = bytesOf('allocateMany');
    const few = bytesOf('allocateFew');
    assert.ok(many && few, JSON.stringify(allocations.functions.slice(0, 5)));
    // Named as the CPU profile names them, though the main script was freed before the last chunk was taken.
    assert.equal(many.file, `file://${program}`);
    assert.equal(many.line, 4);
    const ratio = many.self / few.self;
    assert.ok(ratio > 8 && ratio < 12, `allocateMany / allocateFew = ${ratio.toFixed(2)}, not 10 within 20%`);
    // Allocated bytes, not retained ones (nothing is kept), and no chunk's samples counted again in the next.
    const expected = made.many * ARRAY_BYTES;
    assert.ok(Math.abs(many.self - expected) < 0.2 * expected, `allocateMany: ${many.self} bytes stored, ${expected} allocated`);

    // CPU time is recorded as before, in the same run.
    const cpu = top(store);
    assert.equal(cpu.profileType, CPU_TIME_PROFILE_TYPE);
    assert.equal(cpu.functions[0]!.function, 'allocateMany');
  });

  it('icicle diff --type compares allocated bytes run by run: tripling a function\'s allocations is a regression', () => {
    const store = join(dir, 'store');
    const scaled = join(dir, 'scaled.js');
    writeFileSync(scaled, SCALED);
    for (const [side, scale] of [['base', 1], ['head', 3]] as const) {
      for (let run = 0; run < 3; run++) {
        const recorded = icicleSync(['record', '--allocations', '--store', store, '--label', `side=${side}`, '--', process.execPath, scaled, String(scale)], { timeoutMs: 60_000 });
        assert.equal(recorded.status, 0, recorded.stderr);
      }
    }
    const diff = icicleSync(['diff', '--store', store, '--base', 'side=base', '--head', 'side=head', '--type', ALLOCATED_BYTES_PROFILE_TYPE, '--format', 'json']);
    // Exit code 1: a significant regression above the threshold.
    assert.equal(diff.status, 1, diff.stderr);
    const answer = JSON.parse(diff.stdout) as { unit: string; changes: { name: string; deltaPercent: number; verdict: string }[] };
    assert.equal(answer.unit, 'bytes');
    const many = answer.changes.find(c => c.name === 'allocateMany')!;
    assert.equal(many.verdict, 'regression');
    assert.ok(many.deltaPercent > 160 && many.deltaPercent < 240, `allocateMany changed by ${many.deltaPercent.toFixed(0)}%, not +200% within 20%`);
    assert.notEqual(answer.changes.find(c => c.name === 'allocateFew')?.verdict, 'regression');
  });

  it('says so when a run allocated too little to be sampled, and still succeeds', () => {
    // One sample per GiB on average: Node's start alone allocates a few megabytes, which 512 KiB would sometimes sample.
    const env = { ...process.env, [PROBE_ENV.allocationIntervalBytes]: String(2 ** 30) };
    const run = icicleSync(['record', '--allocations', '--store', join(dir, 'store'), '--', process.execPath, '-e', '0'], { env, timeoutMs: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /^icicle: no allocation was sampled: the run allocated less than the sampling interval \(512 KiB on average\)$/m);
  });

  it('records no allocations without --allocations', () => {
    const store = join(dir, 'store');
    const run = icicleSync(['record', '--store', store, '--', process.execPath, program, '300'], { timeoutMs: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(!run.stdout.includes('memory:alloc_space'), run.stdout);
    const answer = icicleSync(['top', '--store', store, '--json', '--type', ALLOCATED_BYTES_PROFILE_TYPE]);
    assert.equal(answer.status, 2);
    assert.match(answer.stderr, /no samples of profile type memory:alloc_space:bytes:space:bytes match; the store has: process_cpu:cpu:nanoseconds:cpu:nanoseconds/);
    assert.doesNotMatch(answer.stderr, /the store has: .*memory:/);
  });
});
