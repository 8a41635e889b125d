// Runs every test tier and ends with one line, "N passed, N failed", summed over the tiers.
//   node test/runAllTiers.mjs                 all tiers (expects `node esbuild.mjs --dev` to have run)
//   node test/runAllTiers.mjs --tier unit     one tier: lint, unit, reliability, webview, editor or package
// Exit status: 0 when nothing failed, 1 otherwise.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.includes('--tier') ? process.argv[process.argv.indexOf('--tier') + 1] : undefined;
const mocha = join(root, 'node_modules/mocha/bin/mocha.js');
const reporter = join(root, 'test/support/tallyReporter.cjs');

/** Runs a command with inherited output; resolves with its exit code. */
function run(command, args, env = {}) {
  return new Promise(resolve => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', () => resolve(1));
  });
}

/** Runs a tier that reports through the tally reporter; a crash before it reports counts as one failure. */
async function runTallied(name, command, args, env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'icicle-tally-'));
  const resultsFile = join(dir, 'results.json');
  const code = await run(command, args, { ...env, ICICLE_RESULTS_FILE: resultsFile });
  let result = { passed: 0, failed: 0 };
  if (existsSync(resultsFile)) result = JSON.parse(readFileSync(resultsFile, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  if (code !== 0 && result.failed === 0) {
    console.error(`[${name}] exited with status ${code} without reporting a failing test: counted as one failure`);
    result.failed = 1;
  }
  return result;
}

/** Test files (`*.test.ts`) under the given folders, in a stable order. */
function testFiles(folders) {
  return folders
    .filter(folder => existsSync(join(root, folder)))
    .flatMap(folder => readdirSync(join(root, folder), { recursive: true }).map(f => join(folder, String(f))))
    .filter(f => f.endsWith('.test.ts') && !f.includes('node_modules'))
    .sort();
}

/**
 * Every mocha tier runs with --exit and names what is still open after its last test: a test that times out can
 * leave a real process or socket behind (a recorder stuck on a signal), and that must fail the test, not hang CI.
 */
const mochaArgs = (files, timeoutMs = 60_000) => [
  '--import', 'tsx', mocha, '--reporter', reporter, '--timeout', String(timeoutMs),
  '--require', join(root, 'test/support/reportOpenHandles.cjs'), '--exit', ...files,
];

const tiers = {
  /** Static checks, one test each: eslint (with the layering rules) and the two TypeScript projects. */
  async lint() {
    const checks = [
      ['eslint', [join(root, 'node_modules/eslint/bin/eslint.js'), '.']],
      ['tsc (node runtimes)', [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']],
      ['tsc (webview)', [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'webview/tsconfig.json']],
    ];
    let passed = 0;
    let failed = 0;
    for (const [name, args] of checks) {
      const code = await run(process.execPath, args);
      console.log(`  ${code === 0 ? '✔' : '✘'} ${name}`);
      if (code === 0) passed++;
      else failed++;
    }
    return { passed, failed };
  },
  /** Fast tests next to the code, in plain Node. */
  async unit() {
    const files = testFiles(['common', 'storage', 'agent', 'language-server', 'extension', 'webview', 'bench', 'test/lint']);
    return runTallied('unit', process.execPath, mochaArgs(files));
  },
  /** The built webview bundle in headless Chromium. */
  /** Faults and hostile conditions made for real (a full disk on a tmpfs, as root): the bounded form of RELIABILITY.md. */
  async reliability() {
    const files = testFiles(['test/reliability']);
    return runTallied('reliability', process.execPath, mochaArgs(files, 300_000));
  },

  async webview() {
    const files = testFiles(['test/webview']);
    return runTallied('webview', process.execPath, mochaArgs(files));
  },
  /** The extension inside a real VS Code (code-server) in headless Chromium. */
  async editor() {
    return runTallied('editor', process.execPath, ['--import', 'tsx', join(root, 'test/editor/runEditorTests.ts')]);
  },
  /**
   * The .vsix: `npm run package` must produce it, within the size budget and with only bundles and assets
   * (scripts/printPackageSize.mjs checks both). Last, because it replaces out/ with the production build.
   */
  async package() {
    const code = await run('npm', ['run', '--silent', 'package']);
    console.log(`  ${code === 0 ? '✔' : '✘'} npm run package`);
    return code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
  },
};

const selected = only ? [only] : Object.keys(tiers);
let passed = 0;
let failed = 0;
for (const name of selected) {
  if (!tiers[name]) {
    console.error(`unknown tier ${name}; the tiers are ${Object.keys(tiers).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n=== ${name} ===`);
  const result = await tiers[name]();
  console.log(`[${name}] ${result.passed} passed, ${result.failed} failed`);
  passed += result.passed;
  failed += result.failed;
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
