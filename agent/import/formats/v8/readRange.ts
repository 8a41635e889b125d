import { open } from 'node:fs/promises';

/** What a read of the file takes at a time (streamImport.ts reads the same). */
const CHUNK_BYTES = 4 * 1024 * 1024;

/** Reads `path` from `start` to `end`, chunk by chunk, into `take` (which may keep nothing of a chunk). */
export async function readRange(path: string, start: number, end: number, take: (chunk: Buffer) => void): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(1, end - start)));
    for (let position = start; position < end; ) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, end - position), position);
      if (bytesRead === 0) break;
      position += bytesRead;
      take(chunk.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
}
