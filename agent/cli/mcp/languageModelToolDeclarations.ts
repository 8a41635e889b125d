import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { LANGUAGE_MODEL_TOOL_PREFIX, LANGUAGE_MODEL_TOOL_WHEN } from '../../../common/languageModelTools';
import { registerQueryTools } from './queryTools';

/** One entry of package.json's `contributes.languageModelTools`. */
export interface LanguageModelToolDeclaration {
  name: string;
  displayName: string;
  modelDescription: string;
  inputSchema: object;
  when: string;
  tags: string[];
}

/**
 * package.json's `contributes.languageModelTools`, derived from the read-only tools as `icicle mcp` lists them to a
 * client (their zod schemas turned into JSON Schema by the SDK, their titles and descriptions): one home for each
 * tool's declaration. The server is asked in memory; the store is never opened, since only the list is asked for.
 */
export async function languageModelToolDeclarations(): Promise<LanguageModelToolDeclaration[]> {
  const server = new McpServer({ name: 'icicle', version: '0' });
  registerQueryTools(server, { store: '' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'icicle-declarations', version: '0' });
  await server.connect(serverSide);
  await client.connect(clientSide);
  try {
    const { tools } = await client.listTools();
    return tools.map(tool => {
      if (tool.annotations?.readOnlyHint !== true) throw new Error(`${tool.name} is not read-only: the editor offers only read-only tools itself`);
      return {
        name: `${LANGUAGE_MODEL_TOOL_PREFIX}${tool.name}`,
        displayName: tool.title ?? tool.name,
        modelDescription: tool.description ?? tool.name,
        inputSchema: tool.inputSchema,
        when: LANGUAGE_MODEL_TOOL_WHEN,
        tags: ['icicle', 'profiling'],
      };
    });
  } finally {
    await client.close();
    await server.close();
  }
}
