import type { ProfileFormat } from '../../common/profileFormats';
import { chromeTraceReader } from './formats/chromeTrace/chromeTraceReader';
import { collapsedReader } from './formats/collapsed/collapsed';
import type { FormatReader } from './formats/formatReader';
import { heapProfileReader } from './formats/heapprofile/heapProfile';
import { otlpReader } from './formats/otlp/otlp';
import { perfScriptReader } from './formats/perf/perfScript';
import { pprofReader } from './formats/pprof/pprof';
import { speedscopeReader } from './formats/speedscope/speedscope';
import { cpuprofileReader } from './formats/v8/v8Reader';

/**
 * The agent's half of the format registry: how each format of common/profileFormats.ts is recognised and read (each
 * reader lives in its format's folder under formats/). A readable format without a reader here does not compile;
 * the refused ones have theirs in formats/unsupported/unsupportedFormats.ts.
 *
 * The order is detection's (detectFormat.ts): within each stage the first sniffer to claim a file reads it, so
 * OTLP profiles are tried before protobuf pprof, protobuf pprof before the text sniffers, and a V8 profile before the JSON formats that could contain one.
 */
export const FORMAT_READERS: Record<ProfileFormat, FormatReader> = {
  // Before pprof: pprof's sniff accepts OTLP's top-level fields (1 and 2, length-delimited); OTLP's does not accept pprof.
  otlp: otlpReader,
  pprof: pprofReader,
  collapsed: collapsedReader,
  cpuprofile: cpuprofileReader,
  speedscope: speedscopeReader,
  'chrome-trace': chromeTraceReader,
  'perf-script': perfScriptReader,
  heapprofile: heapProfileReader,
};
