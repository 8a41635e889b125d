/**
 * The product's queries over a snapshot, one module each; this file gathers them so that the agent imports
 * one place. Every query takes a Selection (profile type, label matchers, time range) and runs through the
 * engine (logical plan → optimizer → vectorised operators), then shapes the small result for its view.
 */
export { mergeStacks, type MergedStacks } from './mergeStacks';
export { buildCallTree, callTreeForSelection, type FrameClassifier } from './callTreeQuery';
export {
  functionCosts,
  functionCostsOf,
  lineCosts,
  lineCostsOf,
  type FunctionCost,
  type LineCost,
} from './functionCosts';
export { labelKeys, labelValues } from './labelQueries';
export { firstLabelValues, type LabelValuePage, type LabelValuesOptions } from './firstLabelValues';
export { recordedRuns, RUN_LABELS, type RecordedRun } from './recordedRuns';
export { timeSeries, type TimeSeries } from './timeSeries';
export { profileTypes, timeSpan } from './profileTypes';
export { labelValuesByRecency } from './latestGroup';
export { runFunctionCosts, type RunCosts } from './runFunctionCosts';
export { functionPositions } from './functionPositions';
export { sourceCosts, sourceCostsOf, type FileCosts, type SourceCosts, type SourceFunctionCost, type SourceLineCost } from './sourceCosts';
export { everything, selectionPredicate, type Selection } from './selection';
