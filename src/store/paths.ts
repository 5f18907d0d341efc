import path from 'node:path';
import { xdgDir } from '../core/xdg.js';

/** $XDG_DATA_HOME/exposure-scanner/history.db, else ~/.local/share/exposure-scanner/history.db (XDG base dir spec). */
export function defaultDbFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(xdgDir('XDG_DATA_HOME', env), 'exposure-scanner', 'history.db');
}
