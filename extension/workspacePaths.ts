import { realpath } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * The path rules for a frame's relative file name: it is looked for only inside a workspace folder, never above it.
 * Kept free of `vscode` so that they are tested in plain Node.
 *
 * Profiles are written on any system, so `\` separates segments as `/` does (`..\..\etc\passwd` climbs as
 * `../../etc/passwd` does). Names are not URLs: `%2e%2e` is a folder of that name, never decoded into `..`.
 */

/**
 * The path inside `folder` (a `/`-separated absolute path, as a `vscode.Uri`'s `path`) that `relative` names, or
 * undefined when it climbs out of the folder, is absolute, or is empty.
 */
export function resolveInFolder(folder: string, relative: string): string | undefined {
  const slashed = relative.replace(/\\/g, '/');
  if (slashed === '' || slashed.startsWith('/') || /^[a-zA-Z]:/.test(slashed)) return undefined;
  const root = folder.replace(/\/+$/, '');
  const joined = path.posix.normalize(`${root}/${slashed}`);
  return joined.startsWith(`${root}/`) && joined.length > root.length + 1 ? joined : undefined;
}

/**
 * Whether the file at `file` (a local path inside `folder`) is inside the folder once symbolic links are followed:
 * a link in a cloned repository can point anywhere. False when either cannot be resolved.
 */
export async function staysInside(folder: string, file: string): Promise<boolean> {
  try {
    const [realFolder, realFile] = await Promise.all([realpath(folder), realpath(file)]);
    const relative = path.relative(realFolder, realFile);
    return relative !== '' && relative.split(path.sep)[0] !== '..' && !path.isAbsolute(relative);
  } catch {
    return false;
  }
}
