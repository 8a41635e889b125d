import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileSystemReason } from '../common/errors';

/** Verbs for the system calls whose failures users meet, for "Cannot <verb> <path>". */
const ACTIONS: Record<string, string> = {
  open: 'open',
  read: 'read',
  write: 'write',
  stat: 'read',
  lstat: 'read',
  mkdir: 'create the folder',
  rename: 'rename',
  unlink: 'delete',
  rmdir: 'delete the folder',
  scandir: 'list the folder',
  opendir: 'list the folder',
  copyfile: 'copy',
  fsync: 'save',
  fdatasync: 'save',
};

/** The file system error in an error or its causes (the store wraps them), if any. */
export function fileSystemErrorOf(error: unknown): NodeJS.ErrnoException | undefined {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 4; cause = cause.cause, depth++) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (fileSystemReason(code) !== undefined) return cause as NodeJS.ErrnoException;
  }
  return undefined;
}

/**
 * The reason a path could not be used, in words: for ENOTDIR, which part of the path is a file where a folder should
 * be (the nearest existing ancestor), else the reason for the error's code.
 */
export function reasonForPath(code: string | undefined, path: string | undefined): string | undefined {
  if (code === 'ENOTDIR' && path !== undefined) {
    for (let ancestor = dirname(path); ; ancestor = dirname(ancestor)) {
      try {
        if (!statSync(ancestor).isDirectory()) return `${ancestor} is a file, not a folder`;
        break;
      } catch {
        // Not there (or not reachable): look further up.
      }
      if (dirname(ancestor) === ancestor) break;
    }
  }
  return fileSystemReason(code);
}

/**
 * A sentence saying what went wrong with which path, for a file system error (or one it caused); undefined for any
 * other error. Without a path (a write to an open file), the sentence says what is wrong and `where`, when given.
 */
export function describeFileError(error: unknown, where?: string): string | undefined {
  const cause = fileSystemErrorOf(error);
  if (cause === undefined) return undefined;
  const reason = reasonForPath(cause.code, cause.path);
  if (cause.path !== undefined) return `Cannot ${ACTIONS[cause.syscall ?? ''] ?? 'use'} ${cause.path}: ${reason}.`;
  return where === undefined ? `${reason![0]!.toUpperCase()}${reason!.slice(1)}.` : `Cannot write ${where}: ${reason}.`;
}
