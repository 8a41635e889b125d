import * as assert from 'node:assert/strict';
import { answer, capped, citation, failure, MAX_STRING_CHARS, quoted } from './toolAnswer';
import { UsageError } from '../cliErrors';

describe('MCP answers: untrusted strings and budgets', () => {
  it('cuts a string from a profile to the limit, never between the halves of a surrogate pair', () => {
    assert.equal(capped('parse'), 'parse');
    assert.equal(capped('x'.repeat(MAX_STRING_CHARS)), 'x'.repeat(MAX_STRING_CHARS));
    assert.equal(capped('x'.repeat(MAX_STRING_CHARS + 1)), `${'x'.repeat(MAX_STRING_CHARS)}…`);
    // An emoji whose first half is the limit's last character is left out whole.
    const split = `${'x'.repeat(MAX_STRING_CHARS - 1)}🔥tail`;
    assert.equal(capped(split), `${'x'.repeat(MAX_STRING_CHARS - 1)}…`);
    assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(capped(split)), 'no lone high surrogate');
  });

  it('quotes a string as JSON with control, format and line-separator characters escaped, so it stays one line of data', () => {
    const cases: [string, string][] = [
      ['plain', '"plain"'],
      ['a"b\\c', '"a\\"b\\\\c"'],
      ['line\nnext\r', '"line\\nnext\\r"'],
      ['rtl\u202Eevil', '"rtl\\u202Eevil"'],
      ['zero\u200Bwidth\uFEFF', '"zero\\u200Bwidth\\uFEFF"'],
      ['sep\u2028para\u2029', '"sep\\u2028para\\u2029"'],
      ['esc\u001b[2J', '"esc\\u001b[2J"'],
      ['解析🔥', '"解析🔥"'],
    ];
    for (const [text, expected] of cases) {
      assert.equal(quoted(text), expected, JSON.stringify(text));
      assert.equal(JSON.parse(quoted(text)), text, 'the quoted form reads back as the string itself');
    }
  });

  it('cites file:line, or the file alone when the line is unknown', () => {
    assert.equal(citation('/app/a.js', 12), '/app/a.js:12');
    assert.equal(citation('/app/a.js', 0), '/app/a.js');
  });

  it('leaves rows off the end of the longest list until the JSON fits, and says how many', () => {
    const data = { title: 'x', rows: Array.from({ length: 50 }, (_, i) => ({ i, name: `row ${i}` })), few: [1, 2, 3] };
    const result = answer(data, ['rows', 'few'], { limit: 50, maxChars: 600 }, d => [`${d.rows.length} rows`]);
    const fitted = result.structuredContent as { rows: { i: number }[]; few: number[]; omitted: { rows?: number; few?: number } };
    assert.ok(JSON.stringify(fitted).length <= 600);
    // One row fewer left off was over the budget: no more rows than needed were left off.
    assert.ok(JSON.stringify({ ...fitted, rows: [...fitted.rows, data.rows[fitted.rows.length]], omitted: { rows: fitted.omitted.rows! - 1 } }).length > 600);
    assert.deepEqual(fitted.rows.map(r => r.i), Array.from({ length: fitted.rows.length }, (_, i) => i), 'the first rows are kept');
    assert.equal(fitted.rows.length + fitted.omitted.rows!, 50);
    assert.deepEqual(fitted.few, [1, 2, 3]);
    assert.equal(data.rows.length, 50, 'the data given is not changed');
    const text = (result.content[0] as { text: string }).text;
    assert.equal(text, `${fitted.rows.length} rows\n(${fitted.omitted.rows} rows left off to fit maxChars 600; ask again with a larger maxChars)`);
    const roomy = answer(data, ['rows'], { limit: 50, maxChars: 200_000 }, () => ['all']);
    assert.equal((roomy.structuredContent as { omitted?: unknown }).omitted, undefined);
  });

  it('turns a failure into an error result with one sentence', () => {
    const usage = failure(new UsageError('no samples of profile type x match'));
    assert.deepEqual(usage, { content: [{ type: 'text', text: 'No samples of profile type x match.' }], isError: true });
    const other = failure(new Error('/tmp/x is not an Icicle store (it has no manifest.json and no wal/)'));
    assert.equal(other.isError, true);
    assert.equal((other.content[0] as { text: string }).text, '/tmp/x is not an Icicle store (it has no manifest.json and no wal/)');
  });
});
