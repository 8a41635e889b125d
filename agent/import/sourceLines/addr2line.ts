import { execFile } from 'node:child_process';

export interface SourceLocation {
  file: string;
  line: number;
}

/**
 * Source file and line of addresses in one binary, from binutils' `addr2line` (Debian: binutils), one process for
 * the whole batch. `-a` prints each address before its answer, so answers are matched to addresses even when one
 * takes several lines. With `-i`, an address in code a compiler inlined gets the chain of functions it is in,
 * innermost first: the last is the function the symbol names (the frame perf printed), at the line that calls the
 * inlined code, and that is the location kept, so that a function is never given an inlined callee's file and line.
 * Addresses without debug information are left out of the result.
 */
export function addr2line(binary: string, addresses: readonly number[]): Promise<Map<number, SourceLocation>> {
  return new Promise(resolve => {
    const child = execFile('addr2line', ['-e', binary, '-a', '-i'], { maxBuffer: 256 * 1024 * 1024, timeout: 60_000 }, (error, stdout) => {
      const found = new Map<number, SourceLocation>();
      // A missing addr2line or a binary it cannot read gives no lines; the frames keep their names.
      if (error) return resolve(found);
      let current: number | undefined;
      /** The outermost location of the current address so far (undefined when it is `??:0`). */
      let outermost: SourceLocation | undefined;
      const settle = (): void => {
        if (current !== undefined && outermost !== undefined) found.set(current, outermost);
      };
      for (const line of stdout.split('\n')) {
        if (line.startsWith('0x')) {
          settle();
          current = parseInt(line, 16);
          outermost = undefined;
          continue;
        }
        const colon = line.lastIndexOf(':');
        if (current === undefined || colon <= 0) continue;
        const file = line.slice(0, colon);
        // `file:12 (discriminator 3)`: parseInt reads the number and stops at the note.
        const number = parseInt(line.slice(colon + 1), 10);
        outermost = file !== '??' && Number.isFinite(number) && number > 0 ? { file, line: number } : undefined;
      }
      settle();
      resolve(found);
    });
    child.stdin?.end(addresses.map(a => `0x${a.toString(16)}`).join('\n') + '\n');
  });
}
