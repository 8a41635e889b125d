import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../storage/store';
import { corpusDir } from '../../test/support/corpus';
import { pollUntil } from '../../test/support/poll';
import { RecordingHub } from '../recording/recordingHub';
import { RECORD_FLUSH_BYTES } from './recordCommand';
import type { V8CpuProfile } from '../../common/protocol/probeProtocol';

/**
 * `icicle record` as a CI tool: real processes (the built command line, a real Node program with the probe), real
 * signals, a real store. Needs `node esbuild.mjs --dev` first.
 */

const root = join(__dirname, '..', '..');
const cli = join(root, 'out', 'agent', 'icicle.js');

/**
 * Keeps `spin` busy in slices of 20 ms (the probe's timer and signal handler run between slices) until killed;
 * writes its pid to the file given as its first argument once it has spun for 300 ms.
 */
const SPINNER = `
const started = Date.now();
let told = false;
function spin(until) { let x = 0; while (Date.now() < until) x += Math.sqrt(x + 1); return x; }
(function slice() {
  spin(Date.now() + 20);
  if (!told && Date.now() - started > 300) { told = true; require('node:fs').writeFileSync(process.argv[2], String(process.pid)); }
  setImmediate(slice);
})();
`;

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function finished(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', chunk => (stdout += String(chunk)));
  child.stderr?.on('data', chunk => (stderr += String(chunk)));
  return new Promise(resolve => child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/**
 * Waits for `icicle record` to end after a signal, for at most a minute. A recorder that is still running then is
 * asked for a Node.js diagnostic report (SIGUSR2, see record()): the failure names its open handles and its stack,
 * so that a hang seen once in CI can be understood from the log, and the recorder is killed so nothing is left.
 */
async function endsAfterSignal(recorder: ChildProcess, done: Promise<Finished>, reports: string): Promise<Finished> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>(resolve => (timer = setTimeout(resolve, 60_000, undefined)));
  const run = await Promise.race([done, late]);
  clearTimeout(timer);
  if (run) return run;
  recorder.kill('SIGUSR2');
  const report = await pollUntil(() => readdirSync(reports).find(name => name.endsWith('.json')), { timeoutMs: 20_000, what: 'a diagnostic report' }).catch(() => undefined);
  recorder.kill('SIGKILL');
  const stderr = (await done).stderr;
  let detail = 'no diagnostic report';
  if (report) {
    const parsed = JSON.parse(readFileSync(join(reports, report), 'utf8')) as { javascriptStack?: { stack?: string[] }; libuv?: { type: string; is_active: boolean; is_referenced?: boolean }[]; workers?: unknown[] };
    const handles = (parsed.libuv ?? []).filter(h => h.is_active && h.is_referenced !== false).map(h => h.type);
    detail = `open handles: ${handles.join(', ')}; workers: ${parsed.workers?.length ?? 0}; stack: ${(parsed.javascriptStack?.stack ?? []).slice(0, 8).join(' | ')}`;
  }
  assert.fail(`icicle record had not ended a minute after the signal (${detail}); its stderr: ${stderr}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('icicle record', function () {
  this.timeout(120_000);
  let dir: string;
  /** record's TMPDIR: whatever it leaves behind is here. */
  let temp: string;
  let store: string;
  const stray: number[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-record-test-'));
    temp = join(dir, 'tmp');
    mkdirSync(temp);
    store = join(dir, 'store');
    writeFileSync(join(dir, 'spinner.js'), SPINNER);
  });
  afterEach(() => {
    // A failed test must not leave a spinning program, or a recorder, behind.
    for (const pid of stray.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the built `icicle record`; a Node.js diagnostic report of it can be asked for with SIGUSR2 (endsAfterSignal). */
  function record(args: string[], options: { detached?: boolean; env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildProcess {
    const reports = join(dir, 'reports');
    mkdirSync(reports, { recursive: true });
    const child = spawn(process.execPath, ['--report-on-signal', '--report-signal=SIGUSR2', `--report-directory=${reports}`, cli, 'record', '--store', store, ...args], {
      cwd: options.cwd ?? dir,
      env: { ...process.env, TMPDIR: temp, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.detached ?? false,
    });
    if (child.pid !== undefined) stray.push(child.pid);
    return child;
  }

  async function startSpinner(options: { detached?: boolean; env?: NodeJS.ProcessEnv; program?: string } = {}): Promise<{ recorder: ChildProcess; done: Promise<Finished>; pid: number }> {
    const pidFile = join(dir, 'spinner.pid');
    const recorder = record(['--', process.execPath, options.program ?? join(dir, 'spinner.js'), pidFile], options);
    const done = finished(recorder);
    const pid = Number(await pollUntil(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8'), { timeoutMs: 30_000, what: 'the recorded program to start' }));
    stray.push(pid);
    return { recorder, done, pid };
  }

  /**
   * The user code that ran most: on a loaded machine the spinner's first few hundred milliseconds can hold fewer
   * samples of `spin` than of the collector or `(program)`, which are not the program's own functions.
   */
  function topOwnFunction(): string | undefined {
    return top().find(row => !row.function.startsWith('('))?.function;
  }

  function top(): { function: string }[] {
    const run = spawnSync(process.execPath, [cli, 'top', '--store', store, '--json'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return (JSON.parse(run.stdout) as { functions: { function: string }[] }).functions;
  }

  function labelValues(key: string): string[] {
    const run = spawnSync(process.execPath, [cli, 'labels', key, '--store', store, '--json'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return JSON.parse(run.stdout) as string[];
  }

  it('says a command is not found and exits 127, as a shell does, starting nothing', async () => {
    const run = await finished(record(['--', 'icicle-no-such-command']));
    assert.equal(run.code, 127);
    assert.equal(run.stderr, 'icicle: cannot run icicle-no-such-command: command not found\n');
    const path = await finished(record(['--', './no-such-script.sh']));
    assert.equal(path.code, 127);
    assert.match(path.stderr, /^icicle: cannot run \.\/no-such-script\.sh: there is no such file\n$/);
    assert.equal(existsSync(store), false, 'the store was not even opened');
    assert.deepEqual(readdirSync(temp), []);
  });

  it('says a file is not executable, or a directory, and exits 126', async () => {
    const script = join(dir, 'script.sh');
    writeFileSync(script, '#!/bin/sh\necho hello\n');
    chmodSync(script, 0o644);
    const notExecutable = await finished(record(['--', script]));
    assert.equal(notExecutable.code, 126);
    assert.equal(notExecutable.stderr, `icicle: cannot run ${script}: it is not executable (permission denied)\n`);
    const directory = await finished(record(['--', dir]));
    assert.equal(directory.code, 126);
    assert.equal(directory.stderr, `icicle: cannot run ${dir}: it is a directory\n`);
  });

  it('refuses a store another process writes before it runs the program', async () => {
    const holder = await Store.open(store);
    try {
      const ran = join(dir, 'ran');
      const run = await finished(record(['--', process.execPath, '-e', `require('node:fs').writeFileSync(${JSON.stringify(ran)}, '')`]));
      assert.equal(run.code, 1);
      assert.match(run.stderr, /^icicle: The store in .* is in use by icicle \(pid \d+/);
      assert.equal(existsSync(ran), false, 'the program was not run');
      assert.deepEqual(readdirSync(temp), []);
    } finally {
      await holder.close();
    }
  });

  it('on SIGTERM ends the program, stores its samples up to the signal, removes its temporary folder and exits 143', async () => {
    const { recorder, done, pid } = await startSpinner();
    // The probe's first 5-second chunk is not due yet: what is stored was taken at the signal.
    process.kill(recorder.pid!, 'SIGTERM');
    const run = await endsAfterSignal(recorder, done, join(dir, 'reports'));
    assert.equal(run.code, 143, run.stderr);
    assert.equal(alive(pid), false, 'the program did not outlive icicle record');
    assert.match(run.stderr, /recorded session_id=\w+/);
    assert.match(run.stdout, / spin .*spinner\.js/, 'the run’s top functions are printed');
    assert.equal(topOwnFunction(), 'spin');
    assert.deepEqual(readdirSync(temp), [], 'no temporary folder is left');
  });

  it('on Ctrl+C (SIGINT to the whole process group) ends the program once, stores its chunks and exits 130', async () => {
    // Chunks of 300 ms: SIGINT's default action ends the program at once, and the chunks sent before it are kept.
    const { recorder, done, pid } = await startSpinner({ detached: true, env: { ICICLE_CHUNK_MS: '300' } });
    await pollUntil(() => existsSync(join(store, 'wal')) && top().length > 0, { timeoutMs: 30_000, what: 'a chunk to be stored' });
    process.kill(-recorder.pid!, 'SIGINT');
    const run = await endsAfterSignal(recorder, done, join(dir, 'reports'));
    assert.equal(run.code, 130, run.stderr);
    assert.equal(alive(pid), false);
    assert.equal(topOwnFunction(), 'spin');
    assert.deepEqual(readdirSync(temp), []);
  });

  it('kills a program that ignores SIGTERM on the second SIGTERM', async () => {
    const stubborn = join(dir, 'stubborn.js');
    writeFileSync(stubborn, `process.on('SIGTERM', () => require('node:fs').writeFileSync(${JSON.stringify(join(dir, 'ignored'))}, ''));\n${SPINNER}`);
    const { recorder, done, pid } = await startSpinner({ program: stubborn });
    process.kill(recorder.pid!, 'SIGTERM');
    await pollUntil(() => existsSync(join(dir, 'ignored')), { timeoutMs: 30_000, what: 'the program to ignore the forwarded SIGTERM' });
    assert.equal(alive(pid), true);
    process.kill(recorder.pid!, 'SIGTERM');
    const run = await endsAfterSignal(recorder, done, join(dir, 'reports'));
    assert.equal(run.code, 137, run.stderr);
    assert.equal(alive(pid), false);
    assert.deepEqual(readdirSync(temp), []);
  });

  it('keeps a short run in the store’s log: no Parquet block is written for it, and it can be queried', async () => {
    const run = await finished(record(['--label', 'branch=chosen', '--', process.execPath, '-e', 'let x = 0; const end = Date.now() + 300; while (Date.now() < end) x++;'], { cwd: root }));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(join(store, 'blocks')), [], 'writing a block would start the block worker');
    assert.ok(top().length > 0);
    // The git labels, read while the program started, are on its samples; the caller's label wins over git's.
    assert.deepEqual(labelValues('branch'), ['chosen']);
    assert.match(labelValues('commit')[0] ?? '', /^[0-9a-f]{40}$/);
  });

  it('writes the log out to a block once it holds more than a few megabytes, so that opening the store stays quick', async () => {
    // Copies of a 1 MB profile, until the active part holds more than record leaves in the log.
    const seeded = await Store.open(store);
    const recordings = new RecordingHub(seeded);
    const profile = JSON.parse(readFileSync(join(corpusDir(), 'cpuprofile', 'sucrase.cpuprofile'), 'utf8')) as V8CpuProfile;
    for (let i = 0; seeded.stats().activeBytes <= RECORD_FLUSH_BYTES; i++) await recordings.ingest({ format: 'v8', profile: { copy: i, ...profile }, startMs: 1, labels: { session_id: `seed${i}` }, droppedChunks: 0 });
    await seeded.close({ flush: false });
    assert.deepEqual(readdirSync(join(store, 'blocks')), []);
    const run = await finished(record(['--', process.execPath, '-e', '0']));
    assert.equal(run.code, 0, run.stderr);
    assert.notDeepEqual(readdirSync(join(store, 'blocks')), [], 'the active part was written to a block');
  });
});
