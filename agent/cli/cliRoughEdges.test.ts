import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectToAgent } from '../../common/agentConnection';
import { IngestProfileRequest, ProfileProcessRequest } from '../../common/protocol/agentProtocol';
import { exited, startBuiltAgent } from '../../test/support/agentProcess';
import { corpusDir } from '../../test/support/corpus';
import { pollUntil } from '../../test/support/poll';
import type { V8CpuProfile } from '../../common/protocol/probeProtocol';

/**
 * The command line's rough edges, each run as a user runs it: the built `out/agent/icicle.js` (after
 * `node esbuild.mjs --dev`) in a separate process, on a fresh store.
 */

const root = join(__dirname, '..', '..');
const cli = join(root, 'out', 'agent', 'icicle.js');
const hostile = join(root, 'test', 'fixtures', 'hostile', 'controlCharacters.cpuprofile');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command; `stderr()` reads what it has written so far, while it runs. */
function start(command: string, args: string[]): { result: Promise<Run>; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  const result = new Promise<Run>((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', chunk => (stdout += String(chunk)));
    child.stderr.on('data', chunk => (stderr += String(chunk)));
    child.once('error', reject);
    child.once('exit', code => resolve({ code, stdout, stderr }));
  });
  return { result, stderr: () => stderr };
}

function run(command: string, args: string[]): Promise<Run> {
  return start(command, args).result;
}

function icicle(...args: string[]): Promise<Run> {
  return run(process.execPath, [cli, ...args]);
}

