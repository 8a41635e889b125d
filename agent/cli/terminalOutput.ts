import { terminalText } from './terminalText';

/**
 * Writes the command line's lines to stdout or stderr, escaped for the terminal (terminalText.ts). A reader that
 * stops early (`icicle top | head -1`) closes the pipe, and the next write fails with EPIPE: that is not an error of
 * the command, so later lines are dropped quietly and the command finishes with its own exit code (an import still
 * imports every file; a diff still exits 1 on a regression). Any other failure (`> /dev/full`: the disk is full) loses
 * output the user wanted, so it is handed to `failed` for the command to report once it is done.
 */
export function terminalOutput(stream: NodeJS.WritableStream, failed: (error: NodeJS.ErrnoException) => void): (line: string) => void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    closed = true;
    if (error.code !== 'EPIPE') failed(error);
  });
  return line => {
    if (!closed) stream.write(`${terminalText(line)}\n`);
  };
}
