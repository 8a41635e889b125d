// Writes package.json's `contributes.languageModelTools` from the read-only tools of `icicle mcp` (their names, titles,
// descriptions and zod input schemas), so that the editor's declarations never drift from the server's:
//   node --import tsx scripts/writeLanguageModelTools.ts
// agent/cli/mcp/languageModelToolDeclarations.test.ts fails when package.json differs from what this writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { languageModelToolDeclarations } from '../agent/cli/mcp/languageModelToolDeclarations';

const file = join(__dirname, '..', 'package.json');
void languageModelToolDeclarations().then(tools => {
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { contributes: Record<string, unknown> };
  manifest.contributes.languageModelTools = tools;
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`package.json: ${tools.length} language model tools written`);
});
