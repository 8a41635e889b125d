import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticCpuProfile } from './syntheticCpuProfile';

const FILE = '/app/src/program.js';
const frame = (name: string, line: number) => ({ name, file: FILE, line });

/**
 * Six runs of a program as `.cpuprofile` files named `<prefix>-<n>.cpuprofile` in `dir`: `slow` (about `slow` ms a run)
 * and `fast` (about 200 ms) under `main`, their sample counts varied a little from run to run so that the comparison
 * has noise to weigh. Runs of two branches made with another `slow` differ in `slow` alone. `offset` keeps their
 * start times (and so their content, which identifies an imported file) apart from other calls'.
 */
export function writeBranchRunProfiles(dir: string, prefix: string, slow: number, offset: number): string[] {
  return Array.from({ length: 6 }, (_, run) => {
    const vary = (run * 7) % 5;
    const profile = syntheticCpuProfile(
      [
        { frames: [frame('main', 1)], samples: 40 + vary },
        { frames: [frame('main', 1), frame('slow', 10)], samples: slow + ((run * 3) % 7) },
        { frames: [frame('main', 1), frame('fast', 20)], samples: 200 + vary },
      ],
      (offset + run) * 10_000_000,
    );
    const file = join(dir, `${prefix}-${run}.cpuprofile`);
    writeFileSync(file, profile);
    return file;
  });
}
