import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CPU_TIME_PROFILE_TYPE, IDLE_TIME_PROFILE_TYPE } from '../../common/profileTypes';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { mergeStacks } from '../queries/stacks/mergeStacks';
import { Store } from '../../storage/store';
import { corpusDir } from '../../test/support/corpus';
import { parseProfileBytes } from './detectFormat';
import { exportPprof } from '../export/pprofExport';
import { importProfileBytes } from './importFile';

interface V8Json {
  nodes: { id: number; callFrame: { functionName: string } }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Per pseudo-frame name (or 'code'), the nanoseconds V8's samples give it as DevTools attributes them. */
function referenceTotals(profile: V8Json): Map<string, number> {
  const names = new Map(profile.nodes.map(n => [n.id, n.callFrame.functionName]));
  const totals = new Map<string, number>();
  let elapsed = 0;
  profile.samples.forEach((node, s) => {
    elapsed += profile.timeDeltas[s]!;
    const micros = s + 1 < profile.samples.length ? profile.timeDeltas[s + 1]! : profile.endTime - profile.startTime - elapsed;
    const name = names.get(node)!;
    const key = name.startsWith('(') ? name : 'code';
    totals.set(key, (totals.get(key) ?? 0) + Math.round(micros * 1000));
  });
  return totals;
}

describe("V8's (idle) samples are Idle time, not CPU time", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'icicle-idle-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a real .cpuprofile of a program that computes, then waits: CPU time without the wait, the wait as Idle time', async () => {
    writeFileSync(
      join(dir, 'program.js'),
      "const end = Date.now() + 200; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1); setTimeout(() => console.log(x > 0), 500);\n",
    );
    const run = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, join(dir, 'program.js')], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(run.status, 0, run.stderr);
    const file = readdirSync(dir).find(f => f.endsWith('.cpuprofile'))!;
    const bytes = readFileSync(join(dir, file));
    const reference = referenceTotals(JSON.parse(bytes.toString('utf8')) as V8Json);
    const idleNs = reference.get('(idle)') ?? 0;
    assert.ok(idleNs >= 400e6, `V8 recorded ${idleNs / 1e6} ms idle for a 500 ms wait`);
    const cpuNs = [...reference].reduce((sum, [key, ns]) => (key === '(idle)' ? sum : sum + ns), 0);

    const store = await Store.open(join(dir, 'store'));
    try {
      const { profileId } = await importProfileBytes(store, bytes, file, {}, { sourceMaps: false });
      const source = store.snapshot();
      try {
        const total = async (profileType: string): Promise<{ ns: number; names: Set<string> }> => {
          const merged = await mergeStacks(source, { profileType, matchers: [{ key: 'profile_id', op: '=', value: profileId }] });
          const names = new Set<string>();
          for (const stackId of merged.stackIds) names.add(source.metadata.frame(source.metadata.stack(stackId)[0]!).functionName);
          return { ns: merged.values.reduce((a, b) => a + b, 0), names };
        };
        const cpu = await total(CPU_TIME_PROFILE_TYPE);
        const idle = await total(IDLE_TIME_PROFILE_TYPE);
        assert.equal(cpu.ns, cpuNs, 'CPU time: every sample but the idle ones');
        assert.equal(idle.ns, idleNs, 'Idle time: the idle samples');
        assert.ok(!cpu.names.has('(idle)'));
        assert.deepEqual([...idle.names], ['(idle)']);
        // (program) and (garbage collector) are CPU work: they stay in CPU time.
        for (const pseudo of ['(program)', '(garbage collector)']) if (reference.has(pseudo)) assert.ok(cpu.names.has(pseudo), pseudo);
        // Exported with both types, CPU time comes last: the one `go tool pprof` shows by default.
        const exported = Profile.decode(gunzipSync(await exportPprof(source, { matchers: [{ key: 'profile_id', op: '=', value: profileId }] })));
        assert.deepEqual(
          exported.sampleType.map(t => exported.stringTable.strings[Number(t.type)]),
          ['idle', 'cpu'],
        );
      } finally {
        source.release();
      }
    } finally {
      await store.close();
    }
  });

  it("a Chrome trace's V8 samples: the same split, each sample once (corpus simple.json)", () => {
    const bytes = readFileSync(join(corpusDir(), 'chrome-trace', 'simple.json'));
    const { profiles } = parseProfileBytes(bytes, 'simple.json', { startMs: 0 });
    const totals = profiles.map(p => [p.valueTypes[0]!.profileType, p.sampleValues[0]!.reduce((a, b) => a + b, 0), p.sampleStacks.length]);
    // The importer's own totals (testdata/chrome-trace/simple.json.golden): 276587000 ns in 2051 samples, 232841000 idle.
    assert.deepEqual(totals, [
      [CPU_TIME_PROFILE_TYPE, 276587000 - 232841000, totals[0]![2]],
      [IDLE_TIME_PROFILE_TYPE, 232841000, 2051 - (totals[0]![2] as number)],
    ]);
  });
});
