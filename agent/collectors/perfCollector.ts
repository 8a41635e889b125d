import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { IcicleErrorCode, UserFacingError } from '../../common/errors';
import type { IngestProfileParams } from '../../common/protocol/probeProtocol';

export interface PerfOptions {
  /** Seconds per recording window; each window becomes one stored profile. */
  windowSeconds: number;
  /** Samples per second (perf's -F). */
  frequency: number;
}

export const DEFAULT_PERF_OPTIONS: PerfOptions = { windowSeconds: 5, frequency: 99 };

/** Why perf cannot be used here, with the fix, as the user reads it. */
export class PerfUnavailableError extends UserFacingError {
  constructor(message: string) {
    super(IcicleErrorCode.ProfileInvalid, message);
    this.name = 'PerfUnavailableError';
  }
}

/**
 * Profiles a native process with Linux perf: `perf record -g` on its pid in windows of a few seconds, each window
 * read back with `perf script` and stored like an imported `perf script` file (JIT frames resolve through the
 * process's /tmp/perf-PID.map when it writes one, e.g. `node --perf-basic-prof`). It runs until the process
 * exits or `stop()` is called; the window in progress is then cut short and still stored.
 */
export class PerfCollector {
  private current: ChildProcess | undefined;
  private stopped = false;
  private finished: Promise<void> | undefined;

  constructor(
    readonly pid: number,
    private readonly labels: Record<string, string>,
    private readonly ingest: (params: IngestProfileParams) => Promise<unknown>,
    private readonly options: PerfOptions = DEFAULT_PERF_OPTIONS,
    private readonly onWindowError: (message: string) => void = () => undefined,
  ) {}

  /** Checks that perf can profile the process, then records in the background; resolves once recording runs. */
  async start(): Promise<void> {
    await checkPerf(this.pid);
    this.finished = this.run();
  }

  /** Stops recording, keeping the window in progress; resolves once it is stored. */
  async stop(): Promise<void> {
    this.stopped = true;
    // SIGINT makes perf record write out what it has, as Ctrl+C does.
    this.current?.kill('SIGINT');
    await this.finished;
  }

  /** Resolves when recording has ended (the process exited or stop() was called). */
  done(): Promise<void> {
    return this.finished ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    const directory = await mkdtemp(join(tmpdir(), 'icicle-perf-'));
    try {
      for (let window = 0; !this.stopped && processAlive(this.pid); window++) {
        const data = join(directory, `window-${window}.data`);
        const startMs = Date.now();
        await this.record(data);
        const text = await this.script(data);
        await rm(data, { force: true });
        if (text.trim() === '') continue;
        try {
          await this.ingest({ format: 'perf', text, startMs, labels: this.labels, droppedChunks: 0 });
        } catch (error) {
          this.onWindowError(`a perf window of pid ${this.pid} could not be stored: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }

  private record(data: string): Promise<void> {
    const args = ['record', '-e', 'cpu-clock', '-F', String(this.options.frequency), '-g', '-p', String(this.pid), '-o', data, '--', 'sleep', String(this.options.windowSeconds)];
    return new Promise(resolve => {
      const child = spawn('perf', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      this.current = child;
      let stderr = '';
      child.stderr!.on('data', chunk => (stderr = (stderr + chunk).slice(-4000)));
      child.on('error', error => {
        clearInterval(watch);
        this.onWindowError(`perf record failed: ${error.message}`);
        resolve();
      });
      // perf keeps recording until its window ends even when the process has exited: cut the window short then.
      const watch = setInterval(() => {
        if (!processAlive(this.pid)) child.kill('SIGINT');
      }, 250);
      child.on('exit', code => {
        clearInterval(watch);
        this.current = undefined;
        if (code !== 0 && code !== null && !this.stopped) this.onWindowError(`perf record exited with ${code}: ${stderr.trim().split('\n').pop() ?? ''}`);
        resolve();
      });
    });
  }

  private script(data: string): Promise<string> {
    return perfScriptText(data, this.onWindowError);
  }
}

/**
 * `perf script` of a recording as text ('' for an empty or missing recording, or when perf script fails, which
 * `onError` hears about). Shared by the collector's windows and `icicle record`.
 */
export async function perfScriptText(data: string, onError: (message: string) => void = () => undefined): Promise<string> {
  const size = await stat(data).then(s => s.size, () => 0);
  if (size === 0) return '';
  return new Promise(resolve => {
    // The buffer bounds a pathological recording; a few seconds at 99 Hz is well under a megabyte.
    execFile('perf', ['script', '-i', data], { maxBuffer: 1024 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) onError(`perf script failed: ${String(stderr).trim().split('\n').pop() ?? error.message}`);
      resolve(error ? '' : stdout);
    });
  });
}

/** The labels of a native process: its pid, command line and runtime. */
export async function processLabels(pid: number): Promise<Record<string, string>> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const argv = cmdline.split('\0').filter(Boolean);
  const command = argv.length > 0 ? [basename(argv[0]!), ...argv.slice(1)].join(' ') : '';
  return { pid: String(pid), runtime: 'native', command: command.slice(0, 200) };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, which perf reports for itself.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Fails with what to do when perf is missing, cannot profile here, or the process is not there. */
async function checkPerf(pid: number): Promise<void> {
  if (!processAlive(pid)) throw new PerfUnavailableError(`There is no process ${pid} to profile.`);
  await checkPerfAvailable();
}

/** Fails with what to do when perf is missing or not permitted to profile other processes. */
export async function checkPerfAvailable(): Promise<void> {
  if (process.platform !== 'linux') throw new PerfUnavailableError('Profiling native processes needs Linux perf; this is not Linux.');
  const version = await run('perf', ['--version']);
  if (version.missing) {
    throw new PerfUnavailableError('perf is not installed. On Debian or Ubuntu: `sudo apt install linux-perf` (Ubuntu: `linux-tools-generic`); on Fedora: `sudo dnf install perf`.');
  }
  if (version.code !== 0) {
    // Debian's wrapper fails this way when no perf matches the running kernel.
    throw new PerfUnavailableError(`perf does not run here: ${version.stderr.trim().split('\n')[0] ?? ''}. Install the perf package that matches your kernel (\`uname -r\`).`);
  }
  const paranoid = Number((await readFile('/proc/sys/kernel/perf_event_paranoid', 'utf8').catch(() => '2')).trim());
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root && paranoid > 1) {
    throw new PerfUnavailableError(
      `perf is not permitted to profile other processes here (kernel.perf_event_paranoid is ${paranoid}). Allow it with \`sudo sysctl kernel.perf_event_paranoid=1\` (add it to /etc/sysctl.d to keep it), or run VS Code as a user with CAP_PERFMON.`,
    );
  }
}

function run(command: string, args: string[]): Promise<{ code: number; stderr: string; missing: boolean }> {
  return new Promise(resolve => {
    execFile(command, args, { timeout: 10_000 }, (error, _stdout, stderr) => {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      resolve({ code: error ? (typeof code === 'number' ? code : 1) : 0, stderr: String(stderr), missing: code === 'ENOENT' });
    });
  });
}
