import type { FormatReader } from '../formatReader';
import { looksLikeChromeTrace, parseChromeTrace } from './chromeTrace';
import { chromeTraceChunks, startsAsChromeTrace } from './chromeTraceStream';

/**
 * Chrome traces in the format registry (agent/import/formatReaders.ts): JSON with trace events; a trace that does not
 * parse is still claimed when it looks like one, so that parseTraceJson can close an unterminated array or say where
 * it breaks. A big trace is read as a stream (chromeTraceStream.ts).
 */
export const chromeTraceReader: FormatReader = {
  sniff: {
    json: json => (looksLikeChromeTrace(json) ? 'sure' : false),
    brokenJson: text => (text.trimStart().startsWith('[') || /"traceEvents"/.test(text.slice(0, 4096)) ? 'sure' : false),
  },
  parse: (file, displayName, notes) => parseChromeTrace(file.json ? { json: file.json.value } : file.text, displayName, { notes }),
  chunks: { starts: startsAsChromeTrace, parser: (displayName, _fileBytes, notes) => chromeTraceChunks(displayName, notes) },
};
