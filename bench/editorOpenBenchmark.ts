import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { codeServerVersion, startCodeServer } from '../test/editor/codeServer';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/support/chromium';
import { corpusDir } from '../test/support/corpus';
import { bigCpuProfile } from './bigProfile';
import { blockCodeServerWorker, chooseInQuickOpen, type DrawnCheck, epochNow, flameGraphDrawn, openQuickOpen, PageCrashedError, profileTableDrawn, serviceWorkerWait, waitForWebviewDrawn, watchCrash, webviewTimeline } from './editorPage';
import { median } from './storage/benchTiming';
import type { Benchmark } from './benchmarkDoc';

/**
 * `npm run bench -- editor-open`: from Enter in a fresh window to the first view drawn, in a real VS Code
 * (code-server) shown in headless Chromium, for a 1 MB and a 42 MB V8 profile. Each measurement is a fresh
 * code-server (fresh user data, so a fresh store and a cold extension) and a fresh browser; the workbench loads
 * until quick open works, then the user's keys: Ctrl+P, the file name, Enter. The timer starts at Enter and stops
 * on the first animation frame in which the webview shows a labelled flame-graph frame (Icicle) or a table row
 * (the peer: VS Code's built-in CPU profile table, measured in the same run on the same files).
 *
 * Icicle is loaded as a user has it, not as an extension under development: a symbolic link to this repository in
 * the editor's extensions folder (as scripts/demo.mjs does), with the user setting that makes it the editor of
 * `*.cpuprofile`. The peer's runs have no Icicle installed and associate `*.cpuprofile` with the table instead.
 *
 * Each figure comes with the part of it the editor's webview spent waiting for its service worker: in a fresh
 * browser that takes seconds while the workbench is still starting (about 0.1 s once it has settled), and no page of
 * either viewer can load before it is ready. That wait is code-server's: its own service worker (scope `/`) controls VS Code's webview host frame, which then
 * forces an update check of the webview worker it has just installed. ICICLE_EDITOR_OPEN_WITHOUT_CODE_SERVER_WORKER=1
 * keeps code-server's worker from registering (bench/editorPage.ts, blockCodeServerWorker), for both viewers, to see
 * the figures without it, as desktop VS Code has them.
 *
 * ICICLE_EDITOR_OPEN_RUNS sets the runs per figure (default 3). The peer on the 42 MB file runs once, since it
 * crashes the page after about a minute (ICICLE_EDITOR_OPEN_PEER_BIG_RUNS sets how often; 0 skips it).
 * ICICLE_EDITOR_OPEN_TRACE=1 prints Icicle's log of each run against the time since Enter, to see where the time goes.
 */
const RUNS = positive(process.env['ICICLE_EDITOR_OPEN_RUNS'], 3);
const PEER_BIG_RUNS = count(process.env['ICICLE_EDITOR_OPEN_PEER_BIG_RUNS'], 1);
const TRACE = process.env['ICICLE_EDITOR_OPEN_TRACE'] === '1';
const WITHOUT_CODE_SERVER_WORKER = process.env['ICICLE_EDITOR_OPEN_WITHOUT_CODE_SERVER_WORKER'] === '1';
const TARGETS = { '1mb': 1500, '42mb': 3000 } as const;
/** How long Icicle may take before the run fails, and how long the peer gets before it is reported as timed out. */
const ICICLE_TIMEOUT_MS = 60_000;
const PEER_TIMEOUT_MS = 90_000;
/** The workbench's own start (server, page, extension host, file index) is not timed but is bounded. */
const WORKBENCH_TIMEOUT_MS = 90_000;

const repoRoot = join(__dirname, '..');

type Viewer = 'icicle' | 'peer';
type InputKey = keyof typeof TARGETS;

interface Input {
  key: InputKey;
  fileName: string;
  bytes: number;
}

/**
 * One measurement: milliseconds from Enter to drawn, and how much of it the webview's host waited for its service
 * worker (the editor's, before any page of the viewer can load); or why the viewer never drew.
 */
type Outcome = { ms: number; workerMs: number | undefined } | { failed: 'crashed' | 'timed out'; afterMs: number };

// Quiet, as a user's window after dismissing the welcome page: nothing else competes for the editor area.
const baseSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'extensions.ignoreRecommendations': true,
  'git.openRepositoryInParentFolders': 'never',
};

const viewers: Record<Viewer, { label: string; viewType: string; drawn: DrawnCheck; timeoutMs: number }> = {
  icicle: { label: 'Icicle', viewType: 'icicle.profileEditor', drawn: flameGraphDrawn, timeoutMs: ICICLE_TIMEOUT_MS },
  // The viewType from the customEditors of lib/vscode/extensions/ms-vscode.vscode-js-profile-table/package.json.
  peer: { label: 'built-in table', viewType: 'jsProfileVisualizer.cpuprofile.table', drawn: profileTableDrawn, timeoutMs: PEER_TIMEOUT_MS },
};

