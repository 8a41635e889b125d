import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withoutOwnSamples } from './ownSamples';

const node = (id: number, url: string, children: number[] = []) => ({ id, callFrame: { functionName: `f${id}`, url, lineNumber: 0, columnNumber: 0 }, children });

describe('the probe’s own samples', () => {
  it('drops samples with a probe frame anywhere on their stack, and only their time', () => {
    // root → main (program) → work (program); root → probe → net (Node's code, called by the probe)
    const profile = {
      nodes: [node(1, '', [2, 4]), node(2, '/app/main.js', [3]), node(3, '/app/main.js'), node(4, '/probe.js', [5]), node(5, 'node:net')],
      startTime: 1000,
      endTime: 1100,
      samples: [3, 5, 4, 3, 2],
      // taken at 1010, 1020, 1040, 1050, 1080: durations 10, 20, 10, 30, 20 (the last until the end).
      timeDeltas: [10, 10, 20, 10, 30],
    };
    const kept = withoutOwnSamples(profile, new Set(['/probe.js']));
    assert.deepEqual(kept.nodes.map(n => n.id), [1, 2, 3]);
    assert.deepEqual(kept.nodes[0]!.children, [2]);
    assert.deepEqual(kept.samples, [3, 3, 2]);
    // The kept samples keep their durations (10, 30, 20); the probe's 30 µs are gone from the chunk.
    assert.deepEqual(kept.timeDeltas, [10, 10, 30]);
    assert.equal(kept.endTime, 1070);
    assert.equal(withoutOwnSamples(profile, new Set(['/other.js'])), profile, 'a profile without the probe is passed through');
  });

  it('takes a pass-through frame out of the tree and keeps the program’s samples beneath it', () => {
    // root → main → with (the probe's pass-through wrapper) → handler (program); with → probe (the probe's own)
    const profile = {
      nodes: [node(1, '', [2]), node(2, '/app/main.js', [3]), node(3, 'wrapper.js', [4, 5]), node(4, '/app/handler.js'), node(5, '/probe.js')],
      startTime: 1000,
      endTime: 1040,
      samples: [4, 3, 5, 4],
      timeDeltas: [10, 10, 10, 5],
    };
    const kept = withoutOwnSamples(profile, new Set(['/probe.js']), new Set(['wrapper.js']));
    assert.deepEqual(kept.nodes.map(n => n.id), [1, 2, 4]);
    assert.deepEqual(kept.nodes[1]!.children, [4], 'the handler hangs from main');
    // Taken at 1010, 1020, 1030, 1035: the wrapper's own sample is main's; the probe's, and its 5 µs, are gone.
    assert.deepEqual(kept.samples, [4, 2, 4]);
    assert.deepEqual(kept.timeDeltas, [10, 10, 10]);
    assert.equal(kept.endTime, 1035);
  });

  it('leaves no probe frame in `icicle top` of `node -e 0` recorded by the built CLI', function () {
    this.timeout(120_000);
    const dir = mkdtempSync(join(tmpdir(), 'icicle-own-'));
    try {
      const cli = join(__dirname, '..', '..', 'out', 'agent', 'icicle.js');
      const record = spawnSync(process.execPath, [cli, 'record', '--store', join(dir, 'store'), '--', process.execPath, '-e', '0'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      assert.equal(record.status, 0, record.stderr);
      const top = spawnSync(process.execPath, [cli, 'top', '--store', join(dir, 'store'), '--limit', '1000', '--json'], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(top.status, 0, top.stderr);
      assert.doesNotMatch(top.stdout, /nodeProbe|chunkedProfiler|ownSamples|startProbe/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
