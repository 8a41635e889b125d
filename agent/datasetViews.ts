import { basename } from 'node:path';
import type { LabelBreakdownQuery, LabelBreakdownResult } from '../common/labelBreakdown';
import type { SourceCostsRequest } from '../common/protocol/agentProtocol';
import type { ViewQuery, ViewResult } from '../common/viewQuery';
import type { DatasetSources } from './dataset/datasetSources';
import { log } from './log';
import { labelBreakdownOf } from './queries/labels/labelBreakdown';
import { parseMatchers } from './queries/parseMatchers';
import { sourceCostsOf } from './queries/source/sourceCostQueries';
import { queryViewOfSource } from './queries/view/viewQueries';

/**
 * A flame graph (and its By Label tab) of a selection read from a dataset of `icicle.sources`, instead of the store.
 *
 * It runs on the agent's thread, not in the view query worker: the worker answers from a store snapshot it takes
 * itself, while a dataset's selection is already in the agent's memory (DatasetSources keeps the reads, decoded by the
 * Parquet worker). Handing it to the view worker would copy every batch and the interned frames across threads at
 * each query, or have the worker decode the dataset again beside the agent's kept reads. Every step is sliced
 * instead: the read's conversion gives the event loop back every 4 ms (readSelection.ts), and so do the queries
 * (runSliced), so the agent keeps answering hovers and pings while it builds the tree.
 *
 * The read is the selector's whole selection (every type and time): another type, time range or zoom of the same
 * view is then answered from the kept read, without decoding the files again.
 */
export async function queryDatasetView(sources: DatasetSources, folder: string, query: ViewQuery, minShare?: number): Promise<ViewResult> {
  const started = performance.now();
  const source = await sources.read(folder, { matchers: parseMatchers(query.selector) });
  const result = await queryViewOfSource(source, query, minShare);
  log('debug', `view of ${result.query.selector} from the dataset ${folder}: ${result.summary.sampleCount} samples in ${(performance.now() - started).toFixed(0)} ms`);
  return { ...result, query: { ...result.query, source: folder } };
}

/** The By Label tab of a dataset's selection, from the same kept read as its view. */
export async function datasetLabelBreakdown(sources: DatasetSources, folder: string, query: LabelBreakdownQuery): Promise<LabelBreakdownResult> {
  const source = await sources.read(folder, { matchers: parseMatchers(query.selector) });
  return labelBreakdownOf(source, query);
}

/**
 * The source's costs (hovers, lenses, line heat) of a dataset's selection: CI's runs of main in the editor. The same
 * kept read as a view of that selector; the description says whose samples they are.
 */
export async function datasetSourceCosts(sources: DatasetSources, folder: string, params: SourceCostsRequest.Params): Promise<SourceCostsRequest.Result> {
  const source = await sources.read(folder, { matchers: parseMatchers(params.selection.selector) });
  return sourceCostsOf(source, params, Date.now(), ` from the dataset ${basename(folder)}`);
}
