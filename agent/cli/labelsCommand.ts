import { labelKeys, labelValues } from '../queries/labels/labelQueries';
import { StoreReader } from '../../storage/storeReader';
import { safe } from './terminalText';

/** `icicle labels [KEY]`: the label keys in the store, or the values of one key. */
export async function labelsCommand(options: { store: string; key: string | undefined; json: boolean }, out: (line: string) => void): Promise<number> {
  const values = await StoreReader.read(options.store, async reader => {
    const source = reader.snapshot();
    return options.key === undefined ? labelKeys(source) : labelValues(source, options.key);
  });
  if (options.json) out(JSON.stringify(values));
  else for (const value of values) out(safe(value));
  return 0;
}
