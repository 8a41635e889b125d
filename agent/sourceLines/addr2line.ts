import { execFile } from 'node:child_process';

export interface SourceLocation {
  file: string;
  line: number;
}

/**
 * Source file and line of addresses in one binary, from binutils' `addr2line` (Debian: binutils), one process for
 * the whole batch. `-a` prints each address before its answer, so answers are matched to addresses even when one
 * takes several lines. Addresses without debug information are left out of the result.
 */
export function addr2line(binary: string, addresses: readonly number[]): Promise<Map<number, SourceLocation>> {
  return new Promise(resolve => {
    const child = execFile('addr2line', ['-e', binary, '-a'], { maxBuffer: 256 * 1024 * 1024, timeout: 60_000 }, (error, stdout) => {
      const found = new Map<number, SourceLocation>();
      // A missing addr2line or a binary it cannot read gives no lines; the frames keep their names.
      if (error) return resolve(found);
      let current: number | undefined;
      for (const line of stdout.split('\n')) {
        if (line.startsWith('0x')) {
          current = parseInt(line, 16);
          continue;
        }
        const colon = line.lastIndexOf(':');
        if (current === undefined || colon <= 0 || found.has(current)) continue;
        const file = line.slice(0, colon);
        const number = parseInt(line.slice(colon + 1), 10);
        if (file !== '??' && Number.isFinite(number) && number > 0) found.set(current, { file, line: number });
      }
      resolve(found);
    });
    child.stdin?.end(addresses.map(a => `0x${a.toString(16)}`).join('\n') + '\n');
  });
}
