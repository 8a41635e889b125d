/**
 * The longest string from a profiled program (a function or file name, a label value) the MCP server answers with:
 * longer ones are cut. Apart from the server's code so that `icicle mcp --help` says it without loading the server.
 */
export const MAX_STRING_CHARS = 200;
