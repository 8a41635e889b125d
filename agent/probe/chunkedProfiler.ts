import { console as inspectorConsole, url as inspectorUrl, type Session } from 'node:inspector';

/** A V8 CPU profile as the inspector returns it; the agent reads the rest. */
export interface V8ProfileChunk {
  samples?: unknown[];
}

/**
 * V8's CPU profiler read in chunks without ever being stopped.
 *
 * Stopping and restarting the inspector's profiler (Profiler.stop, Profiler.start) loses the inlining information
 * of code that was optimized before the restart: samples in that code are then charged to the function it was
 * inlined into, and a hot callback shows up as Node's `processImmediate` (measured: the second and later chunks
 * of a busy loop, in two runs of three). So each chunk is a console profile, and the next one starts an instant
 * before the current one ends: the profiler runs throughout, and every code object keeps its inline frames. A
 * sample taken in that instant may be counted in both chunks, one sample in thousands.
 *
 * In-process inspector sessions deliver `Profiler.consoleProfileFinished` synchronously, so `take` returns the
 * chunk it ended, at a program's exit too.
 *
 * Under a debugger the console profiles cannot be used: every session with the Profiler domain enabled sees them,
 * and VS Code's JavaScript debugger saves each one as a file in the workspace. Restarting the profiler instead
 * gives wrong profiles (above). So when a debugger is attached (or about to be: js-debug's environment,
 * --inspect), the profiler runs from start to exit and the whole run is one chunk, taken at exit: correct, but
 * not streamed while the program runs (README, Limits).
 */
export class ChunkedProfiler {
  private readonly prefix = `icicle-${process.pid}-`;
  private readonly finished: V8ProfileChunk[] = [];
  private sequence = 0;
  private current: string | undefined;
  /** Whether the whole run is one profile (a debugger is attached) rather than overlapping console profiles. */
  private whole: boolean;

  constructor(
    private readonly session: Session,
    intervalMicros: number,
  ) {
    session.on('Profiler.consoleProfileFinished', message => {
      const params = message.params as { title?: string; profile?: V8ProfileChunk };
      // The program's own console.profile() calls reach this session too; they are not Icicle's.
      if (params.title?.startsWith(this.prefix) && params.profile) this.finished.push(params.profile);
    });
    post(session, 'Profiler.enable');
    post(session, 'Profiler.setSamplingInterval', { interval: intervalMicros });
    this.whole = debuggerAttached();
    if (this.whole) post(session, 'Profiler.start');
    else this.current = this.begin();
  }

  /** Whether the whole run is one profile, given at the last take (a debugger is attached). */
  get keepsWholeRun(): boolean {
    return this.whole;
  }

  /** Ends the current chunk and returns its profile; unless `last`, the next chunk has already begun. */
  take(last = false): V8ProfileChunk | undefined {
    if (this.whole) {
      if (!last) return undefined;
      return (post(this.session, 'Profiler.stop') as { profile?: V8ProfileChunk } | undefined)?.profile;
    }
    const ending = this.current;
    if (ending === undefined) return undefined;
    this.current = last ? undefined : this.begin();
    this.finished.length = 0;
    profileEnd(ending);
    return this.finished.shift();
  }

  /** Ends profiling without keeping the current chunk. */
  stop(): void {
    if (this.whole) {
      post(this.session, 'Profiler.stop');
      return;
    }
    const ending = this.current;
    this.current = undefined;
    if (ending !== undefined) profileEnd(ending);
    this.finished.length = 0;
  }

  private begin(): string {
    const title = `${this.prefix}${++this.sequence}`;
    (inspectorConsole as unknown as { profile(title: string): void }).profile(title);
    return title;
  }
}

/**
 * Whether a debugger is attached or about to attach: the inspector listens (--inspect, or js-debug's bootloader
 * opened it), or VS Code's JavaScript debugger launched the process (its bootloader's environment variable).
 */
function debuggerAttached(): boolean {
  return inspectorUrl() !== undefined || process.env['VSCODE_INSPECTOR_OPTIONS'] !== undefined || process.env['NODE_INSPECTOR_IPC'] !== undefined || process.execArgv.some(arg => arg.startsWith('--inspect'));
}

function profileEnd(title: string): void {
  (inspectorConsole as unknown as { profileEnd(title: string): void }).profileEnd(title);
}

/** Sends an inspector command and returns its result; an in-process session answers before `post` returns. */
export function post(session: Session, method: string, params?: object): unknown {
  let result: unknown;
  let failure: Error | null = null;
  session.post(method, params ?? {}, (error, value) => {
    failure = error;
    result = value;
  });
  if (failure) throw failure;
  return result;
}
