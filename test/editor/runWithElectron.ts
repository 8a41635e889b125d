/**
 * Runs the same editor suite in desktop VS Code through @vscode/test-electron, for machines that have it (this
 * project's build machines cannot download VS Code, so the editor tier uses code-server; see README.md).
 *
 *   node esbuild.mjs --dev
 *   VSCODE_EXECUTABLE=/path/to/code node --import tsx test/editor/runWithElectron.ts
 *
 * Without VSCODE_EXECUTABLE, test-electron downloads the latest stable VS Code into .vscode-test/. There is no
 * driver holding a browser page here, so the checks that read or click the webview's DOM and the screenshot are
 * skipped (ICICLE_E2E_DIR stays unset); the API-level checks run unchanged. Exit status 0 when nothing failed.
 */
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';

const repoRoot = resolve(__dirname, '..', '..');

async function main(): Promise<number> {
  const env: Record<string, string | undefined> = {};
  // The tally reporter writes the counts here when test/runAllTiers.mjs (or the caller) chooses a file.
  if (process.env.ICICLE_RESULTS_FILE) env.ICICLE_RESULTS_FILE = process.env.ICICLE_RESULTS_FILE;
  return runTests({
    ...(process.env.VSCODE_EXECUTABLE ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE } : {}),
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: join(repoRoot, 'out', 'test', 'editor', 'index.js'),
    extensionTestsEnv: env,
    // The fixture workspace, and only the extension under test (built-in extensions stay).
    launchArgs: [join(repoRoot, 'test', 'fixtures', 'workspace'), '--disable-extensions', '--disable-workspace-trust'],
  });
}

main().then(
  code => process.exit(code),
  (error: unknown) => {
    console.error(`[electron] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
