import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';

/**
 * The layering invariants of ARCHITECTURE.md are enforced by eslint.config.mjs. These cases check that the
 * rules really fire (a rule with a wrong pattern would pass everything silently) and do not over-reach.
 */
const root = join(__dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

async function importErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(root, file) });
  return (result?.messages ?? []).filter(m => m.ruleId === 'no-restricted-imports').map(m => m.message);
}

describe('layering rules', function () {
  this.timeout(30000);
  const forbidden: [string, string][] = [
    ['storage/table.ts', "import * as vscode from 'vscode';"],
    ['agent/x.ts', "import * as vscode from 'vscode';"],
    ['common/x.ts', "import { AgentServer } from '../agent/agentServer';"],
    ['extension/x.ts', "import { parseCpuProfile } from '../agent/importers/cpuprofile';"],
    ['extension/x.ts', "import { Table } from '../storage/table';"],
    ['webview/x.ts', "import { log } from '../extension/log';"],
    ['language-server/x.ts', "import { readProfileFile } from '../agent/readProfileFile';"],
    ['storage/x.ts', "import { registerHandlers } from '../agent/rpcHandlers';"],
    ['agent/x.ts', "import { LanguageClient } from 'vscode-languageclient/node';"],
    ['storage/query/x.ts', "import { BlockCache } from '../blockCache';"],
    ['storage/query/x.ts', "import { readFile } from 'node:fs/promises';"],
    ['storage/query/x.ts', "import { Store } from '../store';"],
  ];
  for (const [file, source] of forbidden) {
    it(`refuses in ${file}: ${source}`, async () => {
      assert.equal((await importErrors(file, source)).length, 1);
    });
  }

  const allowed: [string, string][] = [
    ['extension/x.ts', "import * as vscode from 'vscode';"],
    ['agent/x.ts', "import { UserFacingError } from '../common/errors';"],
    ['agent/importers/x.ts', "import { Table } from '../../storage/table';"],
    ['webview/x.ts', "import { findCallTreeProblem } from '../common/callTree';"],
    ['agent/x.test.ts', "import { assertGolden } from '../test/support/golden';"],
    ['storage/query/x.ts', "import type { MetadataStore } from '../metadata/metadataStore';"],
    ['storage/x.ts', "import { readFile } from 'node:fs/promises';"],
  ];
  for (const [file, source] of allowed) {
    it(`allows in ${file}: ${source}`, async () => {
      assert.deepEqual(await importErrors(file, source), []);
    });
  }

  it('refuses HTML built from strings in the webview', async () => {
    const [result] = await eslint.lintText('document.body.innerHTML = name;\n', { filePath: join(root, 'webview/x.ts') });
    assert.ok(result?.messages.some(m => m.ruleId === 'no-restricted-syntax'));
  });

  it("refuses the agent's raw connection for requests in the extension and the language server, not in tests", async () => {
    const source = 'void agent.connection.sendRequest(ListRunsRequest.type, {});\n';
    const syntax = async (file: string) => ((await eslint.lintText(source, { filePath: join(root, file) }))[0]?.messages ?? []).filter(m => m.ruleId === 'no-restricted-syntax');
    assert.equal((await syntax('extension/x.ts')).length, 1);
    assert.equal((await syntax('language-server/x.ts')).length, 1);
    assert.deepEqual(await syntax('extension/x.test.ts'), []);
    // The language server's own LSP connection is not the agent's.
    assert.deepEqual(((await eslint.lintText("void connection.sendRequest('workspace/codeLens/refresh');\n", { filePath: join(root, 'language-server/x.ts') }))[0]?.messages ?? []).filter(m => m.ruleId === 'no-restricted-syntax'), []);
  });
});