/** `icicle ARGS | head -1` in a shell, with pipefail so that the exit code is icicle's. */
function icicleIntoHead(args: string[]): Promise<Run> {
  const quoted = [process.execPath, cli, ...args].map(a => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return run('bash', ['-c', `set -o pipefail; ${quoted} | head -1`]);
}

/** Characters a terminal obeys or hides: controls (but line ends), format characters, separators, lone surrogates. */
const RAW_CONTROL = /(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

describe('the icicle command line, as users run it', function () {
  this.timeout(120_000);
  let dir: string;
  const corpus = corpusDir();
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-cli-edges-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits quietly with its own exit code when the reader of its output goes away (| head -1)', async () => {
    const store = join(dir, 'epipe-store');
    const imported = await icicle('import', '--store', store, join(corpus, 'generated', 'tsc-small.cpuprofile.gz'), join(corpus, 'cpuprofile', 'sucrase.cpuprofile'));
    assert.equal(imported.code, 0, imported.stderr);
    // Hundreds of kilobytes, far more than a pipe holds, so icicle is still writing when head has gone.
    for (const args of [['top', '--limit', '100000'], ['top', '--limit', '100000', '--json']]) {
      const piped = await icicleIntoHead([...args, '--store', store]);
      assert.equal(piped.stderr, '', `icicle ${args.join(' ')} | head -1 wrote to stderr`);
      assert.equal(piped.code, 0);
      assert.equal(piped.stdout.split('\n').length, 2, 'head printed one line');
    }
    // Output lost otherwise (a full disk) is a failure, said in words.
    const full = await run('bash', ['-c', `'${process.execPath}' '${cli}' top --store '${store}' > /dev/full`]);
    assert.equal(full.code, 1);
    assert.equal(full.stderr, 'icicle: Cannot write the output: the disk is full.\n');
  });

  it('refuses label keys starting with __ (the store\'s bookkeeping) from import, record and the agent protocol', async () => {
    const store = join(dir, 'label-store');
    for (const command of [['import', join(corpus, 'collapsed', 'simple.txt')], ['record', '--', 'true']]) {
      const refused = await icicle(command[0]!, '--store', store, '--label', '__profile_rows=1', ...command.slice(1));
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /--label "__profile_rows=1": the label key "__profile_rows" starts with "__", which Icicle keeps for the store's own bookkeeping/);
      assert.match(refused.stderr, new RegExp(`Run icicle ${command[0]} --help`));
    }
    const socket = join(dir, 'agent.sock');
    const { child: agent } = await startBuiltAgent(socket, join(dir, 'agent-store'));
    const client = await connectToAgent(socket, 'test', 'test');
    try {
      const profile = JSON.parse(readFileSync(join(corpus, 'cpuprofile', 'simple.cpuprofile'), 'utf8')) as V8CpuProfile;
      await assert.rejects(
        client.connection.sendRequest(IngestProfileRequest.type, { format: 'v8', profile, startMs: 1, labels: { __profile_rows: '7' }, droppedChunks: 0 }),
        /Invalid parameters for icicle\/ingestProfile at labels: the label key "__profile_rows" starts with "__"/,
      );
      await assert.rejects(client.connection.sendRequest(ProfileProcessRequest.type, { pid: process.pid, labels: { __x: '1' } }), /the label key "__x" starts with "__"/);
      // An ordinary label still goes in.
      const stored = await client.connection.sendRequest(IngestProfileRequest.type, { format: 'v8', profile, startMs: 1, labels: { run: 'a' }, droppedChunks: 0 });
      assert.ok(stored.rows > 0);
    } finally {
      client.dispose();
      agent.kill();
      await exited(agent);
    }
  });

  it('shows control, bidirectional and zero-width characters of hostile profiles escaped, in top, labels and diff', async () => {
    const store = join(dir, 'hostile-store');
    // The file's own name carries an override too: it becomes the `source` label.
    const named = join(dir, 'evil\u202Eeliforpupc.cpuprofile');
    copyFileSync(hostile, named);
    const second = join(dir, 'second.cpuprofile');
    writeFileSync(second, readFileSync(hostile, 'utf8').replace('"endTime": 30000', '"endTime": 30001'));
    for (const [file, side] of [[named, 'a'], [second, 'b']] as const) {
      const imported = await icicle('import', '--store', store, '--label', `side=${side}`, '--label', 'note=left\u202Eright\u200B', file);
      assert.equal(imported.code, 0, imported.stderr);
      assert.doesNotMatch(imported.stdout, RAW_CONTROL);
    }
    const outputs = {
      top: await icicle('top', '--store', store),
      topJson: await icicle('top', '--store', store, '--json'),
      labels: await icicle('labels', 'source', '--store', store),
      labelsJson: await icicle('labels', 'note', '--store', store, '--json'),
      diff: await icicle('diff', '--store', store, '--base', 'side=a', '--head', 'side=b'),
      diffMarkdown: await icicle('diff', '--store', store, '--base', 'side=a', '--head', 'side=b', '--format', 'markdown'),
      diffJson: await icicle('diff', '--store', store, '--base', 'side=a', '--head', 'side=b', '--format', 'json'),
    };
    for (const [name, output] of Object.entries(outputs)) {
      // One profile a side: diff says it is too few runs to tell (exit 3), and prints its rows all the same.
      assert.ok(output.code === 0 || (name.startsWith('diff') && output.code === 3), `${name}: ${output.stderr}`);
      assert.doesNotMatch(output.stdout, RAW_CONTROL, `${name} printed a raw control or format character`);
    }
    assert.match(outputs.top.stdout, /txt\.exe\\u202Egnp app\/rtl\\u202Eoverride\.js:1/);
    assert.match(outputs.top.stdout, /zero\\u200Bwidth\\u200Djoin\\u2060word/);
    assert.match(outputs.top.stdout, /bell\\u0007escape\\u001B\[2Jclear\\u009B31mcsi/);
    assert.match(outputs.top.stdout, /line\\u2028para\\u2029bom\\uFEFFtag\\uDB40\\uDC01soft\\u00ADhyphen/);
    assert.match(outputs.labels.stdout, /evil\\u202Eeliforpupc\.cpuprofile/);
    assert.match(outputs.diff.stdout, /txt\.exe\\u202Egnp/);
    assert.match(outputs.diffMarkdown.stdout, /txt\.exe\\u202Egnp/);
    // JSON output stays valid and means the same: its escapes are JSON's own.
    const top = JSON.parse(outputs.topJson.stdout) as { functions: { function: string; file: string }[] };
    assert.ok(top.functions.some(f => f.function === 'txt.exe\u202Egnp' && f.file === 'app/rtl\u202Eoverride.js'));
    assert.ok(top.functions.some(f => f.function === 'line\u2028para\u2029bom\uFEFFtag\u{E0001}soft\u00ADhyphen'));
    assert.deepEqual(JSON.parse(outputs.labelsJson.stdout), ['left\u202Eright\u200B']);
    const diff = JSON.parse(outputs.diffJson.stdout) as { changes: { name: string }[] };
    assert.ok(diff.changes.some(c => c.name === 'txt.exe\u202Egnp'));
  });

  it('recognises collapsed stacks whose first line is longer than the start the sniffer used to read', async () => {
    const store = join(dir, 'long-line-store');
    const deep = Array.from({ length: 400 }, (_, i) => `com.example.deeply.nested.Module${i}.method${i}`).join(';');
    assert.ok(deep.length > 16_000);
    const file = join(dir, 'deep.folded');
    writeFileSync(file, `${deep} 7\nmain;work 3\n`);
    const imported = await icicle('import', '--store', store, file);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /deep\.folded: collapsed, 2 rows/);
  });

  it('skips and counts lines with an invalid count (NaN, negative, beyond 2^53), first line included, and says so', async () => {
    const store = join(dir, 'invalid-count-store');
    const file = join(dir, 'invalid.folded');
    const valid = ['main;b 3', 'main;e 5', 'main;f 4', 'main;h 2', 'main;i 1', 'main;j 1'];
    writeFileSync(file, ['main;a NaN', ...valid.slice(0, 3), 'main;c -2', 'main;d 99999999999999999999', ...valid.slice(3)].join('\n'));
    const imported = await icicle('import', '--store', store, file);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /invalid\.folded: collapsed, 6 rows/);
    assert.match(imported.stderr, /invalid\.folded: 3 lines were not a stack followed by a count and were skipped \(the first is line 1\)\./);
    const top = JSON.parse((await icicle('top', '--store', store, '--json')).stdout) as { totalValue: number };
    assert.equal(top.totalValue, 3 + 5 + 4 + 2 + 1 + 1);
  });

  it('skips and counts perf script samples with an invalid period, the first included, keeping the CPU time of the rest', async () => {
    const store = join(dir, 'invalid-period-store');
    const text = readFileSync(join(corpus, 'linux-perf', 'simple-with-header.linux-perf.txt'), 'utf8');
    const samples = text.split('1001001 cpu-clock:').length - 1;
    let n = 0;
    // The first sample's period is not a number; the second's is beyond what the store holds exactly.
    const damaged = text.replace(/1001001 cpu-clock:/g, match => (++n === 1 ? 'NaN cpu-clock:' : n === 2 ? '99999999999999999999 cpu-clock:' : match));
    const file = join(dir, 'damaged.perf.txt');
    writeFileSync(file, damaged);
    const imported = await icicle('import', '--store', store, file);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stderr, /damaged\.perf\.txt: \d+ lines did not read as sample headers or frames and were skipped \(the first is line \d+\)\./);
    const top = JSON.parse((await icicle('top', '--store', store, '--json')).stdout) as { profileType: string; totalValue: number };
    assert.equal(top.profileType, 'process_cpu:cpu:nanoseconds:cpu:nanoseconds');
    assert.equal(top.totalValue, (samples - 2) * 1001001);
  });

  it('says what is wrong with which path: a folder, a symbolic link loop, a file in the path, a missing folder, a full disk', async function () {
    const store = join(dir, 'path-store');
    mkdirSync(join(dir, 'a-folder.cpuprofile'));
    symlinkSync('loop.cpuprofile', join(dir, 'loop.cpuprofile'));
    writeFileSync(join(dir, 'plain'), 'not a folder');
    const imported = await icicle('import', '--store', store, join(dir, 'a-folder.cpuprofile'), join(dir, 'loop.cpuprofile'), join(dir, 'plain', 'x.cpuprofile'));
    assert.equal(imported.code, 1);
    assert.match(imported.stderr, /a-folder\.cpuprofile: Cannot open a-folder\.cpuprofile: it is a folder\./);
    assert.match(imported.stderr, /loop\.cpuprofile: Cannot open loop\.cpuprofile: it is a symbolic link that leads round in a loop/);
    assert.match(imported.stderr, new RegExp(`x\\.cpuprofile: Cannot open x\\.cpuprofile: ${join(dir, 'plain').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is a file, not a folder\\.`));
    const storeInFile = await icicle('import', '--store', join(dir, 'plain', 'store'), join(corpus, 'cpuprofile', 'simple.cpuprofile'));
    assert.match(storeInFile.stderr, /^icicle: Cannot create the folder .*plain\/store\/blocks: .*plain is a file, not a folder\.\n$/);
    const exported = await icicle('export', '--store', store, '--format', 'pprof', '--out', join(dir, 'nowhere', 'out.pb.gz'));
    assert.match(exported.stderr, /^icicle: Cannot write .*nowhere\/out\.pb\.gz: the folder .*nowhere does not exist\.\n$/);
    for (const output of [imported, storeInFile, exported]) assert.doesNotMatch(output.stderr, /\bE[A-Z]{3,}\b|pipe, a device|\n\s+at /, 'no errno text, no stack');

    // A full disk, for real: a small tmpfs (mounted as root), filled to the brim.
    if (process.getuid?.() !== 0) return this.skip();
    const mountPoint = join(dir, 'full');
    mkdirSync(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', mountPoint]);
    try {
      const first = await icicle('import', '--store', join(mountPoint, 'store'), join(corpus, 'cpuprofile', 'simple.cpuprofile'));
      assert.equal(first.code, 0, first.stderr);
      const ballast = join(mountPoint, 'ballast');
      try {
        writeFileSync(ballast, Buffer.alloc(4 * 1024 * 1024));
      } catch {
        // Filled to the last byte: what was wanted.
      }
      const full = await icicle('import', '--store', join(mountPoint, 'store'), join(corpus, 'cpuprofile', 'sucrase.cpuprofile'));
      assert.equal(full.code, 1);
      assert.match(full.stderr, /Cannot write the store in .*full\/store: the disk is full\./);
      const fullExport = await icicle('export', '--store', join(mountPoint, 'store'), '--format', 'collapsed', '--out', join(mountPoint, 'out.folded'));
      assert.equal(fullExport.code, 1, fullExport.stdout);
      assert.match(fullExport.stderr, /^icicle: Cannot write .*full\/out\.folded: the disk is full\.\n$/);
      for (const output of [full, fullExport]) assert.doesNotMatch(output.stderr, /ENOSPC|\n\s+at /);
    } finally {
      execFileSync('umount', [mountPoint]);
    }
  });

  it('--wait waits for the store another process writes, saying for whom, and --wait-timeout gives up', async () => {
    const store = join(dir, 'wait-store');
    const socketDir = mkdtempSync(join(tmpdir(), 'icicle-wait-'));
    const { child: agent } = await startBuiltAgent(join(socketDir, 'agent.sock'), store);
    const file = join(corpus, 'cpuprofile', 'simple.cpuprofile');
    try {
      const refused = await icicle('import', '--store', store, file);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /is in use by Icicle agent .* To wait until it is free, run the command with --wait\./);
      for (const command of [['import', file], ['record', '--', process.execPath, '-e', '0']]) {
        const gaveUp = await icicle(command[0]!, '--store', store, '--wait', '--wait-timeout', '0.5', ...command.slice(1));
        assert.equal(gaveUp.code, 1, gaveUp.stderr);
        assert.match(gaveUp.stderr, /icicle: waiting for the store in .* \(at most 0\.5 s\): it is in use by Icicle agent/);
        assert.match(gaveUp.stderr, /Gave up after waiting \d+\.\d s for the store in .*, still in use by Icicle agent/);
      }
      // A CI job's import queued behind the agent: it goes in once the agent lets go.
      const waiting = start(process.execPath, [cli, 'import', '--store', store, '--wait', file]);
      await pollUntil(() => waiting.stderr().includes('waiting for the store'), { timeoutMs: 60_000, what: 'the import to wait' });
      assert.equal(agent.exitCode, null, 'the agent still holds the store');
      agent.kill();
      const done = await waiting.result;
      assert.equal(done.code, 0, done.stderr);
      assert.match(done.stderr, /^icicle: waiting for the store in .*: it is in use by Icicle agent/);
      assert.match(done.stdout, /simple\.cpuprofile: cpuprofile, \d+ rows/);
    } finally {
      agent.kill();
      await exited(agent);
      rmSync(socketDir, { recursive: true, force: true });
    }
  });
});
