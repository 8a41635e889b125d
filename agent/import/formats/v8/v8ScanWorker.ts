import { parentPort } from 'node:worker_threads';
import { readRange } from './readRange';
import { V8ProfileWindows } from './v8ProfileWindows';
import type { V8ScanReply, V8ScanRequest } from './v8ScanProtocol';

/**
 * The V8 scan worker: reads the second part of a big V8 profile (v8ParallelScan.ts) from its file, from a node's
 * opening brace to the end, and replies once with the part's columns, their typed arrays transferred.
 */
parentPort!.once('message', (request: V8ScanRequest) => {
  void scan(request).then(
    ({ reply, transfer }) => parentPort!.postMessage(reply, transfer),
    (error: unknown) => {
      const failed = error as NodeJS.ErrnoException;
      parentPort!.postMessage({ kind: 'failed', message: failed.message ?? String(error), ...(failed.code ? { code: failed.code } : {}) } satisfies V8ScanReply);
    },
  );
});

async function scan({ path, start, end }: V8ScanRequest): Promise<{ reply: V8ScanReply; transfer: ArrayBuffer[] }> {
  const windows = new V8ProfileWindows(end - start, true);
  await readRange(path, start, end, chunk => windows.push(chunk));
  if (!windows.end()) return { reply: { kind: 'declined' }, transfer: [] };
  const columns = windows.scanner!.streamedProfile();
  const buffers = new Set<ArrayBuffer>();
  for (const value of Object.values(columns)) if (ArrayBuffer.isView(value)) buffers.add(value.buffer as ArrayBuffer);
  return { reply: { kind: 'scanned', columns }, transfer: [...buffers] };
}
