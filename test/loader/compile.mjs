// Strips a TypeScript file's types with esbuild, once per version of the file: the result is kept in a disk cache
// keyed by path, size and modification time, so the many test processes of a run (and of the next run) share it.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CACHE = fileURLToPath(new URL('../../node_modules/.cache/exposure-test-loader/', import.meta.url));
// Required, not imported: an import from a loader thread passes through the module hooks, and a test that lists
// what a program loads (test/cli/lazy-commands.test.ts) would see the compiler as the program's.
const require = createRequire(import.meta.url);
let esbuild;

function cacheFile(file, stat) {
  const key = createHash('sha1').update(`${file}\0${stat.size}\0${stat.mtimeMs}`).digest('hex');
  return path.join(CACHE, `${key}.mjs`);
}

/** The JavaScript for a .ts/.mts file: from the cache, or compiled now and cached. */
export function compiledSource(file) {
  const cached = cacheFile(file, statSync(file));
  try {
    return readFileSync(cached, 'utf8');
  } catch {
    esbuild ??= require('esbuild');
    const { code } = esbuild.transformSync(readFileSync(file, 'utf8'), {
      loader: 'ts',
      format: 'esm',
      // This Node's own syntax level: older targets rewrite `import ... with { type: 'json' }` away.
      target: `node${process.versions.node}`,
      sourcemap: 'inline',
      sourcefile: file,
    });
    mkdirSync(CACHE, { recursive: true });
    // Written whole, then renamed: several test processes may compile the same file at once.
    const partial = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, cached);
    return code;
  }
}
