/**
 * Which local files a profile can make the agent read, and how they are opened. A profile names files in its frames
 * (a V8 profile's script URLs, perf's binaries), and importing it reads some of them: scripts for their
 * `sourceMappingURL` comment, source maps, the first bytes of binaries for their ELF program headers (see
 * agent/import/sourceMaps/ and agent/import/sourceLines/). A profile can come from anywhere, so what it names is held to rules:
 *
 * - the name is an absolute path with no NUL or other control character, and not a Windows network path
 *   (`\\host\share`), which would reach out to another machine;
 * - the file, once symbolic links are followed, is not in Linux's pseudo-filesystems (/proc, /sys, /dev), whose
 *   "files" are other processes' memory and environment, the kernel's state and devices;
 * - when the caller gives extensions (scripts: `.js`, `.mjs`, `.cjs`; maps: `.map`), both the name and the file it
 *   links to end in one of them; a binary (which has no extension to go by) must be executable, or be named as a
 *   shared library or kernel module, as everything perf samples is, so `/etc/passwd` is not one;
 * - it is a regular file (never a FIFO, whose opening would wait for a writer, nor a device), no larger than the
 *   caller's limit, checked before it is opened;
 * - it is opened without blocking and without becoming a controlling terminal, and must still be the same regular
 *   file once open (a file swapped between the check and the opening is refused).
 */
import { constants, type Stats } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import * as path from 'node:path';

export const JAVASCRIPT_EXTENSIONS: readonly string[] = ['.js', '.mjs', '.cjs'];
export const SOURCE_MAP_EXTENSIONS: readonly string[] = ['.map'];

export interface LocalFileRules {
  /** What the file is for, in reasons: "script", "map", "binary". */
  what: string;
  /** The endings allowed (lower case, with the dot); any name when absent. */
  extensions?: readonly string[];
  /** The largest size allowed, in bytes; any size when absent. */
  maxBytes?: number;
  /** A native binary: executable, or a shared library or kernel module by its name (`.so`, `.so.6`, `.ko`). */
  binary?: boolean;
}

/** Why a file may not be read, or undefined when it may. `tooLarge` marks a refusal for its size only. */
export interface Refusal {
  reason: string;
  tooLarge?: boolean;
}

/** Linux's pseudo-filesystems: process memory and environment, kernel state, devices. */
export function inPseudoFilesystem(file: string): boolean {
  return /^\/(proc|sys|dev)(\/|$)/.test(path.posix.normalize(file));
}

/**
 * What is wrong with a file's name alone (before the file system is asked), or undefined. `platform` is the
 * machine's, a parameter only so that the Windows rules are tested everywhere.
 */
export function nameProblem(file: string, rules: LocalFileRules, platform: NodeJS.Platform = process.platform): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(file)) return 'has a control character in its name';
  if (platform === 'win32' && /^[\\/]{2}/.test(file)) return 'is a network path, which is never followed';
  // A relative name would be resolved against the agent's working directory, which the profile knows nothing of.
  if (!(platform === 'win32' ? path.win32 : path.posix).isAbsolute(file)) return 'is not an absolute path';
  if (inPseudoFilesystem(file)) return 'is in /proc, /sys or /dev, which hold no profiled code';
  if (rules.extensions && !hasExtension(file, rules.extensions)) return `is not a ${rules.what} (its name does not end in ${rules.extensions.join(', ')})`;
  return undefined;
}

function hasExtension(file: string, extensions: readonly string[]): boolean {
  return extensions.includes(path.extname(file).toLowerCase());
}

/** An open regular file that passed the rules, with its size, or why it was refused. Close the handle when done. */
export async function openLocalFile(file: string, rules: LocalFileRules): Promise<{ handle: FileHandle; size: number } | Refusal> {
  const problem = nameProblem(file, rules);
  if (problem !== undefined) return { reason: problem };
  let real: string;
  let info: Stats;
  try {
    real = await realpath(file);
    info = await stat(real);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { reason: code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})` };
  }
  if (real !== file) {
    const linked = nameProblem(real, rules);
    if (linked !== undefined) return { reason: `links to ${real}, which ${linked}` };
  }
  if (!info.isFile()) return { reason: 'is not a regular file' };
  if (rules.binary && (info.mode & 0o111) === 0 && !/\.(so(\.[\d.]+)?|ko)$/.test(real)) return { reason: 'is neither executable nor a shared library' };
  if (rules.maxBytes !== undefined && info.size > rules.maxBytes) {
    return { reason: `is ${megabytes(info.size)}, above the ${megabytes(rules.maxBytes)} limit for a ${rules.what}`, tooLarge: true };
  }
  let handle: FileHandle;
  try {
    // O_NONBLOCK: should a FIFO have taken the file's place since the check, opening it does not wait for a writer.
    handle = await open(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch (error) {
    return { reason: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
  const opened = await handle.stat().catch(() => undefined);
  if (!opened || !opened.isFile() || opened.ino !== info.ino || opened.dev !== info.dev) {
    await handle.close();
    return { reason: 'changed while it was being opened' };
  }
  return { handle, size: opened.size };
}

/** The text of a local file that passed the rules (UTF-8, at most `maxBytes`), or why it was not read. */
export async function readLocalText(file: string, rules: LocalFileRules & { maxBytes: number }): Promise<string | Refusal> {
  const opened = await openLocalFile(file, rules);
  if (!('handle' in opened)) return opened;
  const { handle, size } = opened;
  try {
    // At most one byte past the limit, in case the file grew since it was measured.
    const buffer = Buffer.allocUnsafe(Math.min(size, rules.maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) break;
    }
    if (length > rules.maxBytes) return { reason: `grew above the ${megabytes(rules.maxBytes)} limit for a ${rules.what} while it was read`, tooLarge: true };
    return buffer.toString('utf8', 0, length);
  } catch (error) {
    return { reason: `cannot be read (${error instanceof Error ? error.message : String(error)})` };
  } finally {
    await handle.close();
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
