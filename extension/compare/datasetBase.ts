import type { ToCompareView } from '../../common/protocol/compareViewProtocol';
import { datasetName } from './basePicker';

/** How the panel and the progress name a base read from a dataset: what it selects, and from which folder. */
export function datasetBaseText(base: string, folder: string): string {
  return `${base} from the dataset ${folder}`;
}

/**
 * The one sentence a comparison against a dataset carries: its runs were most likely recorded on another machine
 * (CI's), and the statistics compare runs, so a machine that is faster or slower moves every function alike. Said in
 * the panel's method line (the page shows it after "Significance:"), where the reader weighs a verdict.
 */
export function otherMachineCaution(folder: string): string {
  return `the base's runs come from the dataset ${datasetName(folder)} and were probably recorded on another machine: the statistics compare runs, so a faster or slower machine shifts every function, and a change of them all alike may be the machine's, not the code's`;
}

/** A comparison with the caution of a dataset base added to its method. */
export function withDatasetCaution(comparison: Extract<ToCompareView, { type: 'comparison' }>, folder: string): Extract<ToCompareView, { type: 'comparison' }> {
  return { ...comparison, method: `${comparison.method}. Note: ${otherMachineCaution(folder)}` };
}
