import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './storage/benchTiming';
import type { Benchmark } from './benchmarkDoc';

/**
 * `icicle record`'s fixed cost: the wall time `icicle record -- node -e 0` adds to `node -e 0` (its start, the
 * probe in the program, storing the samples and printing the top functions), alternating runs so that drift hits
 * both alike. The store is a real one that keeps every run, as in CI.
 */
const RUNS = 15;
const TARGET_MS = 150;

function wallMs(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`${[command, ...args].join(' ')} failed: ${run.stderr}`);
  return ms;
}

export function runRecordStartBenchmark(): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'icicle-bench-record-'));
  const cli = join(__dirname, '..', 'out', 'agent', 'icicle.js');
  const env = { ...process.env, NODE_OPTIONS: '' };
  const bare = (): number => wallMs(process.execPath, ['-e', '0'], env);
  const recorded = (): number => wallMs(process.execPath, [cli, 'record', '--store', join(dir, 'store'), '--', process.execPath, '-e', '0'], env);
  try {
    console.log(`icicle record's fixed cost: \`icicle record -- node -e 0\` against \`node -e 0\`, ${RUNS} alternated runs each (median)`);
    bare();
    recorded();
    const without: number[] = [];
    const withRecord: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      without.push(bare());
      withRecord.push(recorded());
    }
    const added = median(withRecord) - median(without);
    console.log(
      `  node -e 0 ${median(without).toFixed(0).padStart(5)} ms, recorded ${median(withRecord).toFixed(0).padStart(5)} ms (${(median(withRecord) / median(without)).toFixed(1)}×): ` +
        `${added.toFixed(0)} ms added   target ≤ ${TARGET_MS} ms: ${added <= TARGET_MS ? 'PASS' : 'MISS'}`,
    );
    return { record_bare_ms: Math.round(median(without)), record_ms: Math.round(median(withRecord)), record_added_ms: Math.round(added) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The recorded command against `node -e 0` alone. */
export const recordStartBenchmark: Benchmark = { run: runRecordStartBenchmark, peersOf: field => (field === 'record_ms' ? ['record_bare_ms'] : []) };
