import * as assert from 'node:assert/strict';
import { ExportSelectionRequest } from './protocol/agentProtocol';
import { EXPORT_FORMAT_IDS, EXPORT_FORMATS, isExportFormat } from './exportFormats';

/** The export formats are declared once: the agent's request accepts exactly the declared ones. */
describe('export formats', () => {
  it('the agent protocol accepts every declared format and nothing else', () => {
    assert.deepEqual(EXPORT_FORMAT_IDS, ['pprof', 'collapsed', 'otlp']);
    for (const format of EXPORT_FORMAT_IDS) {
      assert.ok(ExportSelectionRequest.paramsSchema.safeParse({ selector: '{}', format, path: '/tmp/x' }).success, format);
      assert.ok(isExportFormat(format));
      assert.ok(!EXPORT_FORMATS[format].extension.startsWith('.'), 'extensions without the dot, as the save dialog adds it');
    }
    assert.ok(!ExportSelectionRequest.paramsSchema.safeParse({ selector: '{}', format: 'svg', path: '/tmp/x' }).success);
    assert.ok(!isExportFormat('toString'), 'only own keys are formats');
  });
});
