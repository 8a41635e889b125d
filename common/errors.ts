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
