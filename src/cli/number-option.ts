import { usageError } from './usage.js';

/**
 * A numeric command-line value within bounds, or a usage error naming the option and the allowed range.
 * `command` names the help to point at.
 */
export function numberOption(command: string, name: string, raw: string | undefined, fallback: number, min: number, max: number, integer = true): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw usageError(command, `--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}
