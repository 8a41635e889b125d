import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { SelectorSyntaxError, compileLabelRegex, formatSelector, parseSelector, type LabelMatcher } from './selector';

function syntaxError(text: string): SelectorSyntaxError {
  try {
    parseSelector(text);
  } catch (error) {
    assert.ok(error instanceof SelectorSyntaxError, `expected a SelectorSyntaxError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${JSON.stringify(text)} to be refused`);
}

describe('selector parser', () => {
  it('parses the four operators, with or without braces and spaces', () => {
    const expected: LabelMatcher[] = [
      { key: 'branch', op: '=', value: 'main' },
      { key: 'runtime', op: '=~', value: 'node.*' },
      { key: 'pid', op: '!=', value: '3' },
      { key: 'host', op: '!~', value: 'ci-.*' },
    ];
    assert.deepEqual(parseSelector('{branch="main", runtime=~"node.*", pid!="3", host!~"ci-.*"}'), expected);
    assert.deepEqual(parseSelector('branch="main",runtime=~"node.*",pid!="3",host!~"ci-.*"'), expected);
    assert.deepEqual(parseSelector('  { branch = "main" ,\truntime =~ "node.*" , pid != "3", host !~ "ci-.*" , }  '), expected);
  });

  it('reads an empty selector as no matchers', () => {
    assert.deepEqual(parseSelector(''), []);
    assert.deepEqual(parseSelector('{}'), []);
    assert.deepEqual(parseSelector(' { } '), []);
  });

  it('unescapes \\" \\\\ \\n \\t and keeps unicode as is', () => {
    assert.deepEqual(parseSelector('{a="say \\"hi\\"", b="C:\\\\x", c="1\\n2\\t3", d="🔥火"}'), [
      { key: 'a', op: '=', value: 'say "hi"' },
      { key: 'b', op: '=', value: 'C:\\x' },
      { key: 'c', op: '=', value: '1\n2\t3' },
      { key: 'd', op: '=', value: '🔥火' },
    ]);
  });

  it('reports malformed input with its 1-based position', () => {
    const cases: [string, string, number][] = [
      ['{branch="main"', 'expected "}" to close the selector', 15],
      ['{="x"}', 'expected a label name, found "="', 2],
      ['{1a="x"}', 'expected a label name, found "1"', 2],
      ['{a=="x"}', 'expected a double-quoted value', 4],
      ['{a~"x"}', 'expected one of = != =~ !~, found "~"', 3],
      ['{a="x" b="y"}', 'expected "," or "}" after a matcher', 8],
      ['{a="x', 'unterminated string (opened here)', 4],
      ['{a="\\q"}', 'unknown escape \\q', 5],
      ["{a='x'}", 'expected a double-quoted value', 4],
      ['{a="x"} trailing', 'unexpected text after the selector', 9],
      ['a="x" b', 'expected "," after a matcher', 7],
      ['{a="line\nbreak"}', 'line break inside a string (write \\n)', 9],
    ];
    for (const [text, reason, position] of cases) {
      const error = syntaxError(text);
      assert.equal(error.reason, reason, text);
      assert.equal(error.position + 1, position, `${text}: ${error.message}`);
      assert.equal(error.message, `${reason} at position ${position}`);
    }
  });

  it('refuses invalid regular expressions, pointing at the value', () => {
    const error = syntaxError('{a="ok", b=~"(unclosed"}');
    assert.match(error.message, /^invalid regular expression "\(unclosed": .+ at position 13$/);
    assert.doesNotMatch(error.message, /\^\(\?:/, 'the anchoring wrapper is not shown to users');
    assert.deepEqual(parseSelector('{b="(unclosed"}'), [{ key: 'b', op: '=', value: '(unclosed' }], 'equality values are not regexes');
  });

  it('anchors regexes at both ends and lets . match newlines', () => {
    const re = compileLabelRegex('node.*');
    assert.ok(re.test('node20'));
    assert.ok(!re.test('xnode'));
    assert.ok(compileLabelRegex('a|b').test('b'), 'alternation stays inside the anchors');
    assert.ok(!compileLabelRegex('a|b').test('ab'));
    assert.ok(compileLabelRegex('a.b').test('a\nb'));
  });

  it('round-trips: formatSelector then parseSelector gives the same matchers', () => {
    const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
    const value = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '"', '\\', '\n', '\t', '{', '}', ',', '=', '~', 'é', '🔥', '.') , maxLength: 12 });
    const matcher = fc.record({ key, op: fc.constantFrom('=' as const, '!=' as const), value });
    fc.assert(
      fc.property(fc.array(matcher, { maxLength: 5 }), matchers => {
        assert.deepEqual(parseSelector(formatSelector(matchers)), matchers.map(m => ({ ...m })));
      }),
    );
    const regexMatchers: LabelMatcher[] = [{ key: 'r', op: '=~', value: 'a\\.b|"q"' }, { key: 's', op: '!~', value: '\\\\' }];
    assert.deepEqual(parseSelector(formatSelector(regexMatchers)), regexMatchers);
    assert.equal(formatSelector([{ key: 'a', op: '=', value: 'x"y\n' }]), '{a="x\\"y\\n"}');
  });
});
