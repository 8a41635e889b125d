/**
 * The editor's names for the MCP server's read-only tools where the extension offers them itself (in Restricted Mode,
 * where the editor will not start `icicle mcp`): `icicle_top_functions` is the server's `top_functions`. Shared by the
 * declarations in package.json (derived from the server's tools) and the extension, which forwards each call.
 */
export const LANGUAGE_MODEL_TOOL_PREFIX = 'icicle_';

/**
 * When the editor lists them: only in a workspace it does not trust, since in a trusted one the same tools come from
 * `icicle mcp` (as `mcp_icicle_…`), and a model must not be offered each tool twice.
 */
export const LANGUAGE_MODEL_TOOL_WHEN = '!isWorkspaceTrusted';

/** The server's name of the tool the editor knows by `name`, or undefined when it is not one of these. */
export function mcpToolName(name: string): string | undefined {
  return name.startsWith(LANGUAGE_MODEL_TOOL_PREFIX) ? name.slice(LANGUAGE_MODEL_TOOL_PREFIX.length) : undefined;
}
