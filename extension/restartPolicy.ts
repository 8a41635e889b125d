/**
 * When to restart a helper process that died: exponential backoff from half a second up to thirty, reset
 * once a run has stayed up for a minute, and a limit of consecutive quick failures after which the extension
 * stops trying and offers a manual restart. Kept free of `vscode` so it is tested in plain Node.
 */
export interface RestartDecision {
  /** Restart after this many milliseconds, or give up when undefined. */
  delayMillis: number | undefined;
  /** Whether this is the first failure the user should hear about. */
  tellUser: boolean;
}

export class RestartPolicy {
  private consecutiveFailures = 0;
  private userTold = false;

  constructor(
    private readonly initialDelayMillis = 500,
    private readonly maxDelayMillis = 30_000,
    private readonly stableAfterMillis = 60_000,
    private readonly maxConsecutiveFailures = 6,
  ) {}

  /** Called when the process exited unexpectedly after running for `uptimeMillis`. */
  onUnexpectedExit(uptimeMillis: number): RestartDecision {
    if (uptimeMillis >= this.stableAfterMillis) this.consecutiveFailures = 0;
    this.consecutiveFailures++;
    const tellUser = !this.userTold;
    this.userTold = true;
    if (this.consecutiveFailures > this.maxConsecutiveFailures) return { delayMillis: undefined, tellUser };
    const delay = Math.min(this.maxDelayMillis, this.initialDelayMillis * 2 ** (this.consecutiveFailures - 1));
    return { delayMillis: delay, tellUser };
  }

  /** A manual restart starts the count afresh. */
  reset(): void {
    this.consecutiveFailures = 0;
  }
}
