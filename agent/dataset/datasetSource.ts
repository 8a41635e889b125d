import type { Data, RecordBatch } from 'apache-arrow';
import type { MetadataStore } from '../../storage/metadata/metadataStore';
import { makeBatch } from '../../storage/query/arrowBuild';
import type { ScanRequest, ScanSource } from '../../storage/query';
import { STATIC_COLUMNS } from '../../storage/schema';

/**
 * A selection read from a dataset, held in memory as the store's read view would give it: record batches in the
 * in-memory types of storage/schema.ts, and their frames and stacks interned into a MetadataStore of their own. Every
 * query of agent/queries runs on it unchanged; functions meet the store's by identity (name, file, definition),
 * never by the ids, which are the dataset's.
 */
export class DatasetSource implements ScanSource {
  constructor(
    readonly metadata: MetadataStore,
    private readonly batches: readonly RecordBatch[],
  ) {}

  get rows(): number {
    return this.batches.reduce((sum, b) => sum + b.numRows, 0);
  }

  columnNames(): string[] {
    const names = new Set<string>(STATIC_COLUMNS);
    for (const batch of this.batches) for (const field of batch.schema.fields) names.add(field.name);
    return [...names].sort();
  }

  async *scan(request: ScanRequest): AsyncIterable<RecordBatch> {
    // The rows are the selection's already, read from files its partitions and columns could match; block statistics
    // would prune nothing more, so `mayMatch` is not asked.
    for (const batch of this.batches) {
      const names: string[] = [];
      const children: Data[] = [];
      for (const name of request.columns) {
        const index = batch.schema.fields.findIndex(f => f.name === name);
        if (index < 0) continue;
        names.push(name);
        children.push(batch.data.children[index] as Data);
      }
      yield makeBatch(names, children, batch.numRows);
    }
  }
}
