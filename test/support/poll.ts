/**
 * Polling with a deadline, for every test tier: tests wait for conditions, never for a fixed time, and say what
 * they were waiting for when the deadline passes.
 */
export interface PollOptions {
  timeoutMs: number;
  /** What is being waited for, as in "waiting for <what>". */
  what: string;
  intervalMs?: number;
  /** Extra text for the timeout error, e.g. a log tail. */
  details?: () => string;
}

/** Calls `check` until it returns something truthy (returned) or throws (rethrown at once). */
export async function pollUntil<T>(check: () => T | Promise<T>, options: PollOptions): Promise<NonNullable<T>> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) {
      const details = options.details?.();
      throw new Error(
        `timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${options.what}` +
          (details ? `\n${details}` : ''),
      );
    }
    await new Promise(resolve => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
