import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerListRuns } from './listRunsTool';
import { registerTopFunctions } from './topFunctionsTool';
import { registerHotLines } from './hotLinesTool';
import { registerCallersCallees } from './callersCalleesTool';
import { registerCompare } from './compareTool';
import type { ToolContext } from './toolInputs';

/** The read-only query tools, in the order they are listed; each answer's figures come from the same functions as the command line's. */
export function registerQueryTools(server: McpServer, context: ToolContext): void {
  registerListRuns(server, context);
  registerTopFunctions(server, context);
  registerHotLines(server, context);
  registerCallersCallees(server, context);
  registerCompare(server, context);
}
