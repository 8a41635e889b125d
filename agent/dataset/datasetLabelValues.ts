import type { Data } from 'apache-arrow';
import { isInternalLabel, isLabelColumn, labelColumn, LABEL_KEY_PATTERN, LABEL_PREFIX } from '../../storage/schema';
import { stringReader } from './datasetColumns';
import { damaged, inDataset, type Dataset } from './openDataset';
import { openParquetFile } from './parquetFile';

/** One label key of a dataset and the values it takes, sorted. */
export interface DatasetLabel {
  key: string;
  values: string[];
}

/**
 * The values one label takes in a dataset's samples, sorted, read from the samples files' label column alone (a
 * file without the column has none; an empty value is no value, as in the store). Decoding runs in the Parquet
 * worker; only the distinct strings reach this thread's set.
 */
export async function datasetLabelValues(dataset: Dataset, key: string): Promise<string[]> {
  return (await readLabels(dataset, columns => columns.filter(c => c === labelColumn(key))))[0]?.values ?? [];
}

/**
 * Every label of a dataset's samples (its label keys from the samples files' `labels.*` columns, the store's own
 * `__` bookkeeping left out) with the values each takes, by key: what a picker offers as a base besides `branch`.
 * The label columns of each file are read in one pass; a key with no value anywhere is left out.
 */
export async function datasetLabels(dataset: Dataset): Promise<DatasetLabel[]> {
  return readLabels(dataset, columns => columns.filter(c => isLabelColumn(c) && LABEL_KEY_PATTERN.test(c.slice(LABEL_PREFIX.length)) && !isInternalLabel(c.slice(LABEL_PREFIX.length))));
}

async function readLabels(dataset: Dataset, wanted: (columns: readonly string[]) => string[]): Promise<DatasetLabel[]> {
  const byColumn = new Map<string, Set<string>>();
  for (const file of dataset.samples) {
    const reader = await openParquetFile(dataset.dir, file.path);
    const columns = wanted(reader.columns);
    if (columns.length === 0) continue;
    const table = await reader.read(columns);
    for (const batch of table.batches) {
      for (const column of columns) {
        const child = batch.getChild(column);
        if (!child) continue;
        let values = byColumn.get(column);
        if (!values) byColumn.set(column, (values = new Set()));
        for (const data of child.data) addValues(data, values, () => damaged(dataset.dir, `the ${column} column of ${inDataset(dataset.dir, file.path)} is of type ${String(data.type)}, not text`));
      }
    }
  }
  return [...byColumn]
    .filter(([, values]) => values.size > 0)
    .map(([column, values]) => ({ key: column.slice(LABEL_PREFIX.length), values: [...values].sort() }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Adds a text column's non-empty values to `into`; a column of another type is damage to the dataset. */
function addValues(data: Data, into: Set<string>, notText: () => Error): void {
  const read = stringReader(data);
  if (read === undefined) throw notText();
  for (let i = 0; i < data.length; i++) {
    const value = read(i);
    if (value) into.add(value);
  }
}
