import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectToAgent, type AgentConnection } from '../../common/agentConnection';
import { CompareSelectionsRequest, DrainSpoolRequest } from '../../common/protocol/agentProtocol';
import { startBuiltAgent } from '../../test/support/agentProcess';
import { createTwoBranchRepository } from '../../test/support/demoRepository';
import { runBranches } from './branchRuns';

const root = join(__dirname, '..', '..');

/**
 * "Compare Branches…" without the editor: a git repository made by the test, where the feature branch makes `slow`
 * twice as slow; both branches are checked out into worktrees, run three times each with the real probe and agent,
 * and compared. The user's working tree stays as it was.
 */
describe('running two branches for a comparison', function () {
  this.timeout(300_000);
  let dir: string;
  let repo: string;
  let agent: Awaited<ReturnType<typeof startBuiltAgent>>;
  let client: AgentConnection;
  let socket: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-branches-'));
    repo = join(dir, 'repo');
    mkdirSync(repo);
    createTwoBranchRepository(repo);
    writeFileSync(join(repo, 'notes.txt'), 'uncommitted work in the user’s tree\n');
    // The agent wants its socket in a private folder.
    mkdirSync(join(dir, 'agent'), { mode: 0o700 });
    socket = join(dir, 'agent', 'agent.sock');
    agent = await startBuiltAgent(socket, join(dir, 'store'));
    client = await connectToAgent(socket, 'test', 'test');
  });
  after(() => {
    client?.dispose();
    agent?.child.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const plan = () => ({
    folder: repo,
    branches: ['main', 'feature'] as const,
    command: { executable: process.execPath, args: ['app.js'] },
    repeat: 3,
    probe: { probeModule: join(root, 'out', 'agent', 'nodeProbe.js'), socketPath: socket, spoolDirectory: join(dir, 'agent', 'spool'), intervalMicros: 1000 },
    drainSpool: async () => void (await client.connection.sendRequest(DrainSpoolRequest.type)),
  });

  it('runs each branch three times in its own worktree and finds the slowed function first, significantly', async () => {
    const steps: string[] = [];
    const result = await runBranches({ ...plan(), progress: message => steps.push(message) });
    assert.equal(result.runs.length, 6);
    assert.deepEqual(result.runs.map(r => r.branch), ['main', 'feature', 'main', 'feature', 'main', 'feature'], 'the branches alternate');
    assert.ok(result.runs.every(r => r.exitCode === 0));
    assert.ok(steps.includes('run 3 of 3 on feature'));
    const comparison = await client.connection.sendRequest(CompareSelectionsRequest.type, {
      base: `{compare_id="${result.compareId}", branch="main"}`,
      head: `{compare_id="${result.compareId}", branch="feature"}`,
    });
    assert.equal(comparison.a.runs, 3);
    assert.equal(comparison.b.runs, 3);
    const first = comparison.changes[0]!;
    assert.equal(first.name, 'slow');
    assert.equal(first.verdict, 'regression');
    const percent = first.deltaPercent ?? Infinity;
    assert.ok(percent > 60 && percent < 140, `slow changed by ${percent.toFixed(0)}%`);
    // Nothing else changed as much. Beside a real change a false discovery among the others is allowed (the 5% false
    // discovery rate; compareRuns.test.ts simulates it), so their size is asserted, not their verdict.
    for (const name of ['parse', 'render']) assert.ok(Math.abs(comparison.changes.find(c => c.name === name)!.deltaPercent!) < percent / 2, `${name} changed as much as slow`);
    // The differential tree: the head's slow frame, per run, about twice the base's on the same call path (the
    // checkouts' paths differ, so the frames match only because files are named relative to their checkout).
    const withTree = await client.connection.sendRequest(CompareSelectionsRequest.type, {
      base: `{compare_id="${result.compareId}", branch="main"}`,
      head: `{compare_id="${result.compareId}", branch="feature"}`,
      tree: { minShare: 0.002 },
    });
    const { tree, baseSelf } = withTree.diff!;
    const slowNode = tree.name.findIndex(n => tree.strings[n] === 'slow');
    assert.ok(slowNode > 0);
    assert.equal(tree.strings[tree.url[slowNode]!], 'app.js');
    const ratio = tree.selfValue[slowNode]! / baseSelf[slowNode]!;
    assert.ok(ratio > 1.6 && ratio < 2.4, `slow's head/base ratio per run is ${ratio.toFixed(2)}`);
    // The user's tree: same branch, same uncommitted file, no worktree left behind.
    assert.equal(git('branch', '--show-current').trim(), 'main');
    assert.equal(git('status', '--porcelain').trim(), '?? notes.txt');
    assert.equal(git('worktree', 'list').trim().split('\n').length, 1);
  });

  it("runs the head alone when the base is a dataset's runs: its runs only, and the progress counts them", async () => {
    const totals = new Set<number>();
    const result = await runBranches({ ...plan(), branches: ['feature'], repeat: 2, progress: (_m, _done, total) => totals.add(total) });
    assert.deepEqual(result.runs.map(r => r.branch), ['feature', 'feature']);
    assert.deepEqual([...totals], [2]);
    const stored = await client.connection.sendRequest(CompareSelectionsRequest.type, { base: `{compare_id="${result.compareId}"}`, head: `{compare_id="${result.compareId}"}` });
    assert.equal(stored.b.runs, 2, "the comparison's runs are the head's two");
    assert.equal(git('worktree', 'list').trim().split('\n').length, 1);
  });

  it('stops when cancelled and still removes the worktrees', async () => {
    const controller = new AbortController();
    await assert.rejects(runBranches({ ...plan(), signal: controller.signal, progress: (_m, done) => done >= 1 && controller.abort() }), /cancelled/);
    assert.equal(git('worktree', 'list').trim().split('\n').length, 1);
  });

  it('says which branch git could not check out', async () => {
    await assert.rejects(runBranches({ ...plan(), branches: ['main', 'no-such-branch'] }), /git worktree failed: .*no-such-branch/);
    assert.equal(git('worktree', 'list').trim().split('\n').length, 1);
  });
});
