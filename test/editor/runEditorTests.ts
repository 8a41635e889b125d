/**
 * The editor tier's driver: runs the suite in test/editor/suite inside a real VS Code (code-server) shown in
 * headless Chromium, answers the suite's requests to look at and click the real page, and exits non-zero when
 * anything failed. Run it after `node esbuild.mjs --dev`:
 *
 *   node --import tsx test/editor/runEditorTests.ts
 *
 * The suite writes its pass and fail counts to ICICLE_RESULTS_FILE (test/runAllTiers.mjs sets it); the driver
 * passes that variable through code-server's environment to the extension host, and prints the counts.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findCodeServer, startCodeServer, type RunningCodeServer } from './codeServer';
import { e2eDirVariable, startedFile } from './handshake';
import { pollUntil } from '../support/poll';
import { openWorkbench, serveRequests, type Workbench } from './workbench';

const repoRoot = resolve(__dirname, '..', '..');
const workspace = join(repoRoot, 'test', 'fixtures', 'workspace');
const suitePath = join(repoRoot, 'out', 'test', 'editor', 'index.js');
const extensionMain = join(repoRoot, 'out', 'extension', 'extension.js');
const resultsDir = join(repoRoot, 'test-results', 'editor');

// The whole run must end within five minutes; the suite's start gets a shorter limit so that a suite that never
// loads (a missing bundle, an extension host that cannot start) is reported as that, not as a generic timeout.
const runTimeoutMs = 290_000;
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

let server: RunningCodeServer | undefined;
let workbench: Workbench | undefined;
let responder: { stop(): Promise<void> } | undefined;
let e2eDir: string | undefined;

async function tearDown(): Promise<void> {
  await responder?.stop().catch(() => {});
  await workbench?.close();
  await server?.stop();
  if (e2eDir) rmSync(e2eDir, { recursive: true, force: true });
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
  e2eDir = mkdtempSync(join(tmpdir(), 'icicle-e2e-'));
  // The tally reporter in the extension host writes here; runAllTiers.mjs chooses the file, a direct run makes one.
  const resultsFile = process.env.ICICLE_RESULTS_FILE ?? join(e2eDir, 'results.json');
  rmSync(resultsFile, { force: true });
  mkdirSync(join(repoRoot, 'test-results', 'editor'), { recursive: true });
  rmSync(join(repoRoot, 'test-results', 'editor', 'icicle.log'), { force: true });
  const deadline = Date.now() + runTimeoutMs;

  const started = Date.now();
  server = await startCodeServer({
    args: ['--vscode-option', 'enable-smoke-test-driver'],
    // The extension mirrors the Icicle output channel (its own and its helpers' logs) into this file, which a failed
    // run leaves in test-results/editor/ to be read.
    env: { ICICLE_RESULTS_FILE: resultsFile, [e2eDirVariable]: e2eDir, ICICLE_LOG_FILE: join(repoRoot, 'test-results', 'editor', 'icicle.log') },
    userSettings: workbenchSettings,
    onOutput: text => verbose && process.stdout.write(`  [code-server] ${text}`),
  });
  console.log(`[driver] code-server answers on ${server.origin} (${Date.now() - started} ms)`);

  workbench = await openWorkbench({
    origin: server.origin,
    authority: server.authority,
    workspace,
    extensionPath: repoRoot,
    suitePath,
    onConsole: relayConsole,
  });
  console.log(`[driver] workbench opened; waiting for the suite`);
  responder = serveRequests({ page: workbench.page, resultsDir }, e2eDir, text => verbose && console.log(text));

  let exitCode: number | undefined;
  void workbench.exitCode.then(code => (exitCode = code));
  const dir = e2eDir;
  await pollUntil(() => exitCode !== undefined || existsSync(startedFile(dir)), {
    timeoutMs: suiteStartTimeoutMs,
    what: `the suite ${suitePath} to start in the extension host (it writes ${startedFile(dir)} first)`,
    details: () => `code-server output:\n${server?.output().slice(-4000)}`,
  });
  await pollUntil(() => exitCode !== undefined, {
    timeoutMs: Math.max(0, deadline - Date.now()),
    what: 'the suite to finish (the workbench calls codeAutomationExit when run() settles)',
  });
  console.log(`[driver] the suite finished with code ${exitCode} after ${Math.round((Date.now() - started) / 1000)} s`);

  if (!existsSync(resultsFile)) {
    // Without the tally the runner cannot count the tests: record the run as one failure, with the reason.
    console.error(`[driver] the suite did not write its results to ${resultsFile} (ICICLE_RESULTS_FILE)`);
    writeFileSync(resultsFile, JSON.stringify({ passed: 0, failed: 1 }));
    return 1;
  }
  const tally = JSON.parse(readFileSync(resultsFile, 'utf8')) as { passed: number; failed: number };
  if (!process.env.ICICLE_RESULTS_FILE) console.log(`[driver] ${tally.passed} passed, ${tally.failed} failed`);
  return exitCode === 0 && tally.failed === 0 ? 0 : 1;
}

// Ctrl+C or a kill from the runner: tear down what was started, then exit with the conventional status.
for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15]] as const) {
  process.once(signal, () => {
    console.error(`[driver] ${signal}: tearing down`);
    void tearDown().finally(() => process.exit(128 + number));
  });
}
// Whatever happens, never leave code-server's process group behind.
process.once('exit', () => server?.killNow());

main()
  .catch((error: unknown) => {
    console.error(`[driver] ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  })
  .then(async code => {
    await tearDown();
    process.exit(code);
  });
