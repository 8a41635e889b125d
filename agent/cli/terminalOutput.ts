import { terminalText } from './terminalText';

/**
 * Writes the command line's lines to stdout or stderr, escaped for the terminal (terminalText.ts). A reader that
 * stops early (`icicle top | head -1`) closes the pipe, and the next write fails with EPIPE: that is not an error of
 * the command, so later lines are dropped quietly and the command finishes with its own exit code (an import still
 * imports every file; a diff still exits 1 on a regression).
 */
export function terminalOutput(stream: NodeJS.WritableStream): (line: string) => void {
  let closed = false;
  // Any error of the stream means nobody reads it any more: there is nowhere left to report it to.
  stream.on('error', () => {
    closed = true;
  });
  return line => {
    if (!closed) stream.write(`${terminalText(line)}\n`);
  };
}
