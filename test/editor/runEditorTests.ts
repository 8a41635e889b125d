/**
 * The editor tier's driver: runs the suite in test/editor/suite inside a real VS Code (code-server) shown in
 * headless Chromium, answers the suite's requests to look at and click the real page, and exits non-zero when
 * anything failed. Run it after `node esbuild.mjs --dev`:
 *
 *   node --import tsx test/editor/runEditorTests.ts
 *
 * It runs the editor four times: the whole suite on the fixture workspace with workspace trust switched off (so the
 * folder is trusted); the short untrusted suite (suite/untrusted.test.ts) in a fresh code-server that enforces
 * workspace trust, on a temporary copy of the fixture workspace that the editor does not trust; and the demo README's
 * walk (suite/demoWalk.test.ts, then suite/compareBranchesDataset.test.ts) on a fresh demo workspace built by scripts/demoWorkspace.mjs, the module `npm run demo`
 * uses, with the demo's user settings; and the CPU-per-request walk (suite/cpuPerRequest.test.ts) on a fresh copy of
 * the traced server test/fixtures/otelServer. `--run trusted`, `--run untrusted`, `--run demo` or `--run requests` runs one of them
 * (ICICLE_EDITOR_GREP=<regular expression> in the environment: only the tests whose titles match it). Each run's suite writes its pass and fail counts to its own file (the driver
 * passes the path through code-server's environment to the extension host); the driver writes their sum to
 * ICICLE_RESULTS_FILE (test/runAllTiers.mjs sets it) and prints it.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findCodeServer, startCodeServer, type RunningCodeServer } from './codeServer';
import { e2eDirVariable, startedFile, suiteVariable, type EditorSuite } from './handshake';
import { pollUntil } from '../support/poll';
import { openWorkbench, serveRequests, type Workbench } from './workbench';
import { createDemoWorkspace, demoUserSettings } from '../../scripts/demoWorkspace.mjs';

const repoRoot = resolve(__dirname, '..', '..');
const fixtureWorkspace = join(repoRoot, 'test', 'fixtures', 'workspace');
const otelServerFixture = join(repoRoot, 'test', 'fixtures', 'otelServer');
const suitePath = join(repoRoot, 'out', 'test', 'editor', 'index.js');
const extensionMain = join(repoRoot, 'out', 'extension', 'extension.js');
const resultsDir = join(repoRoot, 'test-results', 'editor');

// Each run must end within its limit (the whole suite within ten minutes, the untrusted one within a minute and a
// half, the demo walk within two and a half); the suite's start gets a shorter limit so that a suite that never loads (a missing bundle, an extension host
// that cannot start) is reported as that, not as a generic timeout.
const suiteStartTimeoutMs = 120_000;

const verbose = process.env.ICICLE_E2E_VERBOSE === '1';

// Workbench chatter in the page console that says nothing about the extension or the suite; shown only when
// ICICLE_E2E_VERBOSE=1. Everything else (the suite's reporter, the extension's logs, errors) is relayed.
const noise = [
  /^\[(AgentHost|AgentHost:remote|ChatModelSelection|AccountPolicyGate|reconnection-grace-time|Service Worker)\]/,
  /^(Creating a socket|Resolving connection token|Resolved connection token|Updating additional builtin)/,
  /^Failed to load resource/,
  /^(ERR )?Failed: getaddrinfo ENOTFOUND/,
  /^The web worker extension host is started/,
  /^An iframe which has both allow-scripts and allow-same-origin/,
];

function relayConsole(text: string): void {
  if (!verbose && noise.some(pattern => pattern.test(text.trim()))) return;
  // Stack traces from the offline marketplace query are long and always the same: keep their first line only.
  const shown = !verbose && /ENOTFOUND/.test(text) ? text.split('\n')[0]! : text;
  console.log(`  | ${shown.replace(/\n/g, '\n  | ')}`);
}

// A quiet workbench: no welcome page, tips or chat side bar competing with the flame graph for the screenshot.
const workbenchSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'extensions.ignoreRecommendations': true,
};

// What makes the untrusted run's folder untrusted without a dialog that would block the suite: trust is enforced,
// the editor never asks at start-up (so the folder opens in Restricted Mode), and files outside it open without a
// prompt (the corpus profile the suite opens is outside the workspace).
const untrustedSettings = {
  ...workbenchSettings,
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.untrustedFiles': 'open',
  'security.workspace.trust.emptyWindow': false,
};

interface EditorRun {
  suite: EditorSuite;
  /** Whether the editor enforces workspace trust (the untrusted run) or has it switched off. */
  workspaceTrust: boolean;
  timeoutMs: number;
}

const runs: EditorRun[] = [
  // The live debug run (suite/liveDebugRun.test.ts) alone takes a minute or more.
  { suite: 'trusted', workspaceTrust: false, timeoutMs: 600_000 },
  { suite: 'untrusted', workspaceTrust: true, timeoutMs: 90_000 },
  // The demo walk, then Compare Branches against a dataset (three recorded runs of CI, three of the head).
  { suite: 'demo', workspaceTrust: false, timeoutMs: 420_000 },
  // Recording a traced server with `icicle record` takes about half a minute, more on a loaded machine.
  { suite: 'requests', workspaceTrust: false, timeoutMs: 300_000 },
];

