import type { ZodError } from 'zod';
import { findCallTreeProblem } from '../common/callTree';

/**
 * One readable sentence about why a message from the extension was refused. The call tree's schema only
 * says "malformed call tree", so its own checker is asked for the exact problem.
 */
export function describeInvalidMessage(data: unknown, error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'the message is not one the webview knows';
  if (issue.path[0] === 'tree' && typeof data === 'object' && data !== null) {
    const problem = findCallTreeProblem((data as { tree?: unknown }).tree);
    if (problem) return `the call tree is malformed: ${problem}`;
  }
  const where = issue.path.join('.');
  return where === '' ? issue.message : `${where}: ${issue.message}`;
}
