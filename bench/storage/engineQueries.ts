import type { ScanSource } from '../../storage/query/scanSource';
import { COLUMN, labelColumn } from '../../storage/schema';
import type { MergeResult } from './mergeResult';

/**
 * The merge-stacks query through storage/query's engine (logical plan → optimiser → operators), when that
 * engine is present and loads. It is being written concurrently, so it is imported lazily: a failure to load
 * or run is reported as "unavailable" by the benchmark instead of aborting it.
 */
export type EngineMerge = (source: ScanSource, labelKey: string, labelValue: string) => Promise<MergeResult>;

export async function loadEngineMerge(): Promise<EngineMerge | string> {
  try {
    const [{ PlanBuilder, sum }, { eq }, { executePlan }] = await Promise.all([
      import('../../storage/query/logicalPlan'),
      import('../../storage/query/expression'),
      import('../../storage/query/execute'),
    ]);
    return async (source, labelKey, labelValue) => {
      const plan = PlanBuilder.scan([COLUMN.stackId, COLUMN.value, labelColumn(labelKey)])
        .filter(eq(labelColumn(labelKey), labelValue))
        .aggregate([COLUMN.stackId], [sum(COLUMN.value)])
        .build();
      const { table } = await executePlan(plan, source);
      // The engine returns an Arrow table; copying its two columns out is what a caller would do with it.
      const ids = table.getChild(COLUMN.stackId)!.toArray() as ArrayLike<number>;
      const sums = table.getChild(COLUMN.value)!.toArray() as ArrayLike<number>;
      return { stackIds: Uint32Array.from(ids), sums: Float64Array.from(sums) };
    };
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
