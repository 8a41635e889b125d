// Assertions for the webview's unit tests. The webview's TypeScript project sees the DOM and not Node, so
// its tests cannot import node:assert; these few helpers are all they need.

export function assertEqual<T>(actual: T, expected: T, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

export function assertTrue(condition: boolean, what: string): void {
  if (!condition) throw new Error(`${what}: expected true`);
}
