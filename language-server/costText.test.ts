import * as assert from 'node:assert/strict';
import { escapeMarkdown, hoverMarkdown, lensTitle, noSamplesMarkdown } from './costText';
import { hoverAt } from './languageFeatures';

describe('hover text', () => {
  it('keeps hostile function names and labels as text: no emphasis, code, link or HTML survives', () => {
    const hostile = '<img src=x onerror=alert(1)>[click](command:workbench.action.quit)*bold*_it_`code`\\';
    const escaped = escapeMarkdown(hostile);
    assert.equal(escaped, '\\<img src=x onerror=alert(1)\\>\\[click\\](command:workbench.action.quit)\\*bold\\*\\_it\\_\\`code\\`\\\\');
    const text = hoverMarkdown(
      { name: hostile, line: 1, nameLine: 0, startLine: 0, endLine: 1, self: 1, total: 2, selfSamples: 1, totalSamples: 2, stale: false },
      '/x.js',
      { total: 4, unit: 'micros', description: 'branch="a\nb"', runs: 1, selector: '{}' },
    );
    // The only link is ours, to the one command the client trusts.
    assert.deepEqual(text.match(/(?<!\\)\]\(/g)?.length, 1);
    assert.match(text, /\[Show in flame graph\]\(command:icicle\.showFunction\?/);
    assert.ok(!text.includes('branch="a\nb"'), 'a newline in a label cannot break the hover into new blocks');
  });
});

describe('the hover of a function without samples', () => {
  const fn = { name: 'countPrimesSieve', startLine: 4, endLine: 9, nameLine: 4 };
  const context = (total: number) => ({ total, unit: 'micros' as const, description: 'demo.cpuprofile', runs: total > 0 ? 1 : 0, selector: '{profile_id="p"}' });
  const hover = (total: number, placed: boolean) => {
    const annotations = { functions: [], lines: [] };
    const costs = { table: { functions: [], lines: [] }, file: 'src/primes.js', context: context(total) };
    const shown = hoverAt(4, placed ? ({ annotations, costs } as never) : undefined, [fn], context(total));
    return (shown?.contents as { value: string } | undefined)?.value ?? '';
  };

  it('says why in words and links to the picker of samples', () => {
    assert.match(hover(0, false), /\*\*countPrimesSieve\*\*: no samples in demo\.cpuprofile: there are none yet\. Open a profile/);
    assert.match(hover(1000, false), /no code of this file ran while they were recorded .*icicle\.pathMappings/);
    assert.match(hover(1000, true), /it did not run while they were recorded, or ran for less than one sampling interval/);
    for (const text of [hover(0, false), hover(1000, false), hover(1000, true)]) {
      assert.match(text, /\[Choose which samples the source shows…\]\(command:icicle\.chooseCostSelection\)$/);
    }
  });

  it('says nothing on a line that is not a function name', () => {
    assert.equal(hoverAt(5, undefined, [fn], context(1000)), null);
  });
});

describe('costs of memory in the source', () => {
  const fn = { name: 'parse', line: 1, nameLine: 0, startLine: 0, endLine: 1, self: 12 * 1024 * 1024, total: 48 * 1024 * 1024, selfSamples: 24, totalSamples: 96, stale: false };
  const context = (profileType: string | undefined) => ({ total: 96 * 1024 * 1024, unit: 'bytes' as const, description: 'latest run', runs: 1, selector: '{}', ...(profileType ? { profileType } : {}) });

  it('says a function allocates its bytes, in the hover and the lens', () => {
    const allocated = context('memory:alloc_space:bytes:space:bytes');
    assert.match(hoverMarkdown(fn, '/x.js', allocated), /^Allocates \*\*12 MiB\*\* itself \(12\.5%, 24 samples\) · \*\*48 MiB\*\* with its callees \(50\.0%, 96 samples\)$/m);
    assert.equal(lensTitle(fn, allocated), 'allocates 12 MiB (12.5% self · 50.0% total)');
    assert.match(hoverMarkdown(fn, '/x.js', context('memory:inuse_space:bytes:space:bytes')), /^Holds \*\*12 MiB\*\* itself/m);
    // Other types keep the shares first.
    assert.equal(lensTitle(fn, context(undefined)), '50.0% total · 12.5% self (12 MiB)');
  });

  it('says why a function has no allocation samples without claiming it did not run', () => {
    const allocated = context('memory:alloc_space:bytes:space:bytes');
    assert.match(noSamplesMarkdown('f', allocated, 'functionNotSampled'), /it allocated less than one sampling interval of memory \(or none\)/);
    assert.match(noSamplesMarkdown('f', allocated, 'fileNotProfiled'), /no code of this file allocated sampled memory while/);
    assert.match(noSamplesMarkdown('f', context(undefined), 'functionNotSampled'), /it did not run while they were recorded/);
  });
});
