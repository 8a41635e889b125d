import { parseArgs, type ParseArgsConfig } from 'node:util';
import { describeError } from '../../common/errors';
import { UsageError } from './cliErrors';

/** The options every command takes. */
const COMMON = {
  store: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** A command's arguments with the common options and its own; a mistake is a usage error of that command. */
export function parseCommandArgs<O extends ParseArgsConfig['options']>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...COMMON, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(describeError(error), command);
  }
}
