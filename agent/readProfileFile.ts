import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { IcicleErrorCode, UserFacingError } from '../common/errors';
import { reasonForPath } from './fileErrors';

/**
 * The largest profile the agent reads whole. V8 cannot hold a string longer than about 512 MiB, and a JSON
 * profile that size would take gigabytes once parsed; refusing early with the size beats an out-of-memory crash.
 */
export const MAX_PROFILE_BYTES = 400 * 1024 * 1024;

/** Reads a profile file's bytes, gunzipped when it is gzip-compressed; errors are written for the user. */
export async function readProfileBytes(path: string, displayName: string): Promise<Buffer> {
  return (await readProfileFile(path, displayName)).bytes;
}

/** A profile file's bytes (see readProfileBytes) and when it was last written (ms since the epoch), from one open. */
export async function readProfileFile(path: string, displayName: string): Promise<{ bytes: Buffer; modifiedMs: number }> {
  const { handle, size, modifiedMs } = await openProfileFile(path, displayName);
  try {
    if (size > MAX_PROFILE_BYTES) throw tooLarge(displayName, size);
    const bytes = await handle.readFile();
    return { bytes: gunzipIfCompressed(bytes, displayName), modifiedMs };
  } catch (error) {
    throw readError(error, displayName, path);
  } finally {
    await handle.close();
  }
}

/**
 * Opens a profile file for reading, a regular file only; the caller closes the handle. Errors are written for the
 * user (readError turns those of later reads into sentences too).
 */
export async function openProfileFile(path: string, displayName: string): Promise<{ handle: FileHandle; size: number; modifiedMs: number }> {
  let handle;
  try {
    // A pipe or a device is refused before it is opened: opening a FIFO waits for a writer, which would hold one of
    // the agent's few file threads for good, and a device has no end. Non-blocking, in case it was swapped since.
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('a folder'), { code: 'EISDIR' });
    if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    throw new UserFacingError(IcicleErrorCode.FileUnreadable, `Cannot open ${displayName}: ${reasonOf(error, path)}.`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new UserFacingError(IcicleErrorCode.FileUnreadable, `Cannot open ${displayName}: ${reasonOf({ code: info.isDirectory() ? 'EISDIR' : 'ENOTFILE' }, path)}.`);
    return { handle, size: info.size, modifiedMs: info.mtimeMs };
  } catch (error) {
    await handle.close();
    throw readError(error, displayName, path);
  }
}

/** A failed read as the user reads it: user-facing errors as they are, errno codes as sentences. */
export function readError(error: unknown, displayName: string, path: string): UserFacingError {
  if (error instanceof UserFacingError) return error;
  return new UserFacingError(IcicleErrorCode.FileUnreadable, `Cannot read ${displayName}: ${reasonOf(error, path)}.`);
}

/** The bytes themselves, or their gunzipped content when they start with the gzip magic number. */
export function gunzipIfCompressed(bytes: Buffer, displayName: string): Buffer {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    let inflated: Buffer;
    try {
      inflated = gunzipSync(bytes, { maxOutputLength: MAX_PROFILE_BYTES });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') throw tooLargeOnceDecompressed(displayName);
      throw new UserFacingError(IcicleErrorCode.ProfileInvalid, `${displayName} is gzip-compressed but damaged (${code ?? 'corrupt data'}).`);
    }
    return inflated;
  }
  return bytes;
}

/** The error for a gzip that inflates past what Icicle reads (gunzipIfCompressed, and a gzip read as a stream). */
export function tooLargeOnceDecompressed(displayName: string): UserFacingError {
  return tooLarge(displayName, MAX_PROFILE_BYTES + 1, 'once decompressed');
}

function tooLarge(displayName: string, size: number, qualifier = ''): UserFacingError {
  const mib = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;
  const what = qualifier ? ` ${qualifier}` : ` (${mib(size)})`;
  return new UserFacingError(
    IcicleErrorCode.FileUnreadable,
    `${displayName} is too large${what}: Icicle reads profiles up to ${mib(MAX_PROFILE_BYTES)}.`,
  );
}

function reasonOf(error: unknown, path: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOTFILE') return 'it is not a regular file (a pipe, a device or a socket)';
  if (code === 'ENOENT') return 'the file does not exist';
  return reasonForPath(code, path) ?? (code === undefined ? 'unknown error' : `the system says ${code}`);
}
