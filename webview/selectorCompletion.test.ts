/// <reference types="mocha" />
import { parseSelector } from '../common/selector';
import { applyCompletion, completionContext, filterCompletions } from './selectorCompletion';
import { assertEqual } from '../test/support/webviewAssertions';

/** Text with `|` at the cursor → the context there, written short: `key:prefix`, `value:key:prefix` or `none`. */
const contexts: [string, string][] = [
  ['|', 'key:'],
  ['{|', 'key:'],
  ['{bra|', 'key:bra'],
  ['{bra|nch="main"}', 'key:bra'],
  ['{branch="main", |', 'key:'],
  ['{branch="main",run|', 'key:run'],
  ['branch=|', 'value:branch:'],
  ['{branch="|', 'value:branch:'],
  ['{branch="ma|', 'value:branch:ma'],
  ['{branch != "ma|"}', 'value:branch:ma'],
  ['{command=~"node .*|', 'value:command:node .*'],
  ['{path="a,b|', 'value:path:a,b'],
  ['{name="say \\"hi|', 'value:name:say "hi'],
  ['{branch="main"|', 'none'],
  ['{branch="main" |', 'none'],
  ['{1abc|', 'none'],
];

describe('selector completion', () => {
  for (const [marked, expected] of contexts) {
    it(`finds ${expected} in ${marked}`, () => {
      const cursor = marked.indexOf('|');
      const context = completionContext(marked.replace('|', ''), cursor);
      const short = context.kind === 'none' ? 'none' : context.kind === 'key' ? `key:${context.prefix}` : `value:${context.key}:${context.prefix}`;
      assertEqual(short, expected, 'context');
    });
  }

  /** Text with `|` at the cursor, the item chosen → the text after, `|` at the new cursor. */
  const applications: [string, string, string][] = [
    ['{bra|', 'branch', '{branch="|'],
    ['{bra|nch="x"}', 'branch', '{branch|="x"}'],
    ['{branch="ma|', 'main', '{branch="main"|'],
    ['{branch="ma|in", runtime="node"}', 'master', '{branch="master"|, runtime="node"}'],
    ['{name="|', 'a "quoted" \\ value', '{name="a \\"quoted\\" \\\\ value"|'],
    ['runtime=|', 'node', 'runtime="node"|'],
  ];
  for (const [marked, item, expected] of applications) {
    it(`completes ${marked} with ${item}`, () => {
      const text = marked.replace('|', '');
      const context = completionContext(text, marked.indexOf('|'));
      if (context.kind === 'none') throw new Error('no completion context');
      const applied = applyCompletion(text, context, item);
      assertEqual(applied.text.slice(0, applied.cursor) + '|' + applied.text.slice(applied.cursor), expected, 'completed text');
    });
  }

  it('writes values the selector parser reads back exactly, whatever they hold', () => {
    for (const value of ['plain', 'with "quotes"', 'back\\slash', 'new\nline', 'tab\there', '{braces, commas}', '']) {
      const text = '{key="';
      const context = completionContext(text, text.length);
      if (context.kind === 'none') throw new Error('no completion context');
      const applied = applyCompletion(text, context, value);
      assertEqual(parseSelector(`${applied.text}}`), [{ key: 'key', op: '=', value }], `round trip of ${JSON.stringify(value)}`);
    }
  });

  it('lists items that start with the prefix before those that contain it', () => {
    assertEqual(filterCompletions(['main', 'feature/domain', 'Maintenance', 'dev'], 'mai'), ['main', 'Maintenance', 'feature/domain'], 'mai');
    assertEqual(filterCompletions(['a', 'b'], ''), ['a', 'b'], 'no prefix');
    assertEqual(filterCompletions(['x1', 'x2', 'x3'], 'x', 2), ['x1', 'x2'], 'limit');
  });
});
