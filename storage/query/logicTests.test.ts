import { join } from 'node:path';
import { COLUMN, labelColumn } from '../schema';
import { describeLogicScripts, planDirectives, plainOrQuoted, quote, selections, stackText, Words } from '../../test/support/logicScripts';
import { executePlan, numbers, scan, selectionPredicate, strings, sum, count } from '.';

/**
 * The engine's logic tests (format: test/support/logicScripts.ts): plans, their optimised form and counters, and a
 * selection's matchers, profile type and time range applied as a filter. Besides `plan`, `explain` and `analyze`:
 *
 *   select SEL            the rows SEL keeps, summed per stack: STACK VALUE ROWS, sorted by stack text
 *   values KEY [SEL]      the distinct non-null values of label KEY among the rows SEL keeps, sorted
 *
 * Icicle's own queries have their scripts in agent/queries/testdata.
 */
describeLogicScripts('query engine logic tests', join(__dirname, 'testdata'), {
  ...planDirectives,
  select: async (source, rest) => {
    const plan = scan()
      .where(selectionPredicate(selections(rest)[0]!))
      .aggregate([COLUMN.stackId], [sum(COLUMN.value, 'value'), count('rows')])
      .build();
    const { table } = await executePlan(plan, source);
    const values = numbers(table, 'value');
    const rows = numbers(table, 'rows');
    return Array.from(numbers(table, COLUMN.stackId), (id, k) => `${plainOrQuoted(stackText(source, id))} ${values[k]} ${rows[k]}`).sort();
  },
  values: async (source, rest) => {
    const words = new Words('values', rest);
    const column = labelColumn(words.next());
    const selection = words.rest === '' ? undefined : selections(words.rest)[0];
    const plan = scan()
      .where(selection === undefined ? undefined : selectionPredicate(selection))
      .distinct(column)
      .build();
    const { table } = await executePlan(plan, source);
    return strings(table, column)
      .filter((v): v is string => v !== null)
      .map(quote);
  },
}, 6);
