import { homedir } from 'node:os';
import path from 'node:path';

/**
 * An XDG base directory (XDG_CONFIG_HOME, XDG_DATA_HOME) with its fallback under the home folder. The spec says a
 * relative value is invalid and must be ignored: a token or database must not land wherever the process was started.
 */
export function xdgDir(variable: 'XDG_CONFIG_HOME' | 'XDG_DATA_HOME', env: NodeJS.ProcessEnv = process.env): string {
  const value = env[variable];
  if (value && path.isAbsolute(value)) return value;
  return variable === 'XDG_CONFIG_HOME' ? path.join(homedir(), '.config') : path.join(homedir(), '.local', 'share');
}