/** The user settings each run's editor starts with: the demo run uses exactly those of `npm run demo`. */
function userSettingsOf(run: EditorRun): Record<string, unknown> {
  if (run.suite === 'demo') return demoUserSettings;
  return run.workspaceTrust ? untrustedSettings : workbenchSettings;
}

interface Tally {
  passed: number;
  failed: number;
}

/** What one run started, for tearing it down however the run ends (also on Ctrl+C). */
interface Started {
  server?: RunningCodeServer;
  workbench?: Workbench;
  responder?: { stop(): Promise<void> };
  /** Temporary folders removed at the end: the handshake folder, the untrusted run's copy, the demo workspace. */
  folders: string[];
}

let current: Started | undefined;

/** Where the extension mirrors its log during a run (test-results/editor/icicle.log, icicle-untrusted.log). */
const logFile = (run: EditorRun) => join(resultsDir, run.suite === 'trusted' ? 'icicle.log' : `icicle-${run.suite}.log`);

async function tearDown(started: Started | undefined): Promise<void> {
  if (!started) return;
  await started.responder?.stop().catch(() => {});
  await started.workbench?.close();
  await started.server?.stop();
  for (const folder of started.folders) rmSync(folder, { recursive: true, force: true });
}

/** Runs one suite in a fresh code-server and browser; returns its counts and whether the suite's run() succeeded. */
async function runEditor(run: EditorRun): Promise<{ tally: Tally; ok: boolean }> {
  const started: Started = { folders: [] };
  current = started;
  try {
    return await runEditorIn(run, started);
  } finally {
    await tearDown(started);
    current = undefined;
  }
}

/**
 * A fresh workspace holding the traced server of test/fixtures/otelServer (its OpenTelemetry packages linked, not
 * copied), for the CPU-per-request walk (suite/cpuPerRequest.test.ts): a project the editor has never seen.
 */
function tracedServerWorkspace(started: Started): string {
  const packages = join(otelServerFixture, 'node_modules');
  if (!existsSync(join(packages, '@opentelemetry', 'sdk-node'))) {
    throw new Error(`the traced server's packages are missing: install them with \`npm ci --prefix test/fixtures/otelServer\` (scripts/setup.sh does)`);
  }
  const root = mkdtempSync(join(tmpdir(), 'icicle-editor-requests-'));
  started.folders.push(root);
  const workspace = join(root, 'traced-server');
  mkdirSync(workspace);
  for (const file of ['server.js', 'tracing.js', 'package.json']) cpSync(join(otelServerFixture, file), join(workspace, file));
  symlinkSync(realpathSync(packages), join(workspace, 'node_modules'));
  return workspace;
}

