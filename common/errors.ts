/**
 * Error codes that cross process boundaries inside JSON-RPC error responses. Their messages are written for
 * users (they are shown as they are), so they say what went wrong and what to do, and never carry stack traces.
 * The range follows JSON-RPC's reserved range for server-defined errors.
 */
export const IcicleErrorCode = {
  /** The request's parameters failed validation at the boundary. */
  InvalidParams: -32602,
  /** The peer speaks another protocol version. */
  ProtocolMismatch: -32010,
  /** The profile file could not be read (missing, unreadable, too large). */
  FileUnreadable: -32011,
  /** The file was read but is not a profile Icicle understands, or is corrupt. */
  ProfileInvalid: -32012,
  /** The store cannot take writes now (a full disk, a read-only or failing filesystem); trying later may work. */
  StoreUnavailable: -32013,
} as const;
export type IcicleErrorCode = (typeof IcicleErrorCode)[keyof typeof IcicleErrorCode];

/** An error whose message is meant for the user as it stands. */
export class UserFacingError extends Error {
  constructor(
    readonly code: IcicleErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}

/** The message of anything thrown, without a stack trace, for logs and notifications. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** File system errors after which a write may succeed later, once the user frees space or fixes the disk. */
const STORAGE_ERROR_CODES: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EIO: 'the disk reported an input/output error',
};

/**
 * Why a file system call failed, in words, by its errno code (what Node's messages give only as `ELOOP: too many
 * symbolic links encountered, open 'x'`). Each says what is wrong with the path the sentence names.
 */
const FILE_SYSTEM_REASONS: Record<string, string> = {
  ...STORAGE_ERROR_CODES,
  ENOENT: 'it does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of its path is a file, not a folder',
  ELOOP: 'it is a symbolic link that leads round in a loop (or through too many links)',
  ENAMETOOLONG: 'its name is too long',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open on this system',
  EBUSY: 'it is busy',
  ETXTBSY: 'it is busy',
  EEXIST: 'it exists already',
  ENOTEMPTY: 'the folder is not empty',
  EXDEV: 'it is on another file system',
  ENXIO: 'it is a device or a socket with nothing behind it',
};

/** The reason for a file system error code in words, or undefined for a code without words here. */
export function fileSystemReason(code: string | undefined): string | undefined {
  return code === undefined ? undefined : FILE_SYSTEM_REASONS[code];
}

/**
 * Says in words why the store could not write, when `error` is a file system error of that kind (else undefined),
 * for the user and for a probe deciding whether to send a chunk again.
 */
export function storageProblem(error: unknown): string | undefined {
  // The store may wrap the file system's error; its cause chain is followed a few steps.
  for (let cause = error, depth = 0; cause instanceof Error && depth < 4; cause = cause.cause, depth++) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = code === undefined ? undefined : STORAGE_ERROR_CODES[code];
    if (reason !== undefined) return `Icicle's profile store cannot be written now: ${reason} (${code}).`;
  }
  return undefined;
}
