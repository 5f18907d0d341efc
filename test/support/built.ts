/**
 * Tests that start the program in its own process run it as shipped: `bin/exposure.js` over the compiled dist/,
 * not src/ through tsx. A process started through tsx spends about twice as long starting (0.7 s against 0.34 s,
 * measured 2026-12-06), and most of a lab file's time was process start-up. `npm test` and `npm run test:lab`
 * build first; a dist/ older than the sources is refused here, so no test passes against stale code.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'exposure.js');
const BUILT_ENTRY = path.join(ROOT, 'dist', 'src', 'cli', 'bin.js');
const SOURCE_DIRS = ['src', 'probes', 'schemas'];

function newestSource(dir: string): { file: string; mtimeMs: number } {
  let newest = { file: dir, mtimeMs: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const candidate = entry.isDirectory() ? newestSource(full) : { file: full, mtimeMs: statSync(full).mtimeMs };
    if (candidate.mtimeMs > newest.mtimeMs) newest = candidate;
  }
  return newest;
}

let checked = false;

function assertBuiltIsCurrent(): void {
  if (checked) return;
  let builtAt: number;
  try {
    builtAt = statSync(BUILT_ENTRY).mtimeMs;
  } catch {
    throw new Error('the program is not built (no dist/src/cli/bin.js). Run "npm run build" first; npm test does.');
  }
  for (const dir of SOURCE_DIRS) {
    const newest = newestSource(path.join(ROOT, dir));
    if (newest.mtimeMs > builtAt) {
      throw new Error(`dist/ is older than ${path.relative(ROOT, newest.file)}. Run "npm run build" first; npm test does.`);
    }
  }
  checked = true;
}

/** node arguments that run `exposure ARGS...` as shipped. */
export function exposureArgv(...args: string[]): string[] {
  assertBuiltIsCurrent();
  return [BIN, ...args];
}

/** file:// URL of a compiled module, e.g. builtModule('src/net/portscan/connect.js'), as `npm run build` emits it. */
export function builtModule(relativeToRoot: string): string {
  assertBuiltIsCurrent();
  return new URL(`file://${path.join(ROOT, 'dist', relativeToRoot)}`).href;
}