/** An extensions folder holding only Icicle, as a link to this repository named as an installed extension is. */
function icicleExtensionsFolder(): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string; main: string };
  if (!existsSync(join(repoRoot, manifest.main))) throw new Error(`the extension bundle ${manifest.main} is missing: build first (npm run bench does)`);
  const folder = mkdtempSync(join(tmpdir(), 'icicle-bench-extensions-'));
  symlinkSync(repoRoot, join(folder, `${manifest.publisher}.${manifest.name}-${manifest.version}`), 'dir');
  return folder;
}

async function measureOnce(viewer: Viewer, input: Input, workspace: string): Promise<Outcome> {
  const { viewType, drawn, timeoutMs } = viewers[viewer];
  const extensions = viewer === 'icicle' ? icicleExtensionsFolder() : undefined;
  const logFile = TRACE && viewer === 'icicle' ? join(mkdtempSync(join(tmpdir(), 'icicle-bench-log-')), 'icicle.log') : undefined;
  const server = await startCodeServer({
    userSettings: { ...baseSettings, 'workbench.editorAssociations': { '*.cpuprofile': viewType } },
    // code-server takes the last --extensions-dir it is given, so this one replaces the empty folder it was given.
    args: extensions ? ['--extensions-dir', extensions] : [],
    env: logFile ? { ICICLE_LOG_FILE: logFile } : {},
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  let enter = 0;
  const trace: { at: number; what: string }[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const crashed = watchCrash(page);
    if (WITHOUT_CODE_SERVER_WORKER) await blockCodeServerWorker(page);
    await page.goto(`${server.origin}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded', timeout: WORKBENCH_TIMEOUT_MS });
    await openQuickOpen(page, WORKBENCH_TIMEOUT_MS);
    await chooseInQuickOpen(page, input.fileName, WORKBENCH_TIMEOUT_MS);
    enter = epochNow();
    await page.keyboard.press('Enter');
    try {
      const { at, frame } = await waitForWebviewDrawn(page, drawn, timeoutMs, crashed);
      const host = frame.parentFrame();
      if (TRACE && host) trace.push(...(await webviewTimeline(host)).map(e => ({ at: e.at, what: `host: ${e.what}` })));
      if (TRACE) trace.push(...(await webviewTimeline(frame)), { at, what: 'drawn' });
      return { ms: at - enter, workerMs: host ? await serviceWorkerWait(host) : undefined };
    } catch (error) {
      if (viewer === 'icicle') throw error;
      return { failed: error instanceof PageCrashedError ? 'crashed' : 'timed out', afterMs: epochNow() - enter };
    }
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
    if (extensions) rmSync(extensions, { recursive: true, force: true });
    if (TRACE) printTrace(logFile, enter, trace);
    if (logFile) rmSync(join(logFile, '..'), { recursive: true, force: true });
  }
}

/** Icicle's log lines (the extension's and its helpers') and the webview's events, in order of time since Enter. */
function printTrace(logFile: string | undefined, enter: number, webview: { at: number; what: string }[]): void {
  const events = [...webview];
  for (const line of logFile && existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n') : []) {
    const at = Date.parse(line.slice(0, 24));
    if (!Number.isNaN(at)) events.push({ at, what: line.slice(25, 200) });
  }
  events.sort((a, b) => a.at - b.at);
  for (const { at, what } of events) console.log(`    ${((at - enter) / 1000).toFixed(3).padStart(8)} s  ${what}`);
}

interface Figure {
  medianMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  /** The median wait for the editor's webview service worker, where the marks said. */
  workerMs: number | null;
  /** What happened to the runs that drew nothing. */
  failures: string[];
}

function figure(outcomes: Outcome[]): Figure {
  const drawn = outcomes.flatMap(o => ('ms' in o ? [o] : []));
  const failures = outcomes.flatMap(o => ('failed' in o ? [`${o.failed} after ${(o.afterMs / 1000).toFixed(0)} s`] : []));
  // A viewer that failed in any run has no median: a time from the runs that worked would hide the failure.
  if (drawn.length === 0 || failures.length > 0) return { medianMs: null, minMs: null, maxMs: null, workerMs: null, failures };
  const times = drawn.map(o => o.ms);
  const waits = drawn.flatMap(o => (o.workerMs === undefined ? [] : [o.workerMs]));
  return { medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), workerMs: waits.length > 0 ? median(waits) : null, failures };
}

function describe(f: Figure): string {
  if (f.medianMs === null) return f.failures.length > 0 ? f.failures.join(', ') : 'not measured';
  return `${f.medianMs.toFixed(0).padStart(5)} ms (${f.minMs!.toFixed(0)}–${f.maxMs!.toFixed(0)})`;
}

function describeWorker(label: string, f: Figure): string {
  return f.workerMs === null ? `${label} —` : `${label} ${f.workerMs.toFixed(0)} ms`;
}

function progress(message: string): void {
  process.stderr.write(`[editor-open] ${message}\n`);
}

export async function runEditorOpenBenchmark(): Promise<Record<string, number | string | null>> {
  const workspace = mkdtempSync(join(tmpdir(), 'icicle-bench-editor-open-'));
  try {
    // The inputs sit in a temporary workspace folder, where quick open finds them by name.
    copyFileSync(join(corpusDir(), 'cpuprofile', 'sucrase.cpuprofile'), join(workspace, 'sucrase.cpuprofile'));
    copyFileSync(bigCpuProfile('editor-open'), join(workspace, 'tsc-big.cpuprofile'));
    const inputs: Input[] = [
      { key: '1mb', fileName: 'sucrase.cpuprofile', bytes: statSync(join(workspace, 'sucrase.cpuprofile')).size },
      { key: '42mb', fileName: 'tsc-big.cpuprofile', bytes: statSync(join(workspace, 'tsc-big.cpuprofile')).size },
    ];
    const outcomes = new Map<string, Outcome[]>();
    const run = async (viewer: Viewer, input: Input, round: number) => {
      const outcome = await measureOnce(viewer, input, workspace);
      const worker = 'ms' in outcome && outcome.workerMs !== undefined ? ` (service worker ${outcome.workerMs.toFixed(0)} ms)` : '';
      progress(`${viewers[viewer].label} ${input.fileName} run ${round + 1}: ${'ms' in outcome ? `${outcome.ms.toFixed(0)} ms${worker}` : `${outcome.failed} after ${(outcome.afterMs / 1000).toFixed(0)} s`}`);
      const key = `${viewer}_${input.key}`;
      outcomes.set(key, [...(outcomes.get(key) ?? []), outcome]);
    };
    // Interleaved, so that a slow spell of this shared machine falls on both viewers rather than on one.
    for (let round = 0; round < RUNS; round++) {
      await run('icicle', inputs[0]!, round);
      await run('peer', inputs[0]!, round);
      await run('icicle', inputs[1]!, round);
    }
    for (let round = 0; round < PEER_BIG_RUNS; round++) await run('peer', inputs[1]!, round);

    const variant = WITHOUT_CODE_SERVER_WORKER ? ", code-server's own service worker left out" : '';
    console.log(`Opening a profile in the editor: from Enter in a fresh window to the first view drawn (code-server ${codeServerVersion}, headless Chromium${variant}; median of ${RUNS}, min–max)`);
    const fields: Record<string, number | string | null> = {};
    for (const input of inputs) {
      const ours = figure(outcomes.get(`icicle_${input.key}`) ?? []);
      const peer = figure(outcomes.get(`peer_${input.key}`) ?? []);
      const target = TARGETS[input.key];
      const ratio = ours.medianMs !== null && peer.medianMs !== null ? `ratio ${(ours.medianMs / peer.medianMs).toFixed(2)}×` : 'no ratio';
      const pass = ours.medianMs !== null && ours.medianMs <= target ? 'PASS' : 'MISS';
      console.log(`  ${`${input.fileName} (${(input.bytes / 2 ** 20).toFixed(1)} MB)`.padEnd(30)} Icicle ${describe(ours)}   built-in table ${describe(peer)}   ${ratio}   target ≤ ${target} ms ${pass}`);
      console.log(`  ${''.padEnd(30)} of which the editor's webview waited for its service worker (median): ${describeWorker('Icicle', ours)}, ${describeWorker('built-in table', peer)}`);
      fields[`icicle_${input.key}_ms`] = round(ours.medianMs);
      fields[`icicle_${input.key}_min_ms`] = round(ours.minMs);
      fields[`icicle_${input.key}_max_ms`] = round(ours.maxMs);
      fields[`peer_${input.key}_ms`] = round(peer.medianMs);
      fields[`peer_${input.key}_min_ms`] = round(peer.minMs);
      fields[`peer_${input.key}_max_ms`] = round(peer.maxMs);
      fields[`icicle_${input.key}_worker_wait_ms`] = round(ours.workerMs);
      fields[`peer_${input.key}_worker_wait_ms`] = round(peer.workerMs);
      if (peer.failures.length > 0) fields[`peer_${input.key}_note`] = `the built-in table ${peer.failures.join(', ')}`;
    }
    return fields;
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

function round(value: number | null): number | null {
  return value === null ? null : Math.round(value);
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

function count(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isInteger(n) && n >= 0 ? n : fallback;
}

/** Each of Icicle's figures against the built-in table's figure of the same name. */
export const editorOpenBenchmark: Benchmark = { run: runEditorOpenBenchmark, peersOf: field => [field.replace(/^icicle_/, 'peer_')] };
