import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Below this size the generated profile is not the "big" input the benchmarks claim; they say so on stderr. */
export const BIG_PROFILE_MIN_BYTES = 40 * 1024 * 1024;

/**
 * A V8 profile of at least 40 MB (about 185,000 nodes): `tsc` type-checking this repository, sampled every 50 µs.
 * Every benchmark that needs it calls this, so each one runs on a fresh machine without another having run first.
 * It is generated once and kept in ~/.cache/icicle/bench, since producing it takes about 15 s; `who` names the
 * benchmark in the progress line.
 */
export function bigCpuProfile(who: string): string {
  const cache = join(homedir(), '.cache', 'icicle', 'bench');
  const file = join(cache, 'tsc-big.cpuprofile');
  if (existsSync(file)) return file;
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(join(tmpdir(), 'icicle-bench-prof-'));
  try {
    process.stderr.write(`[${who}] generating a 40+ MB profile of tsc (once, about 15 s)\n`);
    const tsc = join(__dirname, '..', 'node_modules', 'typescript', 'bin', 'tsc');
    const run = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-interval', '50', `--cpu-prof-dir=${out}`, tsc, '--noEmit', '-p', join(__dirname, '..', 'tsconfig.json')], { stdio: 'ignore' });
    const made = readdirSync(out).find(f => f.endsWith('.cpuprofile'));
    if (run.status === null || !made) throw new Error('could not generate the big profile');
    // Renamed into place whole, so a benchmark stopped half-way never leaves a truncated profile for the next one.
    renameSync(join(out, made), file);
    return file;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
