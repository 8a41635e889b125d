import * as assert from 'node:assert/strict';
import { ExportSelectionRequest } from './protocol/agentProtocol';
import { EXPORT_FORMAT_IDS, EXPORT_FORMATS, FILE_EXPORT_FORMAT_IDS, isExportFormat, isFileExportFormat } from './exportFormats';

/** The export formats are declared once: the agent's request accepts exactly the declared formats that write a file. */
describe('export formats', () => {
  it('the agent protocol accepts every declared file format and nothing else', () => {
    assert.deepEqual(EXPORT_FORMAT_IDS, ['pprof', 'collapsed', 'otlp', 'parquet']);
    assert.deepEqual(FILE_EXPORT_FORMAT_IDS, ['pprof', 'collapsed', 'otlp']);
    for (const format of FILE_EXPORT_FORMAT_IDS) {
      assert.ok(ExportSelectionRequest.paramsSchema.safeParse({ selector: '{}', format, path: '/tmp/x' }).success, format);
      assert.ok(isExportFormat(format) && isFileExportFormat(format));
      assert.ok(!EXPORT_FORMATS[format].extension.startsWith('.'), 'extensions without the dot, as the save dialog adds it');
    }
    assert.ok(!isFileExportFormat('parquet'), 'the Parquet dataset is a folder');
    assert.ok(!ExportSelectionRequest.paramsSchema.safeParse({ selector: '{}', format: 'parquet', path: '/tmp/x' }).success, 'the save dialog saves one file');
    assert.ok(!ExportSelectionRequest.paramsSchema.safeParse({ selector: '{}', format: 'svg', path: '/tmp/x' }).success);
    assert.ok(!isExportFormat('toString'), 'only own keys are formats');
  });
});
