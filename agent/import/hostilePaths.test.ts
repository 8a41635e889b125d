/**
 * A profile whose frames name files it should not reach (`../../etc/passwd`, `/etc/shadow`, `/proc/self/environ`,
 * a FIFO, a link to /dev/zero, a `sourceMappingURL` out of the project, a map whose sources climb out), opened the way
 * the agent opens a profile for the editor (read the file, import it through the store, query its view). Every file
 * the agent opens is recorded: only the profile, the project's scripts and their `.map` files, and executables may
 * be opened, and frames that would have been moved to a canary source, had a forbidden file been read, stay where
 * they are. A FIFO would have hung the import; it ends in bounded time.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Store } from '../../storage/store';
import { openProfileThroughStore } from '../profileLibrary';
import { readProfileBytes } from '../readProfileFile';

/** One frame of the hostile profile: the URL it names, and the file the view must show for it. */
interface Case {
  name: string;
  url: string;
  /** 0-based, as V8 writes them. */
  line?: number;
  /** The file name the view shows for the frame (a pattern where the machine decides it). */
  shows: string | RegExp;
}

/** Records the path of every file opened through node:fs/promises while `run` runs. */
async function recordOpens<T>(run: () => Promise<T>): Promise<{ result: T; opened: string[] }> {
  const opened: string[] = [];
  // fs.promises is the module object node:fs/promises exports (an import namespace here would be a read-only copy).
  const promises = fs.promises;
  const original = promises.open;
  promises.open = ((file: fs.PathLike, ...rest: unknown[]) => {
    opened.push(String(file));
    return (original as (...args: unknown[]) => Promise<fs.promises.FileHandle>)(file, ...rest);
  }) as typeof promises.open;
  syncBuiltinESMExports();
  try {
    return { result: await run(), opened };
  } finally {
    promises.open = original;
    syncBuiltinESMExports();
  }
}

const canaryMap = (source: string) => JSON.stringify({ version: 3, sources: [source], names: [], mappings: 'AAAA' });

