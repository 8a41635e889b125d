import { stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { ScanSource, Selection } from '../../storage/query';
import { DATASET_MARKER } from './datasetLayout';
import { datasetLabels, datasetLabelValues, type DatasetLabel } from './datasetLabelValues';
import { DatasetError, openDataset, type Dataset } from './openDataset';
import { readDatasetSelection } from './readSelection';

/** Selections kept read: a compare panel goes back and forth between a few bases and types, not more. */
const KEPT_READS = 4;

interface Kept<T> {
  /** The dataset's files and their modification times when it was read: another export makes it stale. */
  stamp: string;
  value: Promise<T>;
}

/**
 * The read-only datasets beside the store (the `icicle.sources` setting): which folders they are, and what was read
 * from them. A selection read from a dataset is kept, per folder and selection, while none of the dataset's files
 * changed (their names and modification times, listed again on every use: cheap beside reading rows), so that asking
 * for another profile type or again after a restart of the panel does not decode the files again. Datasets are only
 * ever read.
 */
export class DatasetSources {
  private folders: readonly string[] = [];
  private readonly reads = new Map<string, Kept<ScanSource>>();
  private readonly labels = new Map<string, Kept<string[]>>();
  private readonly allLabels = new Map<string, Kept<DatasetLabel[]>>();

  /** Replaces the configured folders; reads of folders no longer listed are dropped. */
  set(folders: readonly string[]): void {
    this.folders = [...new Set(folders)];
    for (const cache of [this.reads, this.labels, this.allLabels] as Map<string, unknown>[]) {
      for (const key of cache.keys()) if (!this.folders.includes(JSON.parse(key)[0] as string)) cache.delete(key);
    }
  }

  list(): readonly string[] {
    return this.folders;
  }

  /** A selection of a configured dataset as a ScanSource; a DatasetError when the dataset cannot be read. */
  async read(folder: string, selection: Selection): Promise<ScanSource> {
    return this.kept(this.reads, folder, JSON.stringify(selection), dataset => readDatasetSelection(dataset, selection).then(read => read.source));
  }

  /** One label's values in a configured dataset, sorted. */
  async labelValues(folder: string, key: string): Promise<string[]> {
    return this.kept(this.labels, folder, key, dataset => datasetLabelValues(dataset, key));
  }

  /** Every label key of a configured dataset's samples with its values, by key (datasetLabels). */
  async labelsOf(folder: string): Promise<DatasetLabel[]> {
    return this.kept(this.allLabels, folder, '', datasetLabels);
  }

  private async kept<T>(cache: Map<string, Kept<T>>, folder: string, what: string, read: (dataset: Dataset) => Promise<T>): Promise<T> {
    if (!this.folders.includes(folder)) throw new DatasetError(`${folder} is not one of the datasets of icicle.sources.`);
    if (!isAbsolute(folder)) throw new DatasetError(`${folder} is not an absolute path; icicle.sources names dataset folders.`);
    const dataset = await openDataset(folder);
    const stamp = await stampOf(dataset);
    const key = JSON.stringify([folder, what]);
    const hit = cache.get(key);
    if (hit && hit.stamp === stamp) {
      // Most recently used last: the first key is the one dropped.
      cache.delete(key);
      cache.set(key, hit);
      return hit.value;
    }
    const value = read(dataset);
    cache.set(key, { stamp, value });
    // A failed read is not kept: the next use tries again (the dataset may be being copied).
    value.catch(() => {
      if (cache.get(key)?.value === value) cache.delete(key);
    });
    while (cache.size > KEPT_READS) cache.delete(cache.keys().next().value!);
    return value;
  }
}

/** The dataset's files with their sizes and modification times, as one string. */
async function stampOf(dataset: Dataset): Promise<string> {
  const files = [join(dataset.dir, ...DATASET_MARKER), ...dataset.samples.map(f => f.path), ...dataset.stacks, ...dataset.frames];
  const parts = await Promise.all(
    files.map(async file => {
      const info = await stat(file).catch(() => undefined);
      return `${file}\0${info?.size ?? -1}\0${info?.mtimeMs ?? -1}`;
    }),
  );
  return parts.join('\n');
}
