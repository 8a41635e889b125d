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
    ['agent/import/x.ts', "import { mergeStacks } from '../queries/stacks/mergeStacks';"],
    ['agent/import/formats/v8/x.ts', "import { RecordingHub } from '../../../recording/recordingHub';"],
    ['agent/import/x.ts', "import { registerHandlers } from '../rpcHandlers';"],
    ['agent/queries/x.ts', "import { importFile } from '../import/importFile';"],
    ['agent/recording/x.ts', "import { compareRuns } from '../compare/compareRuns';"],
    ['agent/collectors/x.ts', "import { main } from '../cli/main';"],
    ['agent/probe/x.ts', "import { z } from 'zod';"],
    ['agent/probe/x.ts', "import { AGENT_REQUESTS } from '../../common/protocol/agentProtocol';"],
    ['agent/probe/x.ts', "import { log } from '../log';"],
    ['storage/table.ts', "import * as vscode from 'vscode';"],
    ['agent/x.ts', "import * as vscode from 'vscode';"],
    ['common/x.ts', "import { AgentServer } from '../agent/agentServer';"],
    ['extension/x.ts', "import { parseCpuProfile } from '../test/support/cpuprofileTree';"],
    ['extension/x.ts', "import { scanV8Profile } from '../agent/import/formats/v8/v8ProfileScanner';"],
    ['agent/import/formats/v8/x.ts', "import { parseCpuProfile } from '../../../../test/support/cpuprofileTree';"],
    ['extension/x.ts', "import { Table } from '../storage/table';"],
    ['webview/x.ts', "import { log } from '../extension/log';"],
    ['language-server/x.ts', "import { readProfileFile } from '../agent/readProfileFile';"],
    ['storage/x.ts', "import { registerHandlers } from '../agent/rpcHandlers';"],
    ['agent/x.ts', "import { LanguageClient } from 'vscode-languageclient/node';"],
    ['storage/query/x.ts', "import { BlockCache } from '../blockCache';"],
    ['storage/query/x.ts', "import { readFile } from 'node:fs/promises';"],
    ['storage/query/x.ts', "import { Store } from '../store';"],
    ['storage/query/x.ts', "import { mergeStacks } from '../../agent/queries/stacks/mergeStacks';"],
    ['agent/queries/view/x.ts', "import { registerHandlers } from '../../rpcHandlers';"],
    ['agent/queries/x.ts', "import { topCommand } from '../cli/topCommand';"],
    ['agent/queries/source/x.ts', "import { AgentServer } from '../../agentServer';"],
  ];
  for (const [file, source] of forbidden) {
    it(`refuses in ${file}: ${source}`, async () => {
      assert.equal((await importErrors(file, source)).length, 1);
    });
  }

  const allowed: [string, string][] = [
    ['agent/recording/x.ts', "import { importFile } from '../import/importFile';"],
    ['agent/import/sourceMaps/x.ts', "import type { ImportedProfile } from '../importedProfile';"],
    ['agent/import/x.ts', "import { log } from '../log';"],
    ['agent/cli/x.ts', "import { AgentServer } from '../agentServer';"],
    ['agent/probe/x.ts', "import { readFileSync } from 'node:fs';"],
    ['agent/probe/x.ts', "import { PROBE_ENV } from '../../common/protocol/probeProtocol';"],
    ['agent/probe/x.ts', "import { ChunkedProfiler } from './chunkedProfiler';"],
    ['agent/probe/x.test.ts', "import { Store } from '../../storage/store';"],
    ['extension/x.ts', "import * as vscode from 'vscode';"],
    ['agent/x.ts', "import { UserFacingError } from '../common/errors';"],
    ['agent/import/formats/x.ts', "import { Table } from '../../../storage/table';"],
    ['webview/x.ts', "import { findCallTreeProblem } from '../common/callTree';"],
    ['agent/x.test.ts', "import { assertGolden } from '../test/support/golden';"],
    ['storage/query/x.ts', "import type { MetadataStore } from '../metadata/metadataStore';"],
    ['storage/x.ts', "import { readFile } from 'node:fs/promises';"],
    ['agent/queries/view/x.ts', "import { executePlan } from '../../../storage/query';"],
    ['agent/queries/view/x.ts', "import { classifyStoredFrame } from '../../frameKind';"],
    ['agent/cli/x.ts', "import { functionCosts } from '../queries/stacks/functionCosts';"],
    ['agent/queries/x.test.ts', "import { BatchSource } from '../../test/support/batchSource';"],
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

  it('refuses notifications that bypass userMessages.ts in the extension', async () => {
    const source = "import * as vscode from 'vscode';\nvoid vscode.window.showErrorMessage('x');\n";
    const syntaxErrors = async (file: string) => {
      const [result] = await eslint.lintText(source, { filePath: join(root, file) });
      return (result?.messages ?? []).filter(m => m.ruleId === 'no-restricted-syntax');
    };
    assert.equal((await syntaxErrors('extension/x.ts')).length, 1);
    assert.equal((await syntaxErrors('extension/recording/x.ts')).length, 1);
    assert.deepEqual(await syntaxErrors('extension/userMessages.ts'), []);
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