describe('a profile whose paths try to leave the project', () => {
  let root: string;
  beforeEach(() => {
    // realpath: on some machines the temporary folder is itself a link, and the agent opens files by their real path.
    root = realpathSync(mkdtempSync(join(tmpdir(), 'icicle-hostile-')));
  });
  afterEach(() => {
    // Should the agent ever wait on the FIFO again (a regression), a writer releases it so that mocha can exit.
    try {
      fs.closeSync(fs.openSync(join(root, 'project', 'fifo.js'), fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
    } catch {
      // Nobody was waiting, or there is no FIFO: the usual case.
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('is imported without opening anything outside the allowed files, and maps only what it may', async function () {
    this.timeout(30_000);
    const project = join(root, 'project');
    const outside = join(root, 'outside');
    mkdirSync(project);
    mkdirSync(outside);
    const fileUrl = (path: string) => pathToFileURL(path).href;
    // Outside the project: a text file that would name a canary map if it were read as a script, the canary map, and
    // a valid map with a .json name.
    writeFileSync(join(outside, 'canary.map'), canaryMap('CANARY-secret.ts'));
    writeFileSync(join(outside, 'secret.txt'), `secret();\n//# sourceMappingURL=${fileUrl(join(outside, 'canary.map'))}\n`);
    writeFileSync(join(outside, 'stolen.json'), canaryMap('CANARY-json.ts'));
    // The project: a script with a normal map, one whose map is named out of the project as .json, one whose map's
    // sources climb out, a link to the secret, a link to /dev/zero, a FIFO and a folder with script names.
    writeFileSync(join(project, 'app.js'), 'function app() {}\napp();\n//# sourceMappingURL=app.js.map\n');
    writeFileSync(join(project, 'app.js.map'), canaryMap('src/app.ts'));
    writeFileSync(join(project, 'pointsOut.js'), 'f();\n//# sourceMappingURL=../outside/stolen.json\n');
    writeFileSync(join(project, 'evilSources.js'), 'a();\nb();\nc();\n');
    const climbing = ['../'.repeat(12) + 'etc/passwd', 'webpack:///../../etc/hosts', '/etc/shadow'];
    writeFileSync(join(project, 'evilSources.js.map'), JSON.stringify({ version: 3, sources: climbing, names: [], mappings: 'AAAA;ACAA;ACAA' }));
    symlinkSync(join(outside, 'secret.txt'), join(project, 'linked.js'));
    symlinkSync('/dev/zero', join(project, 'zero.js'));
    execFileSync('mkfifo', [join(project, 'fifo.js')]);
    mkdirSync(join(project, 'folder.js'));

    const cases: Case[] = [
      { name: 'normal', url: fileUrl(join(project, 'app.js')), shows: join(project, 'src', 'app.ts') },
      { name: 'climbsOut', url: '../../etc/passwd', shows: '../../etc/passwd' },
      { name: 'climbsOutBackslashes', url: '..\\..\\etc\\passwd', shows: '..\\..\\etc\\passwd' },
      { name: 'climbsOutEncoded', url: '%2e%2e/%2e%2e/etc/passwd', shows: '%2e%2e/%2e%2e/etc/passwd' },
      { name: 'passwd', url: '/etc/passwd', shows: '/etc/passwd' },
      { name: 'shadow', url: '/etc/shadow', shows: '/etc/shadow' },
      { name: 'passwdUrl', url: 'file:///etc/passwd', shows: 'file:///etc/passwd' },
      { name: 'environ', url: 'file:///proc/self/environ', shows: 'file:///proc/self/environ' },
      { name: 'zero', url: 'file:///dev/zero', shows: 'file:///dev/zero' },
      { name: 'webpackClimb', url: 'webpack:///../../x', shows: 'webpack:///../../x' },
      { name: 'secretByUrl', url: `${fileUrl(project)}/%2e%2e/outside/secret.txt`, shows: `${fileUrl(project)}/%2e%2e/outside/secret.txt` },
      { name: 'linkedSecret', url: fileUrl(join(project, 'linked.js')), shows: fileUrl(join(project, 'linked.js')) },
      { name: 'linkedZero', url: join(project, 'zero.js'), shows: join(project, 'zero.js') },
      { name: 'fifo', url: fileUrl(join(project, 'fifo.js')), shows: fileUrl(join(project, 'fifo.js')) },
      { name: 'folder', url: join(project, 'folder.js'), shows: join(project, 'folder.js') },
      { name: 'nul', url: `${join(project, 'app')}\u0000.js`, shows: `${join(project, 'app')}\u0000.js` },
      { name: 'nulEncoded', url: `${fileUrl(project)}/app%00.js`, shows: `${fileUrl(project)}/app%00.js` },
      { name: 'control', url: `${join(project, 'app')}\u001b[2J.js`, shows: `${join(project, 'app')}\u001b[2J.js` },
      { name: 'mapOutOfProject', url: fileUrl(join(project, 'pointsOut.js')), shows: fileUrl(join(project, 'pointsOut.js')) },
      // The map's sources are names only: the frames take them, and none of them is opened.
      { name: 'sourceClimbs', url: fileUrl(join(project, 'evilSources.js')), line: 0, shows: '/etc/passwd' },
      // A webpack-style source is looked for (by stat alone) in the map's folder and its ancestors.
      { name: 'sourceWebpack', url: fileUrl(join(project, 'evilSources.js')), line: 1, shows: /^\/(.*\/)?etc\/hosts$/ },
      { name: 'sourceAbsolute', url: fileUrl(join(project, 'evilSources.js')), line: 2, shows: '/etc/shadow' },
    ];
    const nodes = [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, children: cases.map((_, i) => i + 2) },
      ...cases.map((c, i) => ({ id: i + 2, callFrame: { functionName: c.name, url: c.url, lineNumber: c.line ?? 0, columnNumber: 0 } })),
    ];
    const profile = { nodes, startTime: 0, endTime: cases.length * 1000, samples: cases.map((_, i) => i + 2), timeDeltas: cases.map(() => 1000) };
    const profileFile = join(root, 'hostile.cpuprofile');
    writeFileSync(profileFile, JSON.stringify(profile));

    const storeDir = join(root, 'store');
    const store = await Store.open(storeDir);
    try {
      const started = Date.now();
      // What the agent does for icicle/openProfile with a path (agent/rpcHandlers.ts).
      const { result: view, opened } = await recordOpens(async () => openProfileThroughStore(store, await readProfileBytes(profileFile, 'hostile.cpuprofile'), 'hostile.cpuprofile'));
      assert.ok(Date.now() - started < 10_000, `the import took ${Date.now() - started} ms`);

      const allowed = new Set([profileFile, ...['app.js', 'app.js.map', 'pointsOut.js', 'evilSources.js', 'evilSources.js.map'].map(name => join(project, name))]);
      const forbidden = opened.filter(file => !file.startsWith(`${storeDir}/`) && !allowed.has(file));
      assert.deepEqual(forbidden, [], `the agent opened files outside the allowed set: ${JSON.stringify(forbidden)}`);
      // The allowed ones were read: the normal script's map moved its frame.
      for (const file of ['app.js', 'app.js.map']) assert.ok(opened.includes(join(project, file)), `${file} was not read`);

      const { tree } = view;
      const shown = new Map<string, string>();
      for (let n = 0; n < tree.name.length; n++) shown.set(tree.strings[tree.name[n]!]!, tree.strings[tree.url[n]!]!);
      for (const c of cases) {
        const what = `the frame ${c.name} (${JSON.stringify(c.url)})`;
        if (typeof c.shows === 'string') assert.equal(shown.get(c.name), c.shows, what);
        else assert.match(shown.get(c.name) ?? '(none)', c.shows, what);
      }
      assert.ok(![...shown.values()].some(url => url.includes('CANARY')), 'a frame was mapped through a file that must not be read');
    } finally {
      await store.close();
    }
  });

  it('reads only the ELF headers of executables and shared libraries named by native frames', async () => {
    const text = (dso: string) => `app 10/10 [000] 1.000000: 1000 cpu-clock:\n\t    401000 main+0x10 (${dso})\n\n`;
    const binaries = ['/etc/passwd', '/etc/shadow', '/proc/self/exe', '/dev/zero', join(root, 'notes.txt'), process.execPath];
    writeFileSync(join(root, 'notes.txt'), 'not a binary');
    const profileFile = join(root, 'perf.txt');
    writeFileSync(profileFile, binaries.map(text).join(''));
    const storeDir = join(root, 'store');
    const store = await Store.open(storeDir);
    try {
      const { opened } = await recordOpens(async () => openProfileThroughStore(store, await readProfileBytes(profileFile, 'perf.txt'), 'perf.txt'));
      const others = opened.filter(file => !file.startsWith(`${storeDir}/`) && file !== profileFile);
      // The agent's own Node is executable: its headers are read (the rules let real binaries through).
      assert.deepEqual(others, [realpathSync(process.execPath)]);
    } finally {
      await store.close();
    }
  });
});
