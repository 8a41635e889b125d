import { console as inspectorConsole, url as inspectorUrl, type Session } from 'node:inspector';

/** A V8 CPU profile as the inspector returns it; the agent reads the rest. */
export interface V8ProfileChunk {
  samples?: unknown[];
}

/** How long a keep-alive profile runs before it is replaced (its samples are kept by V8 until it ends). */
export const KEEP_ALIVE_MILLIS = 60_000;

/**
 * V8's CPU profiler read in chunks, streamed while the program runs, under a debugger too.
 *
 * Each chunk is a profile of this session's own (Profiler.start, then Profiler.stop at the chunk's end, which
 * returns it to this session only): a debugger never sees it, so VS Code's JavaScript debugger saves nothing into
 * the workspace. But a session's V8 profiler is created when its first profile starts and disposed when its last
 * one stops, and a new profiler knows only the code it can find when it starts: optimized code it cannot find
 * (on-stack-replacement code, kept only in a feedback vector, such as Node's `processImmediate` loop with the
 * hot callback inlined) is then charged to the function it belongs to, without its inlined frames (measured:
 * every chunk after the first charged a busy callback to `processImmediate`, and `--no-use-osr` cured it). So the
 * session also runs a keep-alive profile, a console profile that outlives every chunk: the profiler, and what it
 * learnt of every code object since the probe started, live for the whole run.
 *
 * A console profile is seen by every session with the Profiler domain enabled when it starts (a debugger
 * attached before the probe, as js-debug is, sees its start once and profiles alongside it) and each of them is
 * told when it ends (js-debug saves that profile as a file). So the keep-alive never ends while a debugger may be
 * attached; otherwise it is replaced every minute (the next one begins before the last one ends), since V8 keeps
 * every sample of a profile until it ends. It is never ended at exit or stop: disabling or closing the session
 * drops its profiles without a word to anyone.
 *
 * Every sample is added to every running profile, so a keep-alive doubles the sampler thread's work (measured: the
 * program's CPU time 8.0% over a plain run at 1 ms and its wall time 3.4%, against 4.7% and -0.2% with one profile:
 * docs/benchmarks.md). Where no debugger may be attached, nobody sees a console profile end, so the keep-alive is
 * only a bridge: begun just before a chunk's profile stops and ended once the next has started, or held while
 * profiling is paused.
 *
 * In-process sessions answer synchronously, so `take` returns the chunk it ended, at a program's exit too.
 */
export class ChunkedProfiler {
  private readonly prefix = `icicle-${process.pid}-keep-alive-`;
  private sequence = 0;
  /** The keep-alive profile running now, if any (always while a debugger may be attached, see above). */
  private keepAlive: string | undefined;
  private keepAliveSince = Date.now();
  /** Whether a debugger may see console profiles: decided once, when the probe starts, and again at each chunk. */
  private watched = mayBeWatched();

  constructor(
    private readonly session: Session,
    intervalMicros: number,
    private readonly keepAliveMillis = KEEP_ALIVE_MILLIS,
    loadedLate = false,
  ) {
    // A program's own untitled console.profileEnd() ends the last console profile each session started, which
    // can be the keep-alive: another begins at once, while the chunk's profile still holds the profiler. (The
    // probe's own renewal has already moved on to the next title.)
    session.on('Profiler.consoleProfileFinished', message => {
      if ((message.params as { title?: string }).title === this.keepAlive) this.keepAlive = this.beginKeepAlive();
    });
    post(session, 'Profiler.enable');
    // Loaded into a running program, the profiler would not know the on-stack-replacement code optimized before
    // it (see above): its samples would go to `processImmediate` for the rest of the run (measured: every sample of
    // a busy callback). Switching to precise coverage makes V8 deoptimize all code, once; it is optimized again
    // while the profiler watches (a few hundred milliseconds of slower code), and best-effort coverage returns.
    if (loadedLate) {
      post(session, 'Profiler.startPreciseCoverage', { callCount: false, detailed: false });
      post(session, 'Profiler.stopPreciseCoverage');
    }
    // The interval is the profiler's, fixed when it is created: by the keep-alive or the first chunk, below.
    post(session, 'Profiler.setSamplingInterval', { interval: intervalMicros });
    if (this.watched) this.keepAlive = this.beginKeepAlive();
    post(session, 'Profiler.start');
  }

  /**
   * Ends the current chunk and returns its profile. `next`: the next chunk has already begun; `pause`: none begins,
   * but the profiler is kept alive for `resume`; `last`: profiling ends with the program.
   */
  take(mode: 'next' | 'pause' | 'last' = 'next'): V8ProfileChunk | undefined {
    this.watched ||= mayBeWatched();
    const bridge = this.keepAlive === undefined && mode !== 'last' ? this.beginKeepAlive() : undefined;
    const profile = (post(this.session, 'Profiler.stop') as { profile?: V8ProfileChunk } | undefined)?.profile;
    if (mode === 'next') post(this.session, 'Profiler.start');
    if (bridge !== undefined && (mode === 'pause' || this.watched)) {
      // Held while paused; and kept for good once a debugger may be attached (it would see the bridge end).
      this.keepAlive = bridge;
      this.keepAliveSince = Date.now();
    } else if (bridge !== undefined) {
      this.endKeepAlive(bridge);
    } else if (mode === 'next') {
      this.renewKeepAlive();
    }
    return profile;
  }

  /**
   * Begins the next chunk after a pause: the keep-alive kept the profiler, and what it learnt of optimized code,
   * alive meanwhile, so the samples after a resume are charged as before the pause.
   */
  resume(): void {
    post(this.session, 'Profiler.start');
    this.watched ||= mayBeWatched();
    if (!this.watched && this.keepAlive !== undefined) {
      const ending = this.keepAlive;
      this.keepAlive = undefined;
      this.endKeepAlive(ending);
    } else {
      this.renewKeepAlive();
    }
  }

  /** Ends profiling without keeping the current chunk, and without a console profile's end reaching anyone. */
  stop(): void {
    post(this.session, 'Profiler.disable');
  }

  /** Replaces the keep-alive profile when no debugger can see it: the next begins before the last ends. */
  private renewKeepAlive(): void {
    if (this.keepAlive === undefined || Date.now() - this.keepAliveSince < this.keepAliveMillis || mayBeWatched()) return;
    const ending = this.keepAlive;
    this.keepAlive = this.beginKeepAlive();
    this.keepAliveSince = Date.now();
    this.endKeepAlive(ending);
  }

  private endKeepAlive(title: string): void {
    (inspectorConsole as unknown as { profileEnd(title: string): void }).profileEnd(title);
  }

  private beginKeepAlive(): string {
    const title = `${this.prefix}${++this.sequence}`;
    (inspectorConsole as unknown as { profile(title: string): void }).profile(title);
    return title;
  }
}

/**
 * Whether a debugger may be attached or about to attach: the inspector listens (--inspect, or js-debug's
 * bootloader opened it), or VS Code's JavaScript debugger launched the process (its bootloader's environment).
 */
function mayBeWatched(): boolean {
  return inspectorUrl() !== undefined || process.env['VSCODE_INSPECTOR_OPTIONS'] !== undefined || process.env['NODE_INSPECTOR_IPC'] !== undefined || process.execArgv.some(arg => arg.startsWith('--inspect'));
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
