/**
 * Compiles every module the tests import (src/, probes/, test/support/, the lab's helpers) once, in one process,
 * before tap starts its test processes. tsx keys its compile cache by each file's path and content, so a clean
 * clone starts cold, and three test processes at once would each compile the same files again (decision 0018:
 * 427 s of tests cold against 255 s warm). Run through the same loader tap uses (`node --import tsx`). Importing a
 * module here must do nothing but define it: entry points are left out, and every other module's top level only
 * declares (the worker and lab scripts check that they are the program before they run).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FOLDERS = ['src', 'probes', 'test/support', 'test/lab'];
/** Programs, not modules: importing them would run them. */
const ENTRY_POINTS = new Set(['src/cli/bin.ts', 'test/support/fake-services-main.ts', 'test/lab/record-fixtures.ts']);

function modulesIn(folder: string): string[] {
  return readdirSync(path.join(root, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .filter((file) => !ENTRY_POINTS.has(file));
}

const started = performance.now();
const files = FOLDERS.flatMap(modulesIn).sort();
for (const file of files) await import(pathToFileURL(path.join(root, file)).href);
console.log(`warm-test-cache: ${files.length} modules compiled in ${((performance.now() - started) / 1000).toFixed(1)} s`);
