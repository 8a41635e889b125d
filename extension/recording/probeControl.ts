import type * as vscode from 'vscode';
import {
  PROBE_CONTROL_KEY,
  PROBE_ENV,
  type ProbeControlCommand,
  type ProbeControlOptions,
  type ProbeControlState,
} from '../../common/protocol/probeProtocol';

/**
 * Reaching the probe inside a debugged program through its debugger: the debug adapter's `evaluate` runs an
 * expression in the program at once, while it runs and while a breakpoint holds it (when the probe's socket and
 * timers cannot be heard). The expression calls the control the probe put on `globalThis`
 * (PROBE_CONTROL_KEY in probeProtocol.ts), or first loads the probe into a program started without it.
 *
 * The `watch` context: an evaluation the extension sends is not echoed in the Debug Console (that is the REPL
 * view's doing; measured, `repl` did not echo either), but js-debug rewrites `repl` expressions (top-level await,
 * its console helpers) and gives `hover` a time limit; `watch` evaluates the expression as written.
 */

/** What a session answered: the probe's state, or why it could not (no probe, no program, an error). */
export type ControlAnswer = { state: ProbeControlState } | { problem: string };

/** The expression that calls the probe's control; it never throws, and answers `absent` without a probe. */
export function controlExpression(command: ProbeControlCommand, options: ProbeControlOptions = {}): string {
  return `(() => { try { const control = globalThis[Symbol.for(${JSON.stringify(PROBE_CONTROL_KEY)})]; return typeof control === 'function' ? control(${JSON.stringify(command)}, ${JSON.stringify(options)}) : 'absent'; } catch (error) { return 'failed: ' + String(error && error.message); } })()`;
}

/**
 * The expression that loads the probe into a running program and starts profiling: the probe's environment is set
 * on `process.env` (where it reads it as it loads), then the probe is required through `node:module`'s
 * `createRequire` (a global `require` exists only in CommonJS modules' scope, never in the debugger's). A probe
 * already there is resumed instead. Only the program's own environment changes: NODE_OPTIONS is left alone, so
 * child processes it starts later are not profiled.
 */
export function loadExpression(probeModule: string, environment: Record<string, string>): string {
  const { NODE_OPTIONS: _ignored, ...env } = environment;
  return `(() => { try {
  const key = Symbol.for(${JSON.stringify(PROBE_CONTROL_KEY)});
  if (typeof globalThis[key] !== 'function') {
    const moduleApi = (typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:module') : undefined) ?? (process.mainModule && process.mainModule.constructor);
    if (!moduleApi || typeof moduleApi.createRequire !== 'function') return 'failed: this Node.js cannot load modules from the debugger (Node.js 20.16 or later can)';
    Object.assign(process.env, ${JSON.stringify({ ...env, [PROBE_ENV.loadedLate]: '1' })});
    moduleApi.createRequire(${JSON.stringify(probeModule)})(${JSON.stringify(probeModule)});
  }
  const control = globalThis[key];
  return typeof control === 'function' ? control('resume', {}) : 'failed: the probe did not start';
} catch (error) { return 'failed: ' + String(error && error.message); } })()`;
}

/** Reads a session's answer: js-debug shows a string result quoted. */
export function readAnswer(result: unknown): ControlAnswer {
  const text = typeof result === 'string' ? result.replace(/^(["'`])(.*)\1$/s, '$2') : '';
  if (text === 'profiling' || text === 'paused' || text === 'stopped') return { state: text };
  if (text === 'absent') return { problem: 'the program has no Icicle probe' };
  if (text.startsWith('failed: ')) return { problem: text.slice('failed: '.length) };
  return { problem: `the debugger answered ${JSON.stringify(String(result)).slice(0, 200)}` };
}

/** How long a debug session may take to answer: a program busy without yielding cannot evaluate anything. */
const ANSWER_MILLIS = 10_000;

/** Evaluates an expression in one debug session's program and reads the probe's answer; never throws. */
export async function evaluateInSession(session: vscode.DebugSession, expression: string): Promise<ControlAnswer> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<ControlAnswer>(resolve => {
    timer = setTimeout(() => resolve({ problem: `the debugger did not answer within ${ANSWER_MILLIS / 1000} s` }), ANSWER_MILLIS);
  });
  const answer = (async (): Promise<ControlAnswer> => {
    try {
      const body = (await session.customRequest('evaluate', { expression, context: 'watch' })) as { result?: unknown } | undefined;
      return readAnswer(body?.result);
    } catch (error) {
      return { problem: error instanceof Error ? error.message : String(error) };
    }
  })();
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}
