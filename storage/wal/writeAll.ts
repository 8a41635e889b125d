import type { FileHandle } from 'node:fs/promises';

/** Buffers per gathered write: below every platform's IOV_MAX, beyond which a write may stop short. */
const BUFFERS_PER_WRITE = 512;

/**
 * Writes the buffers one after another at `position` with gathered writes (headers and payloads as they are, not
 * concatenated into a copy first), finishing any write that stops short.
 */
export async function writeAll(handle: FileHandle, buffers: Uint8Array[], position: number): Promise<void> {
  let at = position;
  for (let i = 0; i < buffers.length; i += BUFFERS_PER_WRITE) {
    const chunk = buffers.slice(i, i + BUFFERS_PER_WRITE);
    const expected = chunk.reduce((sum, b) => sum + b.length, 0);
    const { bytesWritten } = await handle.writev(chunk, at);
    if (bytesWritten < expected) {
      const rest = Buffer.concat(chunk).subarray(bytesWritten);
      for (let done = 0; done < rest.length; ) {
        const { bytesWritten: n } = await handle.write(rest, done, rest.length - done, at + bytesWritten + done);
        if (n === 0) throw new Error('the disk accepted no more bytes');
        done += n;
      }
    }
    at += expected;
  }
}
