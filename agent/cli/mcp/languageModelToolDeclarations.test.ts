import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LANGUAGE_MODEL_TOOL_PREFIX } from '../../../common/languageModelTools';
import { languageModelToolDeclarations } from './languageModelToolDeclarations';

/** package.json's declarations of the tools the extension offers itself in Restricted Mode. */
function declaredInManifest(): { name: string; when?: string; inputSchema: { properties: Record<string, unknown> } }[] {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { contributes: { languageModelTools?: [] } };
  return manifest.contributes.languageModelTools ?? [];
}

describe('package.json languageModelTools: derived from the MCP server’s read-only tools', () => {
  it('equals what the tools declare (else run: node --import tsx scripts/writeLanguageModelTools.ts)', async () => {
    assert.deepEqual(declaredInManifest(), await languageModelToolDeclarations());
  });

  it('names the five read-only tools, never record, each listed only while the workspace is untrusted', async () => {
    const declared = await languageModelToolDeclarations();
    assert.deepEqual(
      declared.map(tool => tool.name),
      ['list_runs', 'top_functions', 'hot_lines', 'callers_callees', 'compare'].map(name => `${LANGUAGE_MODEL_TOOL_PREFIX}${name}`),
    );
    for (const tool of declared) assert.equal(tool.when, '!isWorkspaceTrusted', tool.name);
    // The zod schema's fields and bounds reach the editor as JSON Schema.
    const top = declared.find(tool => tool.name === 'icicle_top_functions')!.inputSchema as { properties: Record<string, { type: string; maximum?: number; default?: number }> };
    assert.deepEqual(Object.keys(top.properties), ['selector', 'profileType', 'limit', 'maxChars']);
    assert.deepEqual([top.properties.limit!.type, top.properties.limit!.maximum, top.properties.limit!.default], ['integer', 500, 20]);
    assert.match(JSON.stringify(declared.find(tool => tool.name === 'icicle_hot_lines')!.inputSchema), /"required":\["file"\]/);
  });
});
