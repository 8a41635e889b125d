/**
 * The agent's log: plain lines on stderr, which the extension forwards to the "Icicle" output channel.
 * stdout is reserved for the one readiness line the extension waits for.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

let threshold: LogLevel = 'info';

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

export function log(level: LogLevel, message: string): void {
  if (ORDER[level] > ORDER[threshold]) return;
  process.stderr.write(`[agent ${level}] ${message}\n`);
}
