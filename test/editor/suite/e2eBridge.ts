/**
 * The suite's side of the file handshake with the driver (see ../handshake.ts): the extension host cannot see
 * the workbench page, so checks of the real DOM are asked of the driver, which holds the page in Playwright.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { pollUntil } from '../../support/poll';
import {
  e2eDirVariable,
  requestFile,
  responseFile,
  startedFile,
  writeJsonAtomically,
  type BridgeRequest,
  type BridgeResponse,
  type BridgeResults,
} from '../handshake';

/** True when a driver is answering (code-server run); false under @vscode/test-electron, where page checks skip. */
export function bridgeAvailable(): boolean {
  return Boolean(process.env[e2eDirVariable]);
}

function bridgeDir(): string {
  const dir = process.env[e2eDirVariable];
  if (!dir) throw new Error(`${e2eDirVariable} is not set: page checks need the driver test/editor/runEditorTests.ts`);
  return dir;
}

/** Tells the driver that run() has started, so that it can tell a slow suite from one that never loaded. */
export function announceStart(): void {
  if (bridgeAvailable()) writeJsonAtomically(startedFile(bridgeDir()), { pid: process.pid });
}

let sequence = 0;

/** Sends a request to the driver and waits for its answer; a driver-side failure becomes an error here. */
export async function ask<R extends BridgeRequest>(request: R): Promise<BridgeResults[R['action']]> {
  const dir = bridgeDir();
  // Zero-padded so that the driver, which sorts file names, handles requests in the order they were made.
  const id = `${String(++sequence).padStart(4, '0')}-${request.action}`;
  const answerFile = responseFile(dir, id);
  writeJsonAtomically(requestFile(dir, id), request);
  const response = await pollUntil(
    () => (existsSync(answerFile) ? (JSON.parse(readFileSync(answerFile, 'utf8')) as BridgeResponse<R['action']>) : undefined),
    // The driver spends up to request.timeoutMs itself; the extra margin covers its polling and Playwright calls.
    { timeoutMs: request.timeoutMs + 20_000, what: `the driver to answer "${request.action}" in ${answerFile}` },
  );
  rmSync(answerFile, { force: true });
  if (!response.ok) throw new Error(`the driver could not do "${request.action}": ${response.error}`);
  return response.result;
}
