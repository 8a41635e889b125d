// Builds the demo workspace that `npm run demo` opens (scripts/demo.mjs) and the editor tier's demo run walks
// (test/editor/runEditorTests.ts, suite/demoWalk.test.ts): a copy of demo/ in a folder of the caller's choosing,
// made a git repository with a `main` branch and a branch where one function is slower, so that every step of
// demo/README.md works there. Both callers use this one module, so that the test walks what a user gets.
//
// The copy is what the editor opens: the clone's demo/ is only read, so running the demo never dirties the clone.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { demoBranches } from './demoNames.mjs';

export { demoBranches, demoLaunchConfiguration } from './demoNames.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The folder in the clone that the workspace is copied from. */
export const demoSource = join(repoRoot, 'demo');

/**
 * The editor's user settings for the demo (code-server's user-data folder is temporary, so they touch nothing of
 * the user's). Workspace settings live in the workspace's .vscode/settings.json instead, where a user sees them.
 */
export const demoUserSettings = {
  // The editor ships Microsoft's CPU-profile table viewer, which also claims *.cpuprofile; the association makes
  // opening the file show Icicle's flame graph instead of asking which editor to use.
  'workbench.editorAssociations': { '*.cpuprofile': 'icicle.profileEditor' },
  // The workspace's README (the five-minute walk) is what the editor shows first.
  'workbench.startupEditor': 'readme',
  // The rest keeps the first view on the demo itself: no tips, chat side bar or recommendations competing with it.
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'extensions.ignoreRecommendations': true,
  'git.openRepositoryInParentFolders': 'never',
  'security.workspace.trust.enabled': false,
};

/**
 * formatReport as the slower branch has it: it now pauses a second before returning, spinning until the clock says so
 * (a busy-wait, which keeps a core busy where a timer would let it rest). Why this change and this size: Compare
 * Branches must mark it slower with three runs a side on a loaded two-core machine.
 * - A slower algorithm's extra time grows and shrinks with the machine's load: three runs a side could not tell 60 ms
 *   of a slower sieve from that noise. A spin until a time on the clock costs the same on a busy machine.
 * - What still varies is where the samples at the spin's two ends are charged, some milliseconds. With nothing of
 *   formatReport on main to vary, the test has two degrees of freedom and corrects for every function of the run, so
 *   the pause must be long beside that: at 250 ms, one editor-tier run in four found it within noise.
 * - The spin adds integers and looks at the clock every 10,000 of them, so that it allocates nothing: a loop on
 *   Date.now() alone allocates its numbers, and the garbage collector's milliseconds would be a second change.
 */
const slowerReport = `// Pauses a second before the report: spins, looking at the clock every 10,000 additions, until the time is up.
function formatReport(limit, count) {
  const end = Date.now() + 1000;
  let spin = 0;
  while (Date.now() < end) {
    for (let i = 0; i < 10_000; i++) spin = (spin + i) | 0;
  }
  return \`\${count} primes up to \${limit}\`;
}
`;

/**
 * Replaces the function `name` in `source`, with the comment lines right above it (which describe it), up to the
 * first closing brace at the start of a line after it, by `replacement`.
 */
function replaceFunction(source, name, replacement, file) {
  const lines = source.split('\n');
  const first = lines.findIndex(line => line.startsWith(`function ${name}(`));
  const last = first < 0 ? -1 : lines.findIndex((line, i) => i > first && line === '}');
  if (first < 0 || last < 0) throw new Error(`${file} has no function ${name}(…) ending in a "}" line`);
  let commentStart = first;
  while (commentStart > 0 && lines[commentStart - 1].startsWith('//')) commentStart--;
  lines.splice(commentStart, last + 1 - commentStart, ...replacement.trimEnd().split('\n'));
  return lines.join('\n');
}

/** Script URLs in a profile other than Node's own (node:…) and V8's pseudo-frames (""). */
function scriptUrls(file) {
  const { nodes } = JSON.parse(readFileSync(file, 'utf8'));
  return nodes.map(node => node.callFrame.url).filter(url => url !== '' && !url.startsWith('node:'));
}

/**
 * Whether every script URL in the workspace's profile names a file of the workspace: relative to it (as the
 * committed profile does), or as an absolute path inside it.
 */
export function profileFits(workspace) {
  const profile = join(workspace, 'profiles', 'demo.cpuprofile');
  if (!existsSync(profile)) return false;
  try {
    const urls = scriptUrls(profile);
    return (
      urls.length > 0 &&
      urls.every(url => existsSync(url.startsWith('file:') ? fileURLToPath(url) : join(workspace, url))) &&
      urls.every(url => !url.startsWith('file:') || fileURLToPath(url).startsWith(workspace + sep))
    );
  } catch {
    return false;
  }
}

/**
 * Records a real profile of src/main.js into the workspace's profiles/demo.cpuprofile, with its file:// URLs made
 * relative to the workspace (Icicle resolves those inside the workspace folders), so that it works in any copy.
 */
export function recordProfile(workspace, log = () => {}) {
  const scratch = mkdtempSync(join(tmpdir(), 'icicle-demo-profile-'));
  try {
    execFileSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', scratch, '--cpu-prof-name', 'demo.cpuprofile', 'src/main.js'], {
      cwd: workspace,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const recorded = JSON.parse(readFileSync(join(scratch, 'demo.cpuprofile'), 'utf8'));
    const prefix = pathToFileURL(workspace).href + '/';
    for (const node of recorded.nodes) {
      if (node.callFrame.url.startsWith(prefix)) node.callFrame.url = decodeURIComponent(node.callFrame.url.slice(prefix.length));
    }
    mkdirSync(join(workspace, 'profiles'), { recursive: true });
    writeFileSync(join(workspace, 'profiles', 'demo.cpuprofile'), JSON.stringify(recorded));
    log('recorded profiles/demo.cpuprofile again (the one in demo/ is missing or names files that are not there)');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Creates the demo workspace in `folder` (which must not exist yet, or be empty): demo/ copied, the profile
 * recorded again if it does not fit the copy, then a git repository with everything committed on `main`, a second
 * branch `slower-report` with one commit that makes formatReport slower, and `main` checked out.
 * Returns the folder. Git runs with the repository's own user name and e-mail, so committing works with an empty
 * HOME and no git configuration at all.
 */
export function createDemoWorkspace(folder, options = {}) {
  const log = options.log ?? (() => {});
  mkdirSync(folder, { recursive: true });
  cpSync(demoSource, folder, { recursive: true });
  if (!profileFits(folder)) recordProfile(folder, log);

  // Outside configuration could change what the commits do (signing, hooks, a template); the repository's own
  // settings and an empty template keep the result the same everywhere.
  const git = (...args) =>
    execFileSync('git', args, {
      cwd: folder,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
    });
  git('init', '-q', '-b', demoBranches.base, '--template=');
  git('config', 'user.name', 'Icicle Demo');
  git('config', 'user.email', 'demo@icicle.invalid');
  git('config', 'commit.gpgsign', 'false');
  git('config', 'core.hooksPath', '/dev/null');
  git('add', '--all');
  git('commit', '-q', '-m', 'The demo: count primes naively and with a sieve');

  git('checkout', '-q', '-b', demoBranches.slower);
  const format = join(folder, 'src', 'format.js');
  writeFileSync(format, replaceFunction(readFileSync(format, 'utf8'), demoBranches.slowedFunction, slowerReport, join('demo', 'src', 'format.js')));
  git('commit', '-q', '-am', 'formatReport: pause a second before the report, in a busy-wait');
  git('checkout', '-q', demoBranches.base);
  return folder;
}
