import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Where the temporary file is written and with which permissions; the store's own files are the user's alone. */
export interface DurableWriteOptions {
  /** The temporary file's path; default the file's path with `.tmp` appended. */
  temporary?: string;
  /** Default 0o600. */
  mode?: number;
}

/**
 * Writes a file so that after a crash it is either absent or complete: write a temporary file, fsync it,
 * rename it into place, fsync the directory (which makes the rename durable).
 */
export async function writeFileDurably(path: string, bytes: Uint8Array, options: DurableWriteOptions = {}): Promise<void> {
  const temporary = options.temporary ?? `${path}.tmp`;
  const handle = await open(temporary, options.temporary === undefined ? 'w' : 'wx', options.mode ?? 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  await rename(temporary, path);
  await syncDirectory(dirname(path));
}

export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
