import type { ImportedProfile } from '../../importedProfile';
import type { ChunkParser, ChunkSource } from '../formatReader';
import { cpuProfileToImported } from './cpuprofileImport';
import { readRange } from './readRange';
import { joinColumns, nodeBoundaryAfter, V8ParallelScan } from './v8ParallelScan';
import { V8ProfileWindows } from './v8ProfileWindows';

/** Whether a file's first bytes open a V8 profile as V8 writes it, `{"nodes":[`, which a stream can read. */
export function startsAsV8Writes(head: Buffer): boolean {
  let p = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  const skip = (): void => {
    while (head[p] === 0x20 || head[p] === 0x0a || head[p] === 0x0d || head[p] === 0x09) p++;
  };
  skip();
  if (head[p++] !== 0x7b) return false;
  skip();
  return head.toString('latin1', p, p + 8) === '"nodes":';
}

/** How far past the middle of a file a node boundary is looked for before it is read by one thread after all. */
const BOUNDARY_SEARCH_BYTES = 16 * 1024 * 1024;

/**
 * A V8 `.cpuprofile` read from its bytes as they come, chunk by chunk (agent/import/streamImport.ts), by the same
 * byte scanner that reads a whole file (v8ProfileScanner.ts, through V8ProfileWindows), so that a profile of
 * gigabytes is never held as a buffer or a string. Distinct call frames and URLs are kept by the scanner, not as
 * positions in a chunk. `finish` gives undefined for a file that is not laid out as V8 writes it (nodes first, strict
 * JSON): it is then read whole, where detection and the checked path say what is wrong with it.
 *
 * A file of at least `source.parallelMinBytes` is read by two threads at once: from the first node boundary past its
 * middle, a worker thread reads the rest from the file itself (V8ParallelScan) while this one reads the start, and
 * the two parts' columns are joined. The chunks still all pass through here (the caller hashes them).
 */
export function v8ProfileChunks(displayName: string, fileBytes: number, _notes?: unknown, source?: ChunkSource): ChunkParser {
  const first = new V8ProfileWindows(fileBytes);
  /** Where the worker's part starts (a node boundary past the middle, found before the first byte is read), or -1. */
  const split = source !== undefined && fileBytes >= source.parallelMinBytes ? nodeBoundaryAfter(source.path, Math.floor(fileBytes / 2), BOUNDARY_SEARCH_BYTES) : -1;
  const second = split > 0 ? new V8ParallelScan(source!.path, split, fileBytes) : undefined;
  /** Bytes pushed so far: this thread reads those before `split`. */
  let at = 0;
  return {
    push(chunk) {
      const start = at;
      at += chunk.length;
      if (second === undefined || at <= split) first.push(chunk);
      else if (start < split) first.push(chunk.subarray(0, split - start));
    },
    finish() {
      // Read by this thread alone, the file's profiles are ready now (the caller need not wait a turn).
      return second === undefined ? whole() : joinedParts(second);
    },
  };

  function whole(): ImportedProfile[] | undefined {
    return first.end() ? [cpuProfileToImported({ columns: first.scanner!.streamedProfile() }, displayName)] : undefined;
  }

  async function joinedParts(second: V8ParallelScan): Promise<ImportedProfile[] | undefined> {
    // The start is not as V8 writes it: the file is read whole, and the worker's reading is of no use.
    if (first.declined) return second.result(false).then(() => undefined);
    const rest = await second.result(first.endedBetweenNodes);
    if (rest === 'declined') return undefined;
    // Not a node boundary after all (the first part did not end there): this thread reads the rest itself.
    if (rest === 'notBoundary') {
      await readRange(source!.path, split, fileBytes, chunk => first.push(chunk));
      return whole();
    }
    return [cpuProfileToImported({ columns: joinColumns(first.scanner!, rest) }, displayName)];
  }
}
