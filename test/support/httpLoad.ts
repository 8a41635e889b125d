import { get } from 'node:http';

/** One GET to a local server, its body read and dropped. */
export function request(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, response => {
      response.resume();
      response.on('end', resolve);
      response.on('error', reject);
    }).on('error', reject);
  });
}

/** Sends every path, `concurrency` at a time, so that requests of different routes are in flight together. */
export async function drive(port: number, paths: readonly string[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) await request(port, paths[next++]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
