import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { findCallTreeProblem } from '../../../../common/callTree';
import { UserFacingError } from '../../../../common/errors';
import { assertGolden } from '../../../../test/support/golden';
import { renderCallTree } from '../../../../test/support/renderCallTree';
import { parseCpuProfile } from '../../../../test/support/cpuprofileTree';
import { corpusDir } from '../../../../test/support/corpus';

const testdata = join(__dirname, 'testdata', 'cpuprofile');
const corpus = join(corpusDir(), 'cpuprofile');

/** The golden text for one input: the summary and the tree, or the error the user would read. */
function describe_(path: string): string {
  const name = basename(path);
  try {
    const { summary, tree } = parseCpuProfile(readFileSync(path, 'utf8'), name);
    const problem = findCallTreeProblem(tree);
    if (problem) return `malformed tree: ${problem}\n`;
    return `${JSON.stringify(summary)}\n${renderCallTree(tree, 0.01)}`;
  } catch (error) {
    if (!(error instanceof UserFacingError)) throw error;
    return `error ${error.code}: ${error.message}\n`;
  }
}

describe('V8 cpuprofile importer (golden)', () => {
  const inputs = [
    ...readdirSync(testdata).filter(f => f.endsWith('.cpuprofile')).map(f => join(testdata, f)),
    ...readdirSync(corpus).filter(f => f.endsWith('.cpuprofile')).map(f => join(corpus, f)),
  ];
  for (const input of inputs) {
    it(basename(input), () => {
      assertGolden(join(testdata, `${basename(input)}.golden`), describe_(input));
    });
  }
});

describe('V8 cpuprofile importer (invariants)', () => {
  it('conserves samples and time: the root total equals the sum of all self values', () => {
    const text = readFileSync(join(corpus, 'sucrase.cpuprofile'), 'utf8');
    const { summary, tree } = parseCpuProfile(text, 'sucrase.cpuprofile');
    const selfSamples = tree.selfSamples.reduce((a, b) => a + b, 0);
    const selfValue = tree.selfValue.reduce((a, b) => a + b, 0);
    assert.equal(tree.totalSamples[0], summary.sampleCount);
    assert.equal(selfSamples, summary.sampleCount);
    assert.ok(Math.abs(tree.totalValue[0]! - selfValue) < 1e-3);
    assert.ok(Math.abs(tree.totalValue[0]! - summary.durationMicros) / summary.durationMicros < 0.01);
  });

  it('merges nodes of the same frame under the same parent', () => {
    const { tree } = parseCpuProfile(readFileSync(join(testdata, 'duplicates-merged.cpuprofile'), 'utf8'), 'd');
    const names = tree.name.map(i => tree.strings[i]);
    assert.equal(names.filter(n => n === 'main').length, 1);
    assert.equal(names.filter(n => n === 'hot').length, 1);
  });

  it('never lets a hostile function name change anything but its own label', () => {
    const hostile = '<img src=x onerror="alert(1)">\u0000\u202e';
    const text = JSON.stringify({
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, children: [2] },
        { id: 2, callFrame: { functionName: hostile, url: '../../etc/passwd', lineNumber: 0, columnNumber: 0 } },
      ],
      startTime: 0,
      endTime: 10,
      samples: [2],
      timeDeltas: [10],
    });
    const { tree } = parseCpuProfile(text, 'hostile.cpuprofile');
    assert.equal(tree.strings[tree.name[1]!], hostile);
    assert.equal(tree.strings[tree.url[1]!], '../../etc/passwd');
  });
});