async function runEditorIn(run: EditorRun, started: Started): Promise<{ tally: Tally; ok: boolean }> {
  const e2eDir = mkdtempSync(join(tmpdir(), 'icicle-e2e-'));
  started.folders.push(e2eDir);
  let workspace = fixtureWorkspace;
  if (run.suite === 'untrusted') {
    // A copy in a new temporary folder: the editor has never seen it, so nothing trusts it, and no trust decision
    // (nor anything the suite writes) can leak into the fixture or into the next run.
    const copyRoot = mkdtempSync(join(tmpdir(), 'icicle-untrusted-'));
    started.folders.push(copyRoot);
    workspace = join(copyRoot, 'workspace');
    cpSync(fixtureWorkspace, workspace, { recursive: true });
  } else if (run.suite === 'requests') {
    workspace = tracedServerWorkspace(started);
  } else if (run.suite === 'demo') {
    // A fresh demo workspace, as `npm run demo` builds it: a copy of demo/ made a git repository with two branches.
    const demoRoot = mkdtempSync(join(tmpdir(), 'icicle-editor-demo-'));
    started.folders.push(demoRoot);
    workspace = createDemoWorkspace(join(demoRoot, 'icicle-demo'), { log: text => console.log(`[driver] demo workspace: ${text}`) });
  }
  // The tally reporter in the extension host writes here; the driver sums the runs into ICICLE_RESULTS_FILE.
  const resultsFile = join(e2eDir, 'results.json');
  const deadline = Date.now() + run.timeoutMs;

  const startedAt = Date.now();
  console.log(`[driver] ${run.suite} run: ${workspace}${run.workspaceTrust ? ' (workspace trust enforced)' : ''}`);
  started.server = await startCodeServer({
    args: ['--vscode-option', 'enable-smoke-test-driver'],
    // The extension mirrors the Icicle output channel (its own and its helpers' logs) into this file, which a failed
    // run leaves in test-results/editor/ to be read.
    env: {
      ICICLE_RESULTS_FILE: resultsFile,
      [e2eDirVariable]: e2eDir,
      [suiteVariable]: run.suite,
      ICICLE_LOG_FILE: logFile(run),
    },
    userSettings: userSettingsOf(run),
    workspaceTrust: run.workspaceTrust,
    onOutput: text => verbose && process.stdout.write(`  [code-server] ${text}`),
  });
  const server = started.server;
  console.log(`[driver] code-server answers on ${server.origin} (${Date.now() - startedAt} ms)`);

  // What the page logs is kept (the latest lines) for the suite's pageConsole requests, and relayed.
  const consoleLines: string[] = [];
  started.workbench = await openWorkbench({
    origin: server.origin,
    authority: server.authority,
    workspace,
    extensionPath: repoRoot,
    suitePath,
    onConsole: text => {
      consoleLines.push(text);
      if (consoleLines.length > 5000) consoleLines.shift();
      relayConsole(text);
    },
  });
  console.log(`[driver] workbench opened; waiting for the suite`);
  started.responder = serveRequests({ page: started.workbench.page, resultsDir, consoleLines: () => consoleLines }, e2eDir, text => verbose && console.log(text));

  let exitCode: number | undefined;
  void started.workbench.exitCode.then(code => (exitCode = code));
  await pollUntil(() => exitCode !== undefined || existsSync(startedFile(e2eDir)), {
    timeoutMs: Math.min(suiteStartTimeoutMs, run.timeoutMs),
    what: `the suite ${suitePath} to start in the extension host (it writes ${startedFile(e2eDir)} first)`,
    details: () => `code-server output:\n${server.output().slice(-4000)}`,
  });
  await pollUntil(() => exitCode !== undefined, {
    timeoutMs: Math.max(0, deadline - Date.now()),
    what: `the ${run.suite} suite to finish (the workbench calls codeAutomationExit when run() settles)`,
  });
  console.log(`[driver] the ${run.suite} suite finished with code ${exitCode} after ${Math.round((Date.now() - startedAt) / 1000)} s`);

  if (!existsSync(resultsFile)) {
    // Without the tally the runner cannot count the tests: record the run as one failure, with the reason.
    console.error(`[driver] the ${run.suite} suite did not write its results to ${resultsFile} (ICICLE_RESULTS_FILE)`);
    return { tally: { passed: 0, failed: 1 }, ok: false };
  }
  const tally = JSON.parse(readFileSync(resultsFile, 'utf8')) as Tally;
  return { tally, ok: exitCode === 0 && tally.failed === 0 };
}

async function main(): Promise<number> {
  findCodeServer(); // Fails first, with the setup hint, when code-server is missing.
  if (!existsSync(suitePath)) {
    throw new Error(`the editor-test bundle ${suitePath} does not exist: run \`node esbuild.mjs --dev\` first.`);
  }
  if (!existsSync(extensionMain)) {
    // The suite still runs and its activation test fails with the editor's own error; this says why up front.
    console.warn(`[driver] warning: ${extensionMain} does not exist, so the extension cannot activate`);
  }
  const only = process.argv.includes('--run') ? process.argv[process.argv.indexOf('--run') + 1] : undefined;
  const selected = runs.filter(run => only === undefined || run.suite === only);
  if (selected.length === 0) throw new Error(`unknown run "${only}"; the runs are ${runs.map(r => r.suite).join(', ')}`);
  const resultsFile = process.env.ICICLE_RESULTS_FILE;
  if (resultsFile) rmSync(resultsFile, { force: true });
  mkdirSync(resultsDir, { recursive: true });

  const total: Tally = { passed: 0, failed: 0 };
  let ok = true;
  for (const run of selected) {
    rmSync(logFile(run), { force: true });
    // A run that cannot start or finish counts as one failure, and the next run still happens.
    const result = await runEditor(run).catch((error: unknown) => {
      console.error(`[driver] the ${run.suite} run failed: ${error instanceof Error ? error.message : String(error)}`);
      return { tally: { passed: 0, failed: 1 }, ok: false };
    });
    console.log(`[driver] ${run.suite}: ${result.tally.passed} passed, ${result.tally.failed} failed`);
    total.passed += result.tally.passed;
    total.failed += result.tally.failed;
    ok &&= result.ok;
  }
  // runAllTiers.mjs reads the sum of every run; a direct run prints it.
  if (resultsFile) writeFileSync(resultsFile, JSON.stringify(total));
  else console.log(`[driver] ${total.passed} passed, ${total.failed} failed`);
  return ok ? 0 : 1;
}

// Ctrl+C or a kill from the runner: tear down what was started, then exit with the conventional status.
for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15]] as const) {
  process.once(signal, () => {
    console.error(`[driver] ${signal}: tearing down`);
    void tearDown(current).finally(() => process.exit(128 + number));
  });
}
// Whatever happens, never leave code-server's process group behind.
process.once('exit', () => current?.server?.killNow());

main()
  .catch((error: unknown) => {
    console.error(`[driver] ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  })
  .then(code => process.exit(code));
