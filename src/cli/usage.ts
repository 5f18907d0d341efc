import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createError, type ExposureError } from '../core/errors.js';

/** A usage error for one command; the hint points at that command's help unless told otherwise. */
export function usageError(command: string, message: string, hint = `Run "exposure ${command} --help" for the options.`): ExposureError {
  return createError('EXP_ERR_USAGE', message, { hint });
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs, strict, for one command: an unknown or malformed option becomes that command's usage error. */
export function parseCommandArgs<const T extends Options>(command: string, argv: readonly string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals, options });
  } catch (error) {
    throw usageError(command, (error as Error).message);
  }
}
