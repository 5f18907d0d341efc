import { homedir } from 'node:os';
import path from 'node:path';

/** $XDG_DATA_HOME/exposure-scanner/history.db, else ~/.local/share/exposure-scanner/history.db (XDG base dir spec). */
export function defaultDbFile(env: NodeJS.ProcessEnv = process.env): string {
  // The spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  const dataHome = env['XDG_DATA_HOME'] && path.isAbsolute(env['XDG_DATA_HOME']) ? env['XDG_DATA_HOME'] : path.join(homedir(), '.local', 'share');
  return path.join(dataHome, 'exposure-scanner', 'history.db');
}
