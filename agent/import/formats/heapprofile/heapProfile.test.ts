import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIVE_BYTES_PROFILE_TYPE } from '../../../../common/profileTypes';
import { assertGolden } from '../../../../test/support/golden';
import { parseProfileBytes } from '../../detectFormat';
import { ProfileImportError, type ImportedProfile } from '../../importedProfile';
import { ALLOCATED_BYTES, heapProfileToImported, looksLikeHeapProfile } from './heapProfile';

const TESTDATA = join(__dirname, 'testdata');

/** A heap profile node as V8 writes it. */
function node(functionName: string, selfSize: number, children: unknown[] = [], url = 'file:///app.js', lineNumber = 0): unknown {
  return { callFrame: { functionName, scriptId: '1', url, lineNumber, columnNumber: 4 }, selfSize, id: 0, children };
}

function root(children: unknown[]): { head: unknown; samples: unknown[] } {
  return { head: { callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, selfSize: 0, id: 1, children }, samples: [] };
}

/** Per function (leaf frame), its bytes; and each sample's stack as names, root first. */
function bytesByLeaf(profile: ImportedProfile): Map<string, number> {
  const bytes = new Map<string, number>();
  profile.sampleStacks.forEach((stack, i) => {
    const leaf = profile.frames[profile.stacks[stack]![0]!]!.name;
    bytes.set(leaf, (bytes.get(leaf) ?? 0) + profile.sampleValues[0]![i]!);
  });
  return bytes;
}

function stacksAsNames(profile: ImportedProfile): string[] {
  return profile.sampleStacks.map(stack => Array.from(profile.stacks[stack]!, f => profile.frames[f]!.name).reverse().join(';'));
}

describe('V8 sampling heap profiles (.heapprofile)', () => {
  it('makes each node with bytes of its own one sample with its stack; the root is no frame', () => {
    const profile = heapProfileToImported({ json: root([node('main', 0, [node('parse', 300, [node('', 20)]), node('render', 50)])]) }, 'h');
    assert.deepEqual(stacksAsNames(profile), ['main;parse', 'main;parse;(anonymous)', 'main;render']);
    assert.deepEqual(profile.sampleValues, [[300, 20, 50]]);
    assert.deepEqual(profile.valueTypes, [{ profileType: LIVE_BYTES_PROFILE_TYPE, unit: 'bytes' }]);
    assert.equal(profile.format, 'heapprofile');
    // V8's lines and columns are 0-based; the imported form's are 1-based.
    assert.deepEqual(profile.frames[0], { name: 'main', file: 'file:///app.js', line: 1, column: 5, module: '', address: 0 });
    assert.equal(profile.sampleTimes, undefined);
  });

  it('stores the probe\'s chunks as allocated bytes when asked', () => {
    const profile = heapProfileToImported({ json: root([node('main', 10)]) }, 'h', ALLOCATED_BYTES);
    assert.deepEqual(profile.valueTypes, [ALLOCATED_BYTES]);
  });

  it('reads a deep tree without overflowing the stack', () => {
    let deep = node('leaf', 8);
    for (let i = 0; i < 5000; i++) deep = node(`f${i}`, 0, [deep]);
    const profile = heapProfileToImported({ json: root([deep]) }, 'h');
    assert.equal(profile.stacks[profile.sampleStacks[0]!]!.length, 5001);
  });

  it('refuses nodes that are not what V8 writes, naming what is wrong', () => {
    assert.throws(() => heapProfileToImported({ json: root([{ selfSize: 3, children: [] }]) }, 'h.heapprofile'), (e: unknown) => e instanceof ProfileImportError && /h\.heapprofile is not a readable V8 sampling heap profile: node 2 has no callFrame/.test(e.message));
    assert.throws(() => heapProfileToImported({ json: root([node('x', -1)]) }, 'h'), /node 2 has no valid selfSize/);
    assert.throws(() => heapProfileToImported('{"head": 3}', 'h'), /it has no "head" node/);
  });

  it('recognises sampling heap profiles, not legacy CPU profiles with a head tree', () => {
    const heap = root([]);
    assert.ok(looksLikeHeapProfile(heap));
    assert.ok(looksLikeHeapProfile(JSON.stringify(heap)));
    const legacyCpu = { head: { functionName: '(root)', url: '', lineNumber: 0, hitCount: 0, children: [] }, startTime: 1, endTime: 2 };
    assert.ok(!looksLikeHeapProfile(legacyCpu));
    assert.ok(!looksLikeHeapProfile(JSON.stringify(legacyCpu)));
    // A legacy CPU profile is still the V8 CPU reader's (which says what this one lacks).
    assert.throws(() => parseProfileBytes(Buffer.from(JSON.stringify(legacyCpu)), 'l', { startMs: 0 }), /l is not a readable V8 CPU profile/);
  });

  it('imports a real `node --heap-prof` file (golden): keepMany holds about 10 times what keepFew holds', () => {
    const name = 'node20-retains.heapprofile';
    const parsed = parseProfileBytes(readFileSync(join(TESTDATA, name)), name, { endMs: 1_700_000_000_000 });
    assert.equal(parsed.format, 'heapprofile');
    assert.equal(parsed.profiles.length, 1);
    const profile = parsed.profiles[0]!;
    const bytes = bytesByLeaf(profile);
    // retains.js keeps 100,000 and 10,000 arrays of 50 numbers: the ratio is 10, within the sampling's noise.
    const ratio = bytes.get('keepMany')! / bytes.get('keepFew')!;
    assert.ok(ratio > 8 && ratio < 12, `keepMany / keepFew = ${ratio}`);
    const total = profile.sampleValues[0]!.reduce((a, b) => a + b, 0);
    const lines = [
      `file: ${name}`,
      `format: ${parsed.format}; value types: ${profile.valueTypes.map(t => `${t.profileType} (${t.unit})`).join(', ')}`,
      `samples: ${profile.sampleStacks.length}; frames: ${profile.frames.length}; stacks: ${profile.stacks.length}; total: ${total} bytes`,
      `startMs: ${profile.startMs}; sample times: ${profile.sampleTimes === undefined ? 'none' : 'some'}`,
      'bytes by leaf function:',
      ...[...bytes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([leaf, value]) => `  ${value}  ${leaf}`),
      'stacks (root first):',
      ...stacksAsNames(profile).map((stack, i) => `  ${profile.sampleValues[0]![i]}  ${stack}`),
    ];
    assertGolden(join(TESTDATA, `${name}.golden`), `${lines.join('\n')}\n`);
  });
});
