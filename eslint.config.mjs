// Lint: typescript-eslint's recommended rules, plus the layering rules that keep the processes apart.
// The allowed direction is common ← storage ← agent, and common ← language-server, webview, extension;
// `vscode` is imported only by extension/ and test/ (see ARCHITECTURE.md, "Invariants").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Import restrictions for a folder: which other top-level folders and which packages it must not import.
 * Test files next to the code (`*.test.ts`) may also use the shared helpers in test/support/.
 */
function layer(folder, forbiddenFolders, forbiddenPackages = [], extraPatterns = []) {
  const rule = (folders, extras = extraPatterns) => [
    'error',
    {
      patterns: [
        ...forbiddenPackages.map(name => ({
          group: [name, `${name}/**`],
          message: `${folder}/ must not import '${name}' (only extension/ and test/ run inside the editor).`,
        })),
        ...folders.map(f => ({
          group: [`**/${f}`, `**/${f}/**`],
          message: `${folder}/ must not import ${f}/: the processes talk through typed protocols in common/.`,
        })),
        ...extras,
      ],
    },
  ];
  return [
    { files: [`${folder}/**/*.ts`], rules: { 'no-restricted-imports': rule(forbiddenFolders) } },
    {
      files: [`${folder}/**/*.test.ts`],
      // Tests may read their testdata files and build real stores to query.
      rules: { 'no-restricted-imports': rule(forbiddenFolders.filter(f => f !== 'test'), []) },
    },
  ];
}

const everythingBut = (...allowed) =>
  ['common', 'storage', 'agent', 'language-server', 'webview', 'extension', 'test'].filter(f => !allowed.includes(f));

const noHtmlFromStrings = [
  { selector: "MemberExpression[property.name='innerHTML']", message: 'Never build HTML from data: use textContent.' },
  { selector: "MemberExpression[property.name='outerHTML']", message: 'Never build HTML from data: use textContent.' },
  { selector: "CallExpression[callee.property.name='insertAdjacentHTML']", message: 'Never build HTML from data.' },
  { selector: "CallExpression[callee.property.name='html']", message: "d3's .html() inserts markup: use .text()." },
];

// Rules on syntax, per folder (a later block replaces an earlier one's list, so each block lists all that apply).
const notificationsOutsideUserMessages = {
  // Every notification goes through extension/userMessages.ts, which breaks link syntax in profile text and records
  // what the user was told (the editor tests read it).
  selector: "CallExpression[callee.property.name=/^show(Error|Warning|Information)Message$/]",
  message: 'Notify through extension/userMessages.ts (showError, showWarning, showInformation, confirmModal).',
};
const agentRawConnection = {
  // The agent's answers and notifications are checked where they arrive: through AgentConnection's request() and
  // onNotification() (common/agentConnection.ts), never its raw connection.
  selector: "CallExpression[callee.property.name=/^(sendRequest|onNotification|onRequest)$/][callee.object.property.name='connection']",
  message: "Send the agent requests with agent.request() and hear its notifications with agent.onNotification(): they check the agent's answers.",
};
const syntaxRules = (files, ignores, extra) => ({ files, ignores, rules: { 'no-restricted-syntax': ['error', ...noHtmlFromStrings, ...extra] } });

// The agent's folders, lowest first. A folder imports only folders of lower rows (and the root's leaf modules: log,
// fileErrors, localFiles, readProfileFile, frameKind); folders in one row do not import each other. The root's
// serving modules (main, agentServer, rpcHandlers, profileLibrary, agentStore) sit above every folder but cli/.
const AGENT_FOLDERS = [['import', 'queries', 'dataset'], ['export', 'compare', 'recording'], ['collectors'], ['cli']];
const AGENT_SERVING = ['main', 'agentServer', 'rpcHandlers', 'profileLibrary', 'agentStore'];
const agentPackages = ['vscode', 'vscode-languageserver', 'vscode-languageclient'];
const agentLayers = [
  ...layer('agent', everythingBut('common', 'storage', 'agent'), agentPackages),
  ...AGENT_FOLDERS.flatMap((row, rank) =>
    row.map(folder => {
      const above = [...AGENT_FOLDERS.slice(rank).flat().filter(f => f !== folder), 'probe'];
      return layer(`agent/${folder}`, everythingBut('common', 'storage', 'agent'), agentPackages, [
        {
          group: [...above.flatMap(f => [`**/${f}`, `**/${f}/**`]), ...(folder === 'cli' ? [] : AGENT_SERVING.map(m => `**/${m}`))],
          message: `agent/${folder}/ may import only the agent folders below it (${AGENT_FOLDERS.slice(0, rank).flat().join(', ') || 'none'}) and the root's leaf modules (eslint.config.mjs, AGENT_FOLDERS).`,
        },
      ]);
    }),
  ).flat(),
  // The probe runs inside profiled programs: Node's built-ins, its own folder and the probe protocol only, so its
  // bundle carries no dependency (and no agent code) into them.
  ...layer('agent/probe', everythingBut('common', 'storage', 'agent'), agentPackages, [
    {
      regex: '^(?!node:|\\./[^/]+$|(\\.\\./)+common/protocol/probeProtocol$|(\\.\\./)+common/version$)',
      message: "agent/probe/ imports only Node's built-ins, ./ and common/protocol/probeProtocol.ts or common/version.ts.",
    },
  ]),
];

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', '**/*.mjs', '**/*.js', '**/*.cjs', 'test/fixtures/**', 'demo/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-namespace': 'off', // Protocol messages are declared as namespaces, the vscode-languageserver way.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', ...noHtmlFromStrings],
    },
  },
  ...layer('common', everythingBut('common'), ['vscode']),
  ...layer('storage', everythingBut('common', 'storage'), ['vscode', 'vscode-languageserver', 'vscode-languageclient']),
  // The query engine reads only through a ScanSource snapshot: never the store's files, log, parts or blocks.
  ...layer('storage/query', everythingBut('common', 'storage'), ['vscode', 'vscode-languageserver', 'vscode-languageclient'], [
    {
      group: ['**/wal/**', '**/block/**', '**/part/**', '**/write/**', '../store', '../storeSnapshot', '../blockCache', '../manifest', '../durableFiles', 'node:fs', 'node:fs/*', 'fs', 'parquet-wasm'],
      message: 'storage/query/ reads only through ScanSource (a snapshot): it must not touch files, the log, parts or blocks.',
    },
  ]),
  ...layer('agent', everythingBut('common', 'storage', 'agent'), ['vscode', 'vscode-languageserver', 'vscode-languageclient']),
  ...agentLayers,
  ...layer('language-server', everythingBut('common', 'language-server'), ['vscode', 'vscode-languageclient']),
  ...layer('webview', everythingBut('common', 'webview'), ['vscode', 'vscode-languageserver', 'vscode-languageclient']),
  ...layer('extension', everythingBut('common', 'extension'), ['vscode-languageserver']),
  syntaxRules(['extension/**/*.ts'], ['**/*.test.ts', 'extension/userMessages.ts'], [notificationsOutsideUserMessages, agentRawConnection]),
  syntaxRules(['extension/userMessages.ts'], [], [agentRawConnection]),
  syntaxRules(['extension/**/*.test.ts'], [], [notificationsOutsideUserMessages]),
  syntaxRules(['language-server/**/*.ts'], ['**/*.test.ts'], [agentRawConnection]),
);
