import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

/** The signals that end a command run from a shell or a CI runner, which `icicle record` must pass on. */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Keeps SIGINT, SIGTERM and SIGHUP from ending `icicle record` before its command, and passes them on as a shell
 * would: the command stays in this process's group, so a terminal's Ctrl+C (or hangup) reaches it directly and is
 * not sent a second time, while a signal sent to this process alone (`kill -TERM <pid>`) is forwarded to it.
 * A second SIGTERM kills the command (SIGKILL): a program that does not end on the first one (its handler, or the
 * probe's, cannot run while it spins) must not keep `icicle record` waiting for ever.
 */
export class ForwardedSignals {
  /** The first signal this process received, which decides its exit code when the command did not end itself. */
  received: NodeJS.Signals | undefined;
  private terminations = 0;
  private child: ChildProcess | undefined;
  private readonly handlers = new Map<NodeJS.Signals, () => void>();

  constructor() {
    for (const signal of FORWARDED) {
      const handler = (): void => this.onSignal(signal);
      this.handlers.set(signal, handler);
      process.on(signal, handler);
    }
  }

  /** From now on, signals go to this command. */
  forwardTo(child: ChildProcess): void {
    this.child = child;
  }

  dispose(): void {
    for (const [signal, handler] of this.handlers) process.off(signal, handler);
    this.handlers.clear();
  }

  private onSignal(signal: NodeJS.Signals): void {
    this.received ??= signal;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    if (signal === 'SIGTERM' && ++this.terminations > 1) {
      child.kill('SIGKILL');
      return;
    }
    if (signal !== 'SIGTERM' && inTerminalForeground()) return;
    child.kill(signal);
  }
}

/** The exit code a shell gives a command that a signal ended: 128 + the signal's number. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/**
 * Whether this process is in its terminal's foreground process group, so that the terminal sent a Ctrl+C's SIGINT
 * (or a hangup's SIGHUP) to the whole group, the command included. Read from /proc/self/stat (pgrp and tpgid);
 * elsewhere, false: the command is sent the signal, perhaps a second time.
 */
function inTerminalForeground(): boolean {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // After "pid (comm) ": state, ppid, pgrp, session, tty_nr, tpgid.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(fields[2]);
    const foreground = Number(fields[5]);
    return foreground > 0 && pgrp === foreground;
  } catch {
    return false;
  }
}
