import { labelColumn } from '../../storage/schema';
import { stringReader } from './datasetColumns';
import { damaged, inDataset, type Dataset } from './openDataset';
import { openParquetFile } from './parquetFile';

/**
 * The values one label takes in a dataset's samples, sorted, read from the samples files' label column alone (a
 * file without the column has none; an empty value is no value, as in the store). Decoding runs in the Parquet
 * worker; only the distinct strings reach this thread's set.
 */
export async function datasetLabelValues(dataset: Dataset, key: string): Promise<string[]> {
  const column = labelColumn(key);
  const values = new Set<string>();
  for (const file of dataset.samples) {
    const reader = await openParquetFile(dataset.dir, file.path);
    if (!reader.columns.includes(column)) continue;
    const table = await reader.read([column]);
    for (const batch of table.batches) {
      const data = batch.getChild(column)!.data[0]!;
      const read = stringReader(data);
      if (read === undefined) throw damaged(dataset.dir, `the ${column} column of ${inDataset(dataset.dir, file.path)} is of type ${String(data.type)}, not text`);
      for (let i = 0; i < data.length; i++) {
        const value = read(i);
        if (value) values.add(value);
      }
    }
  }
  return [...values].sort();
}
