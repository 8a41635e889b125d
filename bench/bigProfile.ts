import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Below this size the generated profile is not the "big" input the benchmarks claim; they say so on stderr. */
export const BIG_PROFILE_MIN_BYTES = 40 * 1024 * 1024;

/**
 * The source tree tsc type-checks for the big profile: this repository as it was at this commit, not as it is now.
 * Type-checking the checkout itself made the input grow with the repository (a view of 185,000 nodes when the
 * re-query and first-paint targets were set, 460,000 a few weeks later), so figures from different days measured
 * different inputs. The pinned tree keeps the input the same on every machine that has the history.
 */
const PINNED_COMMIT = '06c45926cb9e97661788201eeae70bf572b707d4';

/**
 * A V8 profile of at least 40 MB: `tsc` type-checking this repository's sources at PINNED_COMMIT (with today's
 * dependencies), sampled every 50 µs. Every benchmark that needs it calls this, so each one runs on a fresh machine
 * without another having run first. It is generated once and kept in ~/.cache/icicle/bench, since producing it
 * takes about 30 s; `who` names the benchmark in the progress line. A checkout without that commit (a shallow
 * clone) type-checks its own sources instead, and says so.
 */
export function bigCpuProfile(who: string): string {
  const cache = join(homedir(), '.cache', 'icicle', 'bench');
  const root = join(__dirname, '..');
  const pinned = hasCommit(root, PINNED_COMMIT);
  const file = join(cache, pinned ? `tsc-big-${PINNED_COMMIT.slice(0, 7)}.cpuprofile` : 'tsc-big-checkout.cpuprofile');
  if (existsSync(file)) return file;
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(join(tmpdir(), 'icicle-bench-prof-'));
  try {
    let project = root;
    if (pinned) {
      project = join(out, 'src');
      mkdirSync(project);
      execFileSync('sh', ['-c', 'git -C "$1" archive "$2" | tar -x -C "$3"', 'archive', root, PINNED_COMMIT, project]);
      symlinkSync(join(root, 'node_modules'), join(project, 'node_modules'));
    } else {
      process.stderr.write(`[${who}] this checkout has no commit ${PINNED_COMMIT.slice(0, 7)} (a shallow clone?): profiling tsc on its own sources, a different input from other machines'\n`);
    }
    process.stderr.write(`[${who}] generating a 40+ MB profile of tsc (once, about 30 s)\n`);
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const prof = join(out, 'prof');
    const run = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-interval', '50', `--cpu-prof-dir=${prof}`, tsc, '--noEmit', '-p', join(project, 'tsconfig.json')], { stdio: 'ignore' });
    const made = existsSync(prof) ? readdirSync(prof).find(f => f.endsWith('.cpuprofile')) : undefined;
    if (run.status === null || !made) throw new Error('could not generate the big profile');
    // Renamed into place whole, so a benchmark stopped half-way never leaves a truncated profile for the next one.
    renameSync(join(prof, made), file);
    return file;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Whether the repository at `root` has `commit` (a shallow clone may not). */
function hasCommit(root: string, commit: string): boolean {
  return spawnSync('git', ['-C', root, 'cat-file', '-e', `${commit}^{commit}`], { stdio: 'ignore' }).status === 0;
}
