import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { assertGolden } from '../test/support/golden';
import { escapeMarkdown, hoverMarkdown, lensTitle, MAX_SHOWN_VALUE_CHARS, noSamplesMarkdown, splitMarkdown } from './costText';
import type { FunctionSplit } from './functionSplit';
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

describe('a function split across routes in its hover', () => {
  const testdata = join(__dirname, 'testdata');
  const context = { total: 20_000_000, unit: 'micros' as const, description: 'latest run', runs: 1, selector: '{}' };
  const fn = (split?: FunctionSplit) => ({ name: 'handle', line: 10, nameLine: 9, startLine: 9, endLine: 20, self: 1_000_000, total: 12_600_000, selfSamples: 1000, totalSamples: 12_600, stale: false, ...(split ? { split } : {}) });
  const routes = (values: (string | null)[], others = { values: 0, total: 0, samples: 0 }): FunctionSplit => {
    const totals = [9_300_000, 3_100_000, 200_000];
    return { key: 'http_route', parts: values.map((value, k) => ({ value, total: totals[k]!, samples: totals[k]! / 1000 })), others };
  };
  const hostile = {
    backticks: 'a`b``c```',
    link: '](javascript:alert(1))[x',
    html: '<img src=x onerror=alert(1)>',
    autolink: 'https://evil.example/x',
    newlines: '/a\n# heading\r\n---\n* item',
    bidi: '/\u202Eevil',
    huge: '/'.padEnd(10_240, 'x'),
    edgeTicks: '`/x`',
  };

  /**
   * The line with its code spans taken out as CommonMark reads them (a run of n backticks closes at the next run of
   * exactly n; one space stripped from each end when both have one): the spans' contents, and the text outside them.
   */
  function codeSpans(line: string): { spans: string[]; outside: string } {
    const spans: string[] = [];
    let outside = '';
    let i = 0;
    while (i < line.length) {
      if (line[i] !== '`' || (i > 0 && line[i - 1] === '\\')) {
        outside += line[i++];
        continue;
      }
      const open = /^`+/.exec(line.slice(i))![0].length;
      const close = new RegExp(`(?<!\`)\`{${open}}(?!\`)`, 'g');
      close.lastIndex = i + open;
      const end = close.exec(line);
      assert.ok(end, `an unclosed code span at ${i} in ${JSON.stringify(line)}`);
      let content = line.slice(i + open, end.index);
      if (content.length > 2 && content.startsWith(' ') && content.endsWith(' ')) content = content.slice(1, -1);
      spans.push(content);
      i = end.index + open;
    }
    return { spans, outside };
  }

  it('lists the largest routes with their time and share of the function, the rest as "N more" (golden)', () => {
    const cases: [string, FunctionSplit | undefined][] = [
      ['three routes and none', routes(['/heavy', '/light', null])],
      ['others summed', routes(['/heavy', '/light', '/users/:id'], { values: 4, total: 100_000, samples: 100 })],
      ['no split: unchanged', undefined],
      ...Object.entries(hostile).map(([name, value]): [string, FunctionSplit] => [`hostile ${name}`, routes([value, '/light'])]),
    ];
    const text = cases.map(([name, split]) => `## ${name}\n${hoverMarkdown(fn(split), '/app/server.js', context)}\n`).join('\n');
    assertGolden(join(testdata, 'route-split.hovers.txt'), text);
  });

  it('keeps hostile routes inside code spans: no link, HTML, heading or extra line survives, and long ones are cut', () => {
    for (const [name, value] of Object.entries(hostile)) {
      const text = hoverMarkdown(fn(routes([value, '/light'])), '/app/server.js', context);
      const line = text.split('\n').find(l => l.startsWith('By route: '));
      assert.ok(line, `${name}: the split is on one line of its own`);
      assert.equal(text.split('\n').length, hoverMarkdown(fn(routes(['/a', '/light'])), '/app/server.js', context).split('\n').length, `${name}: no line added`);
      const { spans, outside } = codeSpans(line);
      assert.equal(spans.length, 2, `${name}: two routes, two code spans, in ${line}`);
      const shown = [...value].slice(0, MAX_SHOWN_VALUE_CHARS).join('');
      const expected = [...value].length > MAX_SHOWN_VALUE_CHARS ? `${[...value].slice(0, MAX_SHOWN_VALUE_CHARS - 1).join('')}…` : shown;
      assert.equal(spans[0], expected.replace(/[\n\r\u202E]/g, ' '), `${name}: the route is shown as it is, bar control characters`);
      assert.doesNotMatch(outside, /[[\]<>`]|javascript|https?:/, `${name}: nothing outside the code spans is markup: ${outside}`);
      assert.ok(line.length < 300, `${name}: the line is short (${line.length})`);
    }
  });

  it('gives each part as a share of the function, not of the selection: 9.3 s of a 12.6 s function is 73.8%', () => {
    const split = routes(['/heavy', '/light', null], { values: 2, total: 0, samples: 0 });
    const line = splitMarkdown(split, 12_600_000, 'micros');
    assert.equal(line, 'By route: `/heavy` 9.3 s (73.8%) · `/light` 3.1 s (24.6%) · (no route) 200 ms (1.6%) · 2 more 0 µs (0.0%)');
  });
});
